import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { AppDeps } from '../app-env.ts';
import { autoRechargeSummary } from '../billing/auto-recharge.ts';
import { currentDefaultCard } from '../billing/card-on-file.ts';
import { accessView, subscriptionSummary } from '../billing/subscription-summary.ts';
import { forecastFor, parseUsageDays, usageSummary } from '../billing/usage-summary.ts';
import { contractRouter } from '../http/contract-router.ts';
import { type RateLimiter, rateLimitMutations } from '../http/rate-limit.ts';
import { requireUser, type UserEnv } from '../identity/require-user.ts';
import { formatCents } from '../money.ts';
import type { CardOnFile } from '../store/records.ts';
import { publicOffer } from './public-offer.ts';
import { DEFAULT_PAGE_SIZE, decodeCursor, parsePageSize, transactionsPage } from './transactions-page.ts';

/**
 * Widget-facing reads of the caller's own account (the token's account scopes every query):
 * `/credits`, `/summary`, `/transactions`, `/subscription-access`, and `/has-payment-method`
 * (which asks Stripe, so it also takes from the account's rate-limit budget).
 */
export function accountRoutes(deps: AppDeps, limiter: RateLimiter): OpenAPIHono<UserEnv> {
  const { store, config, clock } = deps;
  const routes = contractRouter<UserEnv>();
  const user = requireUser(deps);

  // The hot path: one prepared point read, no allocation beyond the answer.
  // Answers synchronously on a local file (no promise to settle), so the typed answers are widened.
  routes.openapi({ ...api.credits, middleware: [user] }, (c): Response | Promise<Response> => {
    if (!config.billingEnabled) return c.json({ credits: null }, 200) as Response;
    const cents = store.balance(c.var.identity.accountId);
    if (cents instanceof Promise) {
      return cents.then((value) => c.json({ credits: formatCents(value ?? 0) }, 200) as Response);
    }
    return c.json({ credits: formatCents(cents ?? 0) }, 200) as Response;
  });

  routes.openapi({ ...api.subscriptionAccess, middleware: [user] }, async (c) => {
    return c.json(accessView(await store.currentAccess(c.var.identity.accountId, clock.now())), 200);
  });

  routes.openapi({ ...api.transactions, middleware: [user] }, async (c) => {
    const query = c.req.valid('query');
    const limit = parsePageSize(query.limit);
    const before = decodeCursor(query.cursor);
    return c.json(await transactionsPage(store, c.var.identity.accountId, limit, before), 200);
  });

  routes.openapi({ ...api.usageSummary, middleware: [user] }, async (c) => {
    const { accountId } = c.var.identity;
    const days = parseUsageDays(c.req.valid('query').days, 'days');
    const balance = (await store.balance(accountId)) ?? 0;
    return c.json(await usageSummary(store, accountId, days, clock.now(), config.currency, balance), 200);
  });

  routes.openapi({ ...api.summary, middleware: [user] }, async (c) => {
    const { accountId } = c.var.identity;
    const rawUsageDays = c.req.valid('query').usage_days;
    const usageDays = rawUsageDays === undefined ? null : parseUsageDays(rawUsageDays, 'usage_days');
    const now = clock.now();
    // The first history page rides along, so a page with every element makes one request on load;
    // so does the usage summary when the page has a <billing-usage> (it asks with `usage_days`).
    const [account, subscription, history, autoRecharge] = await Promise.all([
      store.account(accountId),
      subscriptionSummary(store, accountId, now),
      transactionsPage(store, accountId, DEFAULT_PAGE_SIZE, null),
      store.autoRecharge(accountId, now),
    ]);
    const balance = account?.balanceCents ?? 0;
    const usage =
      usageDays === null
        ? undefined
        : await usageSummary(store, accountId, usageDays, now, config.currency, balance);
    const forecast = usage
      ? {
          average_daily_7d: usage.average_daily_7d,
          average_daily_7d_cents: usage.average_daily_7d_cents,
          runs_out_on: usage.runs_out_on,
        }
      : await forecastFor(store, accountId, balance, now);
    return c.json(
      {
        billing_enabled: config.billingEnabled,
        currency: config.currency,
        credits: config.billingEnabled ? formatCents(balance) : null,
        credits_cents: config.billingEnabled ? balance : null,
        has_payment_method: account?.defaultPaymentMethodId != null,
        payment_method: cardView(account?.defaultPaymentMethodId ? account.defaultCard : null),
        welcome_credit: formatCents(config.welcomeCreditCents),
        welcome_credit_cents: config.welcomeCreditCents,
        welcome_granted: account?.welcomeGrantedAt != null,
        ...publicOffer(config),
        subscription,
        auto_recharge: autoRechargeSummary(config, autoRecharge),
        transactions: { ...history, limit: DEFAULT_PAGE_SIZE },
        usage_forecast: forecast,
        ...(usage && { usage }),
      },
      200,
    );
  });

  // Asks Stripe (the card may have been added or removed in the portal) and refreshes the copy.
  routes.openapi({ ...api.hasPaymentMethod, middleware: [user, rateLimitMutations(limiter)] }, async (c) => {
    if (!config.billingEnabled) return c.json(false, 200);
    const { accountId } = c.var.identity;
    const account = await store.account(accountId);
    if (!account || account.stripeCustomerId === null) return c.json(false, 200);
    const current = await currentDefaultCard(deps, account.stripeCustomerId);
    const id = current?.id ?? null;
    if (id !== account.defaultPaymentMethodId || (current?.card && !account.defaultCard)) {
      await store.write(clock.now(), (unit) => unit.setDefaultPaymentMethod(accountId, id, current?.card));
    }
    return c.json(id !== null, 200);
  });

  return routes;
}

/** The card as `/summary` shows it. */
function cardView(card: CardOnFile | null | undefined) {
  return card
    ? { brand: card.brand, last4: card.last4, exp_month: card.expMonth, exp_year: card.expYear }
    : null;
}
