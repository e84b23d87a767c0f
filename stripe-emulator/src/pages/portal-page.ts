import type { Context } from 'hono';
import type Stripe from 'stripe';
import type { Emulator } from '../emulator.ts';
import { StripeApiError } from '../errors.ts';
import type {
  CustomerRecord,
  InvoiceRecord,
  PortalSessionRecord,
  PriceRecord,
  SubscriptionRecord,
} from '../records.ts';
import { amountFor } from '../resources/prices.ts';
import { currentPeriod, setCancelAtPeriodEnd } from '../resources/subscriptions.ts';
import type { StoredObject } from '../store.ts';
import { esc, hostedPage, money } from './html.ts';

type CardRecord = Stripe.PaymentMethod & StoredObject;

const NOTICES: Record<string, string> = {
  canceled: 'Your subscription will be canceled at the end of the billing period.',
  resumed: 'Your subscription will continue. It renews as before.',
};

function date(unix: number): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(unix * 1000),
  );
}

const STYLE = `
  main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 0; }
  table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  ul { padding-left: 1.2rem; } .badge { font-size: .8rem; padding: .05rem .45rem; border-radius: .75rem; border: 1px solid currentColor; margin-left: .4rem; }
  button { font: inherit; padding: .45rem .9rem; border-radius: .35rem; border: 1px solid currentColor; background: ButtonFace; color: ButtonText; cursor: pointer; }
  button:focus-visible, a:focus-visible { outline: 3px solid Highlight; outline-offset: 2px; }
  .notice { padding: .6rem .9rem; border-radius: .35rem; border: 1px solid color-mix(in srgb, CanvasText 30%, transparent); }
`;

function returnLink(session: PortalSessionRecord): string {
  if (!session.return_url) return '';
  let label = session.return_url;
  try {
    label = new URL(session.return_url).host;
  } catch {
    // Validated at session creation; the raw URL is a fine label if parsing ever fails.
  }
  return `<p><a href="${esc(session.return_url)}">← Return to ${esc(label)}</a></p>`;
}

function productName(emu: Emulator, productId: unknown): string {
  const product =
    typeof productId === 'string'
      ? emu.store.get<StoredObject & { name?: string }>('products', productId)
      : undefined;
  return product?.name ?? 'Subscription';
}

function subscriptionSection(
  emu: Emulator,
  session: PortalSessionRecord,
  subs: SubscriptionRecord[],
): string {
  if (subs.length === 0) {
    return `<section aria-labelledby="subscription-heading"><h2 id="subscription-heading">Current subscription</h2><p>No active subscription.</p></section>`;
  }
  const articles = subs.map((sub) => {
    const item = sub.items.data[0]!;
    const amount = sub.items.data.reduce(
      (sum, i) => sum + amountFor(i.price as PriceRecord, i.quantity ?? 1),
      0,
    );
    const recurring = item.price.recurring!;
    const every =
      recurring.interval_count === 1
        ? recurring.interval
        : `${recurring.interval_count} ${recurring.interval}s`;
    const end = currentPeriod(sub).end;
    const name = productName(emu, item.price.product);
    const base = `/p/session/${esc(session.id)}/subscriptions/${esc(sub.id)}`;
    let state: string;
    let action: string;
    if (sub.cancel_at_period_end) {
      state = `Cancels on ${esc(date(sub.cancel_at ?? end))}.`;
      action = `<form method="post" action="${base}/resume"><button type="submit">Resume subscription</button></form>`;
    } else {
      state =
        sub.status === 'past_due'
          ? 'Payment past due: the last charge failed. It is retried automatically with your default card.'
          : `Renews on ${esc(date(end))}.`;
      action = `<form method="post" action="${base}/cancel"><button type="submit" aria-describedby="cancel-note-${esc(sub.id)}">Cancel subscription</button></form>
<p id="cancel-note-${esc(sub.id)}">You keep access until the end of the billing period.</p>`;
    }
    return `<article aria-label="${esc(name)}">
<p><strong>${esc(name)}</strong> — ${esc(money(amount, sub.currency))} per ${esc(every)} <span class="badge">${esc(sub.status)}</span></p>
<p>${state}</p>
${action}
</article>`;
  });
  return `<section aria-labelledby="subscription-heading"><h2 id="subscription-heading">Current subscription</h2>${articles.join('\n')}</section>`;
}

