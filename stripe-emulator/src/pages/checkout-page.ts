import type { Context } from 'hono';
import type Stripe from 'stripe';
import { cardFor, TEST_CARD_HINTS } from '../cards.ts';
import type { Emulator } from '../emulator.ts';
import { StripeApiError } from '../errors.ts';
import type { CheckoutSessionRecord, CustomerRecord } from '../records.ts';
import type { completeCheckoutSession } from '../resources/checkout-completion.ts';
import { requireCheckoutSession } from '../resources/checkout-sessions.ts';
import { esc, hostedPage, money } from './html.ts';

/**
 * Puts the session id where a redirect URL asks for it, as Stripe does for `success_url`. The
 * emulator fills it in `cancel_url` too, so a cancel callback can name its session.
 */
export function substituteSessionId(url: string, sessionId: string): string {
  return url.replace(/\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi, sessionId);
}

const STYLE = `
  main { max-width: 32rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 0; }
  table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: .35rem .25rem; }
  td.amount, th.amount { text-align: right; } tfoot th, tfoot td { border-top: 1px solid color-mix(in srgb, CanvasText 25%, transparent); font-weight: 600; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 500; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: .45rem .6rem; border-radius: .35rem; border: 1px solid color-mix(in srgb, CanvasText 40%, transparent); background: Field; color: FieldText; }
  input[aria-invalid="true"] { border-color: #c0392b; }
  fieldset { border: 0; padding: 0; margin: 1rem 0 0; } legend { font-weight: 600; }
  .row { display: flex; gap: .75rem; } .row > div { flex: 1; }
  button { font: inherit; width: 100%; margin-top: 1.25rem; padding: .6rem .9rem; border-radius: .35rem; border: 1px solid currentColor; background: ButtonFace; color: ButtonText; cursor: pointer; }
  button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
  .error { padding: .6rem .9rem; border-radius: .35rem; border: 1px solid #c0392b; margin: 1rem 0; }
  .hint { font-size: .9rem; } .hint code { font-size: .95em; }
`;

/** What the payer typed, kept to re-fill the form after an error (never the CVC). */
interface FormValues {
  email: string;
  number: string;
  expiry: string;
  name: string;
}

/** A refused form: the message shown in the alert and the field it is about. */
interface FormProblem {
  message: string;
  field: 'email' | 'number' | 'expiry' | 'cvc' | null;
}

function intervalText(price: Stripe.Price | null): string {
  const recurring = price?.recurring;
  if (!recurring) return '';
  const unit = recurring.interval;
  return recurring.interval_count === 1 ? ` per ${unit}` : ` every ${recurring.interval_count} ${unit}s`;
}

function summary(session: CheckoutSessionRecord): string {
  if (session.mode === 'setup') {
    return `<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Save a card</h2>
<p>Your card is saved for future payments. You are not charged now.</p>
</section>`;
  }
  const currency = session.currency ?? 'usd';
  const rows = session._line_items
    .map((li) => {
      const each = li.quantity && li.quantity > 1 ? ` × ${li.quantity}` : '';
      return `<tr><td>${esc(li.description ?? 'Item')}${esc(each)}</td><td class="amount">${esc(money(li.amount_total, li.currency))}${esc(intervalText(li.price))}</td></tr>`;
    })
    .join('\n');
  const first = session._line_items[0]?.price ?? null;
  return `<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Order summary</h2>
<table>
<thead><tr><th scope="col">Item</th><th scope="col" class="amount">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row">${session.mode === 'subscription' ? 'Total due today' : 'Total'}</th><td class="amount" data-testid="total">${esc(money(session.amount_total ?? 0, currency))}${session.mode === 'subscription' ? esc(intervalText(first)) : ''}</td></tr></tfoot>
</table>
</section>`;
}

function submitLabel(session: CheckoutSessionRecord): string {
  if (session.mode === 'setup') return 'Save card';
  if (session.mode === 'subscription') return 'Subscribe';
  return `Pay ${money(session.amount_total ?? 0, session.currency ?? 'usd')}`;
}

