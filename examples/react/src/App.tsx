import 'billing-widgets';
import type { BillingErrorEvent, BillingProvider } from 'billing-widgets';
// The elements as typed JSX tags, generated from custom-elements.json by `npm run build`.
import type {} from 'billing-widgets/react';
import { useCallback, useEffect, useRef, useState } from 'react';

/** The signed-in user. A real app knows it from its session; this example reads `?user=`. */
const user = new URLSearchParams(location.search).get('user') ?? 'demo';

/** Asks this app's own backend for a billing token; the widgets call it again after a 401. */
async function fetchBillingToken(): Promise<string> {
  const response = await fetch(`/api/billing-token?user=${encodeURIComponent(user)}`);
  if (!response.ok) throw new Error(`The host backend refused a billing token (${response.status}).`);
  return ((await response.json()) as { token: string }).token;
}

/** A host page with the credit balance, a top-up and the history, plus a button that uses credits. */
export function App() {
  const [apiBase, setApiBase] = useState<string>();
  const [message, setMessage] = useState('');
  const provider = useRef<BillingProvider>(null);

  useEffect(() => {
    fetch('/api/config')
      .then((response) => response.json() as Promise<{ billing_api_base: string }>)
      .then((config) => setApiBase(config.billing_api_base))
      .catch(() => setMessage('The host backend is not answering.'));
  }, []);

  // The host shows billing failures its own way; preventing the event hides the element's toast.
  const onBillingError = useCallback((event: BillingErrorEvent) => {
    event.preventDefault();
    setMessage(event.error.message);
  }, []);

  // The product's own work: the backend reports usage, then every widget refreshes at once.
  const spendCredit = async (feature: string, amount: number) => {
    const response = await fetch(`/api/use-credits?user=${encodeURIComponent(user)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount, feature, request_id: crypto.randomUUID() }),
    });
    const body = (await response.json()) as { error?: { message: string } };
    setMessage(
      response.ok
        ? `Used $${amount.toFixed(2)} on ${feature}.`
        : (body.error?.message ?? 'That did not work.'),
    );
    await provider.current?.store.refresh(undefined, true);
  };

  return (
    <main style={{ maxWidth: '40rem', margin: '0 auto', padding: '1rem', display: 'grid', gap: '1rem' }}>
      <h1 style={{ margin: 0, fontSize: '1.4rem' }}>React host · {user}</h1>
      <p role="status" style={{ margin: 0, minHeight: '1.5em' }}>
        {message}
      </p>
      {apiBase && (
        <billing-provider ref={provider} api-base={apiBase} tokenProvider={fetchBillingToken}>
          <div style={{ display: 'grid', gap: '1rem' }}>
            <billing-balance onbilling-error={onBillingError} />
            <div style={{ display: 'flex', gap: '.5rem', flexWrap: 'wrap' }}>
              <button type="button" onClick={() => spendCredit('chat', 1)} style={{ font: 'inherit' }}>
                Chat: use $1
              </button>
              <button type="button" onClick={() => spendCredit('images', 0.5)} style={{ font: 'inherit' }}>
                Images: use $0.50
              </button>
            </div>
            <billing-topup presets="10,25,50" onbilling-error={onBillingError} />
            <billing-usage onbilling-error={onBillingError} />
            <billing-history onbilling-error={onBillingError} />
          </div>
        </billing-provider>
      )}
    </main>
  );
}
