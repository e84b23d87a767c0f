/**
 * Every `/api/billing` route: its parameters, body and each answer it can give, success and
 * errors. The server registers its handlers on these (`app.openapi(route, handler)`), so a request
 * the schema refuses never reaches a handler, and `GET /api/billing/openapi.json` is written from
 * them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import * as s from './schemas.ts';

type Answer = { description: string; content?: { 'application/json': { schema: z.ZodType } } };

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string): Answer => json(s.ErrorBody, description);

/** What each error status means on this API; a route lists the ones it can answer. */
const ERRORS = {
  400: error('The request is not valid: `code` says why and `field` names the part.'),
  401: error(
    'No valid user token (`unauthorized`, `invalid_token`, `token_expired`) or API key (`invalid_api_key`).',
  ),
  402: error('`insufficient_credits`: the balance does not cover the debit; nothing was debited.'),
  403: error('`billing_disabled`: BILLING_ENABLED is false.'),
  404: error('Nothing to act on (`no_active_subscription`, `account_not_found`).'),
  409: error(
    'A conflict (`subscription_active`, `subscription_pending`, `subscription_checkout_in_progress`, `idempotency_conflict`).',
  ),
  413: error('`body_too_large`.'),
  415: error('`unsupported_media_type`: the body must be sent as application/json.'),
  429: error('`rate_limited`, with Retry-After.'),
  500: error('`internal_error`, or for the webhook `webhook_failed` (Stripe retries).'),
  502: error('`stripe_error`: Stripe failed or could not be reached; nothing was changed.'),
  503: error('`store_unavailable` (or `busy`, with Retry-After).'),
} as const;
type ErrorStatus = keyof typeof ERRORS;
const errors = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(statuses.map((status) => [status, ERRORS[status]])) as Record<ErrorStatus, Answer>;

const userToken = [{ userToken: [] }];
const apiKey = [{ apiKey: [] }];
/** A JSON body: optional (an empty body is `{}`) unless `required`. */
const body = <T extends z.ZodType>(schema: T, required = false) => ({
  body: { content: { 'application/json': { schema } }, required },
});

export const config = createRoute({
  method: 'get',
  path: '/config',
  summary: 'What a page needs before it knows the user: currency, top-up bounds, plans, publishable key',
  tags: ['public'],
  responses: { 200: json(s.PublicConfig, 'The public offer.') },
});

export const credits = createRoute({
  method: 'get',
  path: '/credits',
  summary: "The caller's balance",
  tags: ['widgets'],
  security: userToken,
  responses: { 200: json(s.CreditBalance, 'The balance.'), ...errors(401, 503) },
});

/** The usage summary's period: 1 to 90 days (`parseUsageDays` in the server). */
const usageDays = z.string().optional();

export const summary = createRoute({
  method: 'get',
  path: '/summary',
  summary: 'Everything a page of widgets shows, in one answer',
  tags: ['widgets'],
  security: userToken,
  request: {
    query: z.object({
      usage_days: usageDays.openapi({
        description:
          'Also answer the usage summary of this many days (1 to 90) in `usage`; a page with `<billing-usage>` asks for it.',
      }),
    }),
  },
  responses: { 200: json(s.BillingSummary, 'The summary.'), ...errors(400, 401, 503) },
});

export const usageSummary = createRoute({
  method: 'get',
  path: '/usage-summary',
  summary: 'Usage spend per UTC day and feature, the period total, and when the balance runs out',
  tags: ['widgets'],
  security: userToken,
  request: {
    query: z.object({ days: usageDays.openapi({ description: '1 to 90, default 30.' }) }),
  },
  responses: { 200: json(s.UsageSummary, 'The summary.'), ...errors(400, 401, 503) },
});

export const transactions = createRoute({
  method: 'get',
  path: '/transactions',
  summary: 'The ledger, newest first, keyset-paginated',
  tags: ['widgets'],
  security: userToken,
  request: {
    query: z.object({
      limit: z.string().optional().openapi({ description: '1 to 100, default 20.' }),
      cursor: z.string().optional().openapi({ description: '`next_cursor` of the previous page.' }),
    }),
  },
  responses: { 200: json(s.TransactionPage, 'One page.'), ...errors(400, 401, 503) },
});