function cardsSection(cards: CardRecord[], defaultId: string | null): string {
  const items = cards.map((pm) => {
    const card = pm.card!;
    const brand = card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
    const badge = pm.id === defaultId ? ' <span class="badge">Default</span>' : '';
    return `<li>${esc(brand)} ending in ${esc(card.last4)}, expires ${esc(String(card.exp_month).padStart(2, '0'))}/${esc(card.exp_year)}${badge}</li>`;
  });
  const body = items.length ? `<ul>${items.join('')}</ul>` : '<p>No saved cards.</p>';
  return `<section aria-labelledby="cards-heading"><h2 id="cards-heading">Payment methods</h2>${body}</section>`;
}

function invoicesSection(invoices: InvoiceRecord[]): string {
  if (invoices.length === 0) {
    return `<section aria-labelledby="invoices-heading"><h2 id="invoices-heading">Invoice history</h2><p>No invoices yet.</p></section>`;
  }
  const rows = invoices.map(
    (inv) =>
      `<tr><td>${esc(date(inv.status_transitions.finalized_at ?? inv.created))}</td><td>${esc(inv.number ?? '—')}</td><td>${esc(money(inv.total, inv.currency))}</td><td>${esc(inv.status ?? '')}</td></tr>`,
  );
  return `<section aria-labelledby="invoices-heading"><h2 id="invoices-heading">Invoice history</h2>
<table><thead><tr><th scope="col">Date</th><th scope="col">Number</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/** The whole portal for the session's customer, newest first within each section. */
function renderPortal(emu: Emulator, session: PortalSessionRecord, notice: string | undefined): string {
  const customerId = session.customer;
  const customer = emu.store.get<CustomerRecord>('customers', customerId);
  const subs = [...emu.store.collection<SubscriptionRecord>('subscriptions').values()]
    .filter((s) => s.customer === customerId && s.status !== 'canceled' && s.status !== 'incomplete_expired')
    .reverse();
  const cards = [...emu.store.collection<CardRecord>('payment_methods').values()]
    .filter((pm) => pm.customer === customerId && pm.type === 'card' && pm.card)
    .reverse();
  const invoices = [...emu.store.collection<InvoiceRecord>('invoices').values()]
    .filter((inv) => inv.customer === customerId && inv.status !== 'draft')
    .reverse();
  const defaultPm = customer?.invoice_settings.default_payment_method;
  const defaultId = typeof defaultPm === 'string' ? defaultPm : (defaultPm?.id ?? null);
  const who = customer?.email ?? customer?.name ?? customerId;
  const message =
    notice && NOTICES[notice] ? `<p class="notice" role="status">${esc(NOTICES[notice])}</p>` : '';
  return hostedPage(
    'Billing portal',
    STYLE,
    `${returnLink(session)}
<h1>Billing</h1>
<p>Signed in as ${esc(who)}</p>
${message}
${subscriptionSection(emu, session, subs)}
${cardsSection(cards, defaultId)}
${invoicesSection(invoices)}`,
  );
}

function errorPage(c: Context, status: 404 | 409, message: string): Response {
  return c.html(
    hostedPage('Billing portal', STYLE, `<h1>Billing portal</h1><p role="alert">${esc(message)}</p>`),
    status,
  );
}

/**
 * The hosted Customer Portal at `/p/session/:id`: cards, invoices, and the subscription with
 * Cancel (at period end, as Stripe's default configuration does) and Resume buttons, which post
 * plain forms and land back on the page.
 */
export function registerPortalPage(emu: Emulator): void {
  const sessionOf = (id: string) => emu.store.get<PortalSessionRecord>('billing_portal_sessions', id);

  emu.app.get('/p/session/:id', (c) => {
    const session = sessionOf(c.req.param('id'));
    if (!session) return errorPage(c, 404, 'This portal session does not exist.');
    return c.html(renderPortal(emu, session, c.req.query('notice')));
  });

  for (const action of ['cancel', 'resume'] as const) {
    emu.app.post(`/p/session/:id/subscriptions/:sub/${action}`, (c) => {
      const session = sessionOf(c.req.param('id'));
      if (!session) return errorPage(c, 404, 'This portal session does not exist.');
      const sub = emu.store.get<SubscriptionRecord>('subscriptions', c.req.param('sub'));
      if (!sub || sub.customer !== session.customer)
        return errorPage(c, 404, 'This subscription does not belong to this customer.');
      try {
        setCancelAtPeriodEnd(emu, sub, action === 'cancel', null);
      } catch (err) {
        if (err instanceof StripeApiError) return errorPage(c, 409, err.message);
        throw err;
      }
      return c.redirect(
        `/p/session/${session.id}?notice=${action === 'cancel' ? 'canceled' : 'resumed'}`,
        303,
      );
    });
  }
}
