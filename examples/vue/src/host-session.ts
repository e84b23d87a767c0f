/** The signed-in user. A real app knows it from its session; this example reads `?user=`. */
export const user = new URLSearchParams(location.search).get('user') ?? 'demo';

/** The billing server's address, from this app's own backend. */
export async function billingApiBase(): Promise<string> {
  const response = await fetch('/api/config');
  return ((await response.json()) as { billing_api_base: string }).billing_api_base;
}

/** Asks this app's own backend for a billing token; the widgets call it again after a 401. */
export async function fetchBillingToken(): Promise<string> {
  const response = await fetch(`/api/billing-token?user=${encodeURIComponent(user)}`);
  if (!response.ok) throw new Error(`The host backend refused a billing token (${response.status}).`);
  return ((await response.json()) as { token: string }).token;
}

/** The product's own work: this app's backend reports usage of `feature`; resolves with what to tell the user. */
export async function spendCredits(feature: string, amount: number): Promise<string> {
  const response = await fetch(`/api/use-credits?user=${encodeURIComponent(user)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount, feature, request_id: crypto.randomUUID() }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  return response.ok
    ? `Used $${amount.toFixed(2)} on ${feature}.`
    : (body.error?.message ?? 'That did not work.');
}
