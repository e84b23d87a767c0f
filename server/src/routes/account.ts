import { Hono } from 'hono';
import type Stripe from 'stripe';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { accessView, subscriptionSummary } from '../billing/subscription-summary.ts';
import { identityOf } from '../http/identity-of.ts';
import { formatCents } from '../money.ts';
import { publicOffer } from './public-offer.ts';
import { DEFAULT_PAGE_SIZE, decodeCursor, parsePageSize, transactionsPage } from './transactions-page.ts';

/**
 * Widget-facing reads of the caller's own account (the token's account scopes every query):
 * `/credits`, `/summary`, `/transactions`, `/subscription-access`, `/has-payment-method`.
 * `requireUser` is applied by `createApp` for these paths.
 */
export function accountRoutes(deps: AppDeps): Hono<AppEnv> {
  const { store, config, clock } = deps;
  const routes = new Hono<AppEnv>();

  // The hot path: one prepared point read, no allocation beyond the answer.
  routes.get('/credits', (c): Response | Promise<Response> => {
    if (!config.billingEnabled) return c.json({ credits: null });
    const cents = store.balance(identityOf(c).accountId);
    if (cents instanceof Promise) {
      return (cents as Promise<number | null>).then((value) => c.json({ credits: formatCents(value ?? 0) }));
    }
    return c.json({ credits: formatCents(cents ?? 0) });
  });

  routes.get('/subscription-access', async (c) => {
    return c.json(accessView(await store.currentAccess(identityOf(c).accountId, clock.now())));
  });

  routes.get('/transactions', async (c) => {
    const limit = parsePageSize(c.req.query('limit'));
    const before = decodeCursor(c.req.query('cursor'));
    return c.json(await transactionsPage(store, identityOf(c).accountId, limit, before));
  });

  routes.get('/summary', async (c) => {
    const { accountId } = identityOf(c);
    // The first history page rides along, so a page with every element makes one request on load.
    const [account, subscription, history] = await Promise.all([
      store.account(accountId),
      subscriptionSummary(store, accountId, clock.now()),
      transactionsPage(store, accountId, DEFAULT_PAGE_SIZE, null),
    ]);
    const balance = account?.balanceCents ?? 0;
    return c.json({
      billing_enabled: config.billingEnabled,
      currency: config.currency,
      credits: config.billingEnabled ? formatCents(balance) : null,
      credits_cents: config.billingEnabled ? balance : null,
      has_payment_method: account?.defaultPaymentMethodId != null,
      welcome_credit: formatCents(config.welcomeCreditCents),
      welcome_credit_cents: config.welcomeCreditCents,
      welcome_granted: account?.welcomeGrantedAt != null,
      ...publicOffer(config),
      subscription,
      transactions: { ...history, limit: DEFAULT_PAGE_SIZE },
    });
  });

  // Asks Stripe (the card may have been added or removed in the portal) and refreshes the copy.
  routes.post('/has-payment-method', async (c) => {
    if (!config.billingEnabled) return c.json(false);
    const { accountId } = identityOf(c);
    const account = await store.account(accountId);
    if (!account || account.stripeCustomerId === null) return c.json(false);
    const paymentMethod = await currentPaymentMethod(deps.stripe, account.stripeCustomerId);
    if (paymentMethod !== account.defaultPaymentMethodId) {
      await store.write(clock.now(), (unit) => unit.setDefaultPaymentMethod(accountId, paymentMethod));
    }
    return c.json(paymentMethod !== null);
  });

  return routes;
}

/** The customer's default card, or else any card saved on it; null when there is none. */
async function currentPaymentMethod(stripe: Stripe, customerId: string): Promise<string | null> {
  const customer = await stripe.customers.retrieve(customerId);
  if (customer.deleted) return null;
  const preferred = customer.invoice_settings?.default_payment_method;
  if (preferred) return typeof preferred === 'string' ? preferred : preferred.id;
  const cards = await stripe.customers.listPaymentMethods(customerId, { type: 'card', limit: 1 });
  return cards.data[0]?.id ?? null;
}