function knownEmail(emu: Emulator, session: CheckoutSessionRecord): string | null {
  if (session.customer_email) return session.customer_email;
  const customer =
    typeof session.customer === 'string'
      ? emu.store.get<CustomerRecord>('customers', session.customer)
      : undefined;
  return customer?.email ?? null;
}

function field(
  id: keyof FormValues | 'cvc',
  label: string,
  attrs: string,
  value: string,
  problem: FormProblem | null,
): string {
  const invalid = problem?.field === id;
  return `<div><label for="${id}">${esc(label)}</label>
<input id="${id}" name="${id}" ${attrs} value="${esc(value)}"${invalid ? ' aria-invalid="true" aria-describedby="form-error"' : ''}></div>`;
}

/** The open session's page: summary, email, card fields, the submit button, cancel link and test-card hint. */
function checkoutForm(
  emu: Emulator,
  session: CheckoutSessionRecord,
  values: FormValues,
  problem: FormProblem | null,
  action = `/c/pay/${session.id}`,
): string {
  const email = knownEmail(emu, session);
  const title =
    session.mode === 'setup' ? 'Save a card' : session.mode === 'subscription' ? 'Subscribe' : 'Pay';
  const alert = problem
    ? `<div class="error" role="alert" id="form-error">${esc(problem.message)}</div>`
    : '';
  const emailField = email
    ? `<div><label for="email">Email</label><input id="email" name="email" type="email" value="${esc(email)}" readonly></div>`
    : field('email', 'Email', 'type="email" autocomplete="email" required', values.email, problem);
  const cancel = session.cancel_url
    ? `<p><a href="${esc(substituteSessionId(session.cancel_url, session.id))}">Cancel and return</a></p>`
    : '';
  const hints = TEST_CARD_HINTS.map((h) => `<li><code>${esc(h.number)}</code> ${esc(h.effect)}</li>`).join(
    '\n',
  );
  const body = `<h1>${esc(title)}</h1>
<p>Emulated Stripe Checkout (test mode): no real card is charged.</p>
${summary(session)}
${alert}
<form method="post" action="${esc(action)}" novalidate>
${emailField}
<fieldset>
<legend>Card information</legend>
${field('number', 'Card number', 'inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required', values.number, problem)}
<div class="row">
${field('expiry', 'Expiry (MM / YY)', 'autocomplete="cc-exp" placeholder="MM / YY" required', values.expiry, problem)}
${field('cvc', 'CVC', 'inputmode="numeric" autocomplete="cc-csc" placeholder="123" required', '', problem)}
</div>
${field('name', 'Name on card', 'autocomplete="cc-name"', values.name, problem)}
</fieldset>
<button type="submit">${esc(submitLabel(session))}</button>
</form>
${cancel}
<section class="hint" aria-labelledby="hint-heading">
<h2 id="hint-heading">Test cards</h2>
<p>Use any future expiry date and any 3-digit CVC.</p>
<ul>
${hints}
</ul>
</section>`;
  return hostedPage(`${title} – Emulated Stripe Checkout`, STYLE, body);
}

function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  const a = link ? `<p><a href="${esc(link.href)}">${esc(link.text)}</a></p>` : '';
  return hostedPage(
    `${title} – Emulated Stripe Checkout`,
    STYLE,
    `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>\n${a}`,
  );
}

/** Where the payer goes after completing: `success_url`, or an embedded session's `return_url`. */
function completionTarget(session: CheckoutSessionRecord): string | null {
  const target =
    session.ui_mode === 'embedded_page'
      ? session.redirect_on_completion === 'never'
        ? null
        : (session.return_url ?? null)
      : session.success_url;
  return target ? substituteSessionId(target, session.id) : null;
}

