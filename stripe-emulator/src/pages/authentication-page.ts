import type { Emulator } from '../emulator.ts';
import type { PaymentIntentRecord } from '../records.ts';
import { esc, hostedPage, money } from './html.ts';

const STYLE = `
  main { max-width: 28rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.4rem; }
  .actions { display: flex; gap: .75rem; flex-wrap: wrap; margin-top: 1.25rem; }
  button { font: inherit; flex: 1; padding: .6rem .9rem; border-radius: .35rem; border: 1px solid currentColor; background: ButtonFace; color: ButtonText; cursor: pointer; }
  button:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
`;

/** What the page does with the customer's answer (payment-intents.ts passes it in, so the two never import each other). */
export type Authenticate = (emu: Emulator, pi: PaymentIntentRecord, passed: boolean) => void;

function page(title: string, body: string, status: number) {
  return { html: hostedPage(`${title} – Emulated 3D Secure`, STYLE, body), status };
}

function challenge(pi: PaymentIntentRecord) {
  return page(
    'Authenticate this payment',
    `<h1>Authenticate this payment</h1>
<section aria-labelledby="what">
<h2 id="what">${esc(money(pi.amount, pi.currency))}${pi.description ? ` · ${esc(pi.description)}` : ''}</h2>
<p>Your bank asks you to confirm this payment (an emulated 3D Secure challenge, test mode).</p>
</section>
<form method="post">
<div class="actions">
<button type="submit" name="result" value="complete">Complete authentication</button>
<button type="submit" name="result" value="fail">Fail authentication</button>
</div>
</form>`,
    200,
  );
}

/** The intent's `return_url` with the parameters Stripe appends when it sends the customer back. */
function returnTarget(pi: PaymentIntentRecord, returnUrl: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('payment_intent', pi.id);
  url.searchParams.set('payment_intent_client_secret', pi.client_secret ?? '');
  url.searchParams.set('redirect_status', pi.status === 'succeeded' ? 'succeeded' : 'failed');
  return url.href;
}

/**
 * The bank's page a PaymentIntent in `requires_action` names in `next_action.redirect_to_url.url`
 * (`/3d_secure/:id`): the customer completes or fails the challenge, and is sent to the
 * confirmation's `return_url` with `payment_intent`, `payment_intent_client_secret` and
 * `redirect_status`, as Stripe does.
 */
export function registerAuthenticationPage(emu: Emulator, authenticate: Authenticate): void {
  const waiting = (id: string) => {
    const pi = emu.store.get<PaymentIntentRecord>('payment_intents', id);
    const returnUrl = pi?.next_action?.redirect_to_url?.return_url;
    return pi && pi.status === 'requires_action' && returnUrl ? { pi, returnUrl } : null;
  };
  const gone = () =>
    page(
      'Nothing to authenticate',
      '<h1>Nothing to authenticate</h1>\n<p>This payment is not waiting for authentication.</p>',
      404,
    );

  emu.app.get('/3d_secure/:id', (c) => {
    const found = waiting(c.req.param('id'));
    const { html, status } = found ? challenge(found.pi) : gone();
    return c.html(html, status as 200 | 404);
  });

  emu.app.post('/3d_secure/:id', async (c) => {
    const found = waiting(c.req.param('id'));
    if (!found) {
      const { html } = gone();
      return c.html(html, 404);
    }
    const form = await c.req.parseBody();
    authenticate(emu, found.pi, form.result === 'complete');
    return c.redirect(returnTarget(found.pi, found.returnUrl), 303);
  });
}