export const subscriptionAccess = createRoute({
  method: 'get',
  path: '/subscription-access',
  summary: 'The paid subscription period covering now, or null',
  tags: ['widgets'],
  security: userToken,
  responses: { 200: json(s.SubscriptionAccess.nullable(), 'The period, or null.'), ...errors(401, 503) },
});

export const hasPaymentMethod = createRoute({
  method: 'post',
  path: '/has-payment-method',
  summary: 'Whether a card is saved (asks Stripe and refreshes the stored copy)',
  tags: ['widgets'],
  security: userToken,
  responses: { 200: json(z.boolean(), 'True when a card is saved.'), ...errors(401, 429, 502, 503) },
});

const checkoutErrors = errors(400, 401, 403, 413, 415, 429, 502, 503);
const CHECKOUT_STARTED =
  'Send the browser to `redirect_url`; or, with `ui_mode` `embedded`, mount `client_secret`.';

export const createCheckoutSession = createRoute({
  method: 'post',
  path: '/create-checkout-session',
  summary: 'A Stripe Checkout page for buying credits',
  tags: ['widgets'],
  security: userToken,
  request: body(s.TopUpRequest, true),
  responses: { 200: json(s.CheckoutStart, CHECKOUT_STARTED), ...checkoutErrors },
});

export const createCustomerSetupSession = createRoute({
  method: 'post',
  path: '/create-customer-setup-session',
  summary: 'A Stripe Checkout page that saves a card (the welcome credit, once)',
  tags: ['widgets'],
  security: userToken,
  request: body(s.SetupRequest),
  responses: { 200: json(s.CheckoutStart, CHECKOUT_STARTED), ...checkoutErrors },
});

export const subscriptionCheckoutSession = createRoute({
  method: 'post',
  path: '/subscription-checkout-session',
  summary: 'A Stripe Checkout page for a monthly plan',
  tags: ['widgets'],
  security: userToken,
  request: body(s.SubscribeRequest),
  responses: { 200: json(s.CheckoutStart, CHECKOUT_STARTED), ...checkoutErrors, ...errors(409) },
});

export const closeCheckoutSession = createRoute({
  method: 'post',
  path: '/close-checkout-session',
  summary: 'Expire an on-page Checkout session the user closed, so it can no longer be paid',
  tags: ['widgets'],
  security: userToken,
  request: body(s.CloseCheckoutRequest, true),
  responses: {
    200: json(s.StatusMessage, 'Closed (or already complete or expired).'),
    ...errors(400, 401, 403, 404, 413, 415, 429, 502, 503),
  },
});

const subscriptionChangeErrors = errors(401, 403, 404, 429, 502, 503);

export const cancelSubscription = createRoute({
  method: 'post',
  path: '/cancel-subscription',
  summary: 'End the subscription at the end of the paid period',
  tags: ['widgets'],
  security: userToken,
  responses: { 200: json(s.StatusMessage, 'Cancelled at period end.'), ...subscriptionChangeErrors },
});

export const resumeSubscription = createRoute({
  method: 'post',
  path: '/resume-subscription',
  summary: 'Undo a scheduled cancellation',
  tags: ['widgets'],
  security: userToken,
  responses: { 200: json(s.StatusMessage, 'Renewing again.'), ...subscriptionChangeErrors },
});

export const portalSession = createRoute({
  method: 'post',
  path: '/portal-session',
  summary: 'A Stripe Customer Portal page',
  tags: ['widgets'],
  security: userToken,
  request: body(s.PortalRequest),
  responses: { 200: json(s.Redirect, 'Send the browser here.'), ...checkoutErrors },
});

const returnLinkQuery = z.object({
  session_id: z.string().optional().openapi({ description: 'Filled in by Stripe.' }),
  ref: z.string().optional().openapi({ description: 'The reference the server put in the link.' }),
});
const redirected = {
  302: {
    description:
      'To the return_url with `checkout=success|cancel` or `setup=success`; unknown, unpaid or mismatched links go to the default page with `checkout=error`.',
  },
};

export const success = createRoute({
  method: 'get',
  path: '/success',
  summary: "Stripe's success link: credits (idempotently) and sends the browser back",
  tags: ['stripe'],
  request: { query: returnLinkQuery },
  responses: { ...redirected, ...errors(429) },
});