/** The page for a session that can no longer be paid. */
function closedPage(c: Context, session: CheckoutSessionRecord): Response {
  if (session.status === 'complete') {
    const target = completionTarget(session);
    return c.html(
      messagePage(
        'Already complete',
        session.mode === 'setup'
          ? 'Your card has been saved. This checkout session is complete.'
          : 'Your payment has been received. This checkout session is complete.',
        target ? { href: target, text: 'Continue' } : undefined,
      ),
      200,
    );
  }
  return c.html(
    messagePage(
      'Session expired',
      'This checkout session has expired and can no longer be paid. Start again from the site you came from.',
      session.cancel_url
        ? { href: substituteSessionId(session.cancel_url, session.id), text: 'Return' }
        : undefined,
    ),
    410,
  );
}

function findSession(emu: Emulator, id: string): CheckoutSessionRecord | undefined {
  try {
    return requireCheckoutSession(emu, id);
  } catch (err) {
    if (err instanceof StripeApiError && err.status === 404) return undefined;
    throw err;
  }
}

function notFound(c: Context): Response {
  return c.html(
    messagePage(
      'Checkout not found',
      'There is no checkout session at this address. Check the link you followed.',
    ),
    404,
  );
}

/** `MM / YY` or `MM/YYYY`; a date that is not a month or lies in the past is refused. */
function readExpiry(emu: Emulator, text: string): { month: number; year: number } | FormProblem {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return { message: "Your card's expiration date is incomplete. Use MM / YY.", field: 'expiry' };
  const month = Number(m[1]);
  const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (month < 1 || month > 12)
    return { message: "Your card's expiration month is invalid.", field: 'expiry' };
  const now = new Date(emu.now() * 1000);
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    return { message: "Your card's expiration date is in the past.", field: 'expiry' };
  }
  return { month, year };
}

function formText(form: Record<string, unknown>, key: string): string {
  const v = form[key];
  return typeof v === 'string' ? v : '';
}

/**
 * The hosted checkout page at a session's `url` (`/c/pay/:id`): GET shows it; POST pays (or saves
 * the card, or subscribes) through `complete` (the one completion path, passed in), then 303s to
 * `success_url` with the session id substituted. Bad input re-renders with 400, a decline with 402,
 * the session still open.
 */
export function registerCheckoutPage(emu: Emulator, complete: typeof completeCheckoutSession): void {
  emu.app.get('/c/pay/:id', (c) => {
    const session = findSession(emu, c.req.param('id'));
    if (!session) return notFound(c);
    if (session.status !== 'open') return closedPage(c, session);
    return c.html(checkoutForm(emu, session, { email: '', number: '', expiry: '', name: '' }, null));
  });

  emu.app.post('/c/pay/:id', async (c) => {
    const session = findSession(emu, c.req.param('id'));
    if (!session) return notFound(c);
    if (session.status !== 'open') return closedPage(c, session);
    return pay(emu, c, session, complete, `/c/pay/${session.id}`, () => {
      const target = completionTarget(session);
      if (target) return c.redirect(target, 303);
      return c.html(messagePage('Thank you', 'This checkout session is complete.'), 200);
    });
  });

  registerEmbeddedCheckoutPage(emu, complete);
}

/**
 * Reads the card form and completes the session through `complete`; `done` answers once it is
 * complete. Bad input re-renders the form (posting to `action`) with 400, a decline with 402, the
 * session still open.
 */
async function pay(
  emu: Emulator,
  c: Context,
  session: CheckoutSessionRecord,
  complete: typeof completeCheckoutSession,
  action: string,
  done: () => Response,
): Promise<Response> {
  const form = await c.req.parseBody();
  const values: FormValues = {
    email: formText(form, 'email').trim(),
    number: formText(form, 'number').trim(),
    expiry: formText(form, 'expiry').trim(),
    name: formText(form, 'name').trim(),
  };
  const cvc = formText(form, 'cvc').trim();
  const refuse = (problem: FormProblem, status: 400 | 402) =>
    c.html(checkoutForm(emu, session, values, problem, action), status);
  if (!knownEmail(emu, session) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) {
    return refuse({ message: 'Enter a valid email address.', field: 'email' }, 400);
  }
  if (!values.number || !cardFor(values.number) || values.number.startsWith('pm_')) {
    return refuse(
      {
        message: 'Your card number is incorrect. In test mode, use a test card such as 4242 4242 4242 4242.',
        field: 'number',
      },
      400,
    );
  }
  const expiry = readExpiry(emu, values.expiry);
  if ('message' in expiry) return refuse(expiry, 400);
  if (!/^\d{3,4}$/.test(cvc))
    return refuse({ message: "Your card's security code is incomplete.", field: 'cvc' }, 400);
  try {
    complete(emu, session.id, values.number, null, {
      email: values.email || null,
      name: values.name || null,
      expMonth: expiry.month,
      expYear: expiry.year,
    });
  } catch (err) {
    if (err instanceof StripeApiError && (err.status === 402 || err.status === 400)) {
      return refuse({ message: err.body.message, field: err.status === 402 ? 'number' : null }, err.status);
    }
    throw err;
  }
  return done();
}

/** The session a client secret belongs to, if the secret is the session's own and it is on-page. */
function sessionOfSecret(emu: Emulator, secret: string): CheckoutSessionRecord | undefined {
  const id = secret.split('_secret_')[0] ?? '';
  const session = id ? findSession(emu, id) : undefined;
  return session && session.ui_mode === 'embedded_page' && session.client_secret === secret
    ? session
    : undefined;
}

/** The page that framed us, as an origin; null when `parent` is not an http(s) origin. */
function parentOrigin(value: string | undefined): string | null {
  try {
    const url = new URL(value ?? '');
    return /^https?:$/.test(url.protocol) && url.origin === value ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The on-page Checkout's frame (`/c/embedded/:client_secret?parent=<origin>`), which the Stripe.js
 * stand-in (stripe-js.ts) mounts: the same form as the hosted page, without a cancel link (the
 * host's dialog closes it). On completion it tells the parent page with `postMessage`, sent to the
 * `parent` origin only: `complete` when the session's `redirect_on_completion` is `never`, else
 * `redirect` with the `return_url`, which the stand-in follows as Stripe.js does.
 */
function registerEmbeddedCheckoutPage(emu: Emulator, complete: typeof completeCheckoutSession): void {
  const open = (c: Context) => {
    const secret = c.req.param('secret') ?? '';
    const parent = parentOrigin(c.req.query('parent'));
    const session = sessionOfSecret(emu, secret);
    if (!session || !parent) return { failed: notFound(c) };
    if (session.status !== 'open') return { failed: closedPage(c, session) };
    return { session, parent, action: `/c/embedded/${secret}?parent=${encodeURIComponent(parent)}` };
  };
  emu.app.get('/c/embedded/:secret', (c) => {
    const found = open(c);
    if (found.failed) return found.failed;
    const empty = { email: '', number: '', expiry: '', name: '' };
    return c.html(checkoutForm(emu, found.session, empty, null, found.action));
  });
  emu.app.post('/c/embedded/:secret', async (c) => {
    const found = open(c);
    if (found.failed) return found.failed;
    const { session, parent, action } = found;
    return pay(emu, c, session, complete, action, () => {
      const target = completionTarget(session);
      const message = target ? { type: 'redirect', url: target } : { type: 'complete' };
      return c.html(completedFrame(session, message, parent), 200);
    });
  });
}

/** The frame's last page: says it is done, and posts `message` to the parent page's origin. */
function completedFrame(session: CheckoutSessionRecord, message: object, parent: string): string {
  const data = JSON.stringify({ source: 'stripe-emulator-checkout', ...message }).replace(/</g, '\\u003c');
  return hostedPage(
    'Complete – Emulated Stripe Checkout',
    STYLE,
    `<h1>${session.mode === 'setup' ? 'Card saved' : 'Payment received'}</h1>
<p>This checkout session is complete.</p>
<script>parent.postMessage(${data}, ${JSON.stringify(parent)});</script>`,
  );
}