export const cancel = createRoute({
  method: 'get',
  path: '/cancel',
  summary: "Stripe's cancel link: closes the checkout and sends the browser back",
  tags: ['stripe'],
  request: { query: returnLinkQuery },
  responses: { ...redirected, ...errors(429) },
});

export const webhook = createRoute({
  method: 'post',
  path: '/webhook',
  summary: "Stripe's signed events (raw body, Stripe-Signature)",
  tags: ['stripe'],
  request: { headers: z.object({ 'stripe-signature': z.string().optional() }) },
  responses: {
    200: json(
      z.object({ received: z.literal(true), duplicate: z.boolean() }),
      'Handled (or already handled).',
    ),
    ...errors(400, 413, 500, 503),
  },
});

const ledgerErrors = errors(400, 401, 403, 409, 413, 415, 503);

export const usage = createRoute({
  method: 'post',
  path: '/usage',
  summary: 'Debit usage, once per idempotency key',
  tags: ['server'],
  security: apiKey,
  request: body(s.UsageRequest, true),
  responses: { 200: json(s.UsageDebit, 'Debited (or replayed).'), ...ledgerErrors, ...errors(402) },
});

export const grants = createRoute({
  method: 'post',
  path: '/grants',
  summary: 'Credit a grant or refund, once per idempotency key',
  tags: ['server'],
  security: apiKey,
  request: body(s.GrantRequest, true),
  responses: { 200: json(s.LedgerChange, 'Credited (or replayed).'), ...ledgerErrors },
});

export const reconcile = createRoute({
  method: 'post',
  path: '/reconcile',
  summary: "Replay Stripe's events list since the checkpoint",
  description:
    'Applies, through the webhook handlers, every event of the handled types that Stripe listed since the checkpoint and this server has not applied (webhooks lost past Stripe’s retries). A replay of an applied event changes nothing. The server also replays at start-up and every BILLING_RECONCILE_INTERVAL_S.',
  tags: ['server'],
  security: apiKey,
  responses: { 200: json(s.ReconcileReport, 'What the replay did.'), ...errors(401, 502, 503) },
});

export const account = createRoute({
  method: 'get',
  path: '/accounts/{id}',
  summary: 'One account: balance, card, subscription',
  tags: ['server'],
  security: apiKey,
  request: {
    params: z.object({
      id: z.string().openapi({ description: 'The account key: user:<user id> or org:<account id>.' }),
    }),
  },
  responses: { 200: json(s.AccountView, 'The account.'), ...errors(400, 401, 404, 503) },
});

export const saveAutoRecharge = createRoute({
  method: 'put',
  path: '/auto-recharge',
  summary: 'Turn auto-recharge on or off and set its threshold, amount and monthly cap',
  description:
    'Enabling needs a saved card (409 `no_payment_method`). When a `/usage` debit takes the balance from at or above `threshold` to below it, the saved card is charged `amount` off-session, once, unless that would pass `monthly_cap` this UTC month.',
  tags: ['widgets'],
  security: userToken,
  request: body(s.AutoRechargeRequest, true),
  responses: {
    200: json(s.AutoRecharge, 'The settings now in force.'),
    ...errors(400, 401, 403, 409, 413, 415, 429, 503),
  },
});

export const completeAutoRecharge = createRoute({
  method: 'post',
  path: '/auto-recharge/complete',
  summary: 'Let the user authenticate an auto-recharge their bank refused off-session',
  tags: ['widgets'],
  security: userToken,
  request: body(s.AutoRechargeCompleteRequest),
  responses: {
    200: json(s.Redirect, "Send the browser here (the bank's authentication page)."),
    ...errors(400, 401, 403, 409, 413, 415, 429, 502, 503),
  },
});

export const autoRechargeReturn = createRoute({
  method: 'get',
  path: '/auto-recharge/return',
  summary: 'Where the authentication page sends the browser back: records the payment and redirects',
  tags: ['stripe'],
  request: {
    query: z.object({
      payment_intent: z.string().optional().openapi({ description: 'Filled in by Stripe.' }),
      to: z.string().optional().openapi({ description: 'The page to go back to (an allowed origin).' }),
    }),
  },
  responses: {
    302: {
      description:
        'To `to` with `checkout=success`, or `checkout=error` when the payment did not go through.',
    },
    ...errors(429),
  },
});
