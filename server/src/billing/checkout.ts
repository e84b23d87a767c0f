import { randomBytes, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import type { Plan } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import type { BillingSessionType } from '../store/records.ts';
import { SubscriptionCheckoutInProgress } from '../store/store-errors.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import { findOrCreateCustomer } from './customers.ts';
import { fulfilCheckoutSession } from './fulfilment.ts';
import {
  closeEarlierSubscriptionCheckouts,
  closeSubscriptionCheckout,
} from './subscription-checkout-guard.ts';

/** What the widgets receive: where to send the browser, or for on-page use the client secret. */
export type CheckoutStarted = { sessionId: string } & (
  | { redirectUrl: string; clientSecret?: never }
  | { clientSecret: string; redirectUrl?: never }
);

/** `redirect`: Stripe's hosted page; `embedded`: on-page Checkout mounted by Stripe.js. */
export type CheckoutUi = 'redirect' | 'embedded';

interface CheckoutRequest {
  identity: Identity;
  returnUrl: string;
  ui?: CheckoutUi;
}

/** The create params that differ between the hosted page and on-page Checkout. */
function uiParams(ui: CheckoutUi | undefined, callbacks: string, returnRef: string) {
  // On-page: the element hears of completion from Stripe.js and never leaves the page, so Stripe
  // gets no URL to go to; the element then closes the session (POST /close-checkout-session),
  // which fulfils a paid one at once (the webhook does too).
  if (ui === 'embedded') return { ui_mode: 'embedded_page', redirect_on_completion: 'never' } as const;
  // Stripe documents {CHECKOUT_SESSION_ID} for success_url only, so the ref finds the row without
  // it; on both links it also proves the visitor is the buyer (routes/callbacks.ts).
  return {
    success_url: `${callbacks}/success?session_id={CHECKOUT_SESSION_ID}&ref=${returnRef}`,
    cancel_url: `${callbacks}/cancel?session_id={CHECKOUT_SESSION_ID}&ref=${returnRef}`,
  };
}

/** A hosted Checkout session for buying `amountCents` of credit (mode `payment`). */
export function createTopUpCheckout(
  deps: AppDeps,
  request: CheckoutRequest & { amountCents: number },
): Promise<CheckoutStarted> {
  const { identity, amountCents } = request;
  const metadata = { account_id: identity.accountId, user_id: identity.userId, kind: 'topup' };
  return openCheckout(
    deps,
    request,
    { type: 'DIRECT_PAYMENT', priceCents: amountCents, priceCode: null },
    (customer) => ({
      mode: 'payment',
      customer,
      client_reference_id: identity.userId,
      line_items: [
        {
          price_data: {
            currency: deps.config.currency,
            unit_amount: amountCents,
            product_data: { name: 'Credit top-up' },
          },
          quantity: 1,
        },
      ],
      metadata,
      // Session metadata is not copied to the PaymentIntent; payment-side tooling wants it too.
      payment_intent_data: { metadata },
    }),
  );
}

/** A Checkout session in `setup` mode that saves a card for later charges. */
export function createSetupCheckout(deps: AppDeps, request: CheckoutRequest): Promise<CheckoutStarted> {
  const { identity } = request;
  const metadata = { account_id: identity.accountId, user_id: identity.userId, kind: 'setup' };
  return openCheckout(deps, request, { type: 'SETUP', priceCents: null, priceCode: null }, (customer) => ({
    mode: 'setup',
    customer,
    client_reference_id: identity.userId,
    // Setup mode needs a currency when no payment method types are listed (endive removed them).
    currency: deps.config.currency,
    metadata,
    setup_intent_data: { metadata },
  }));
}

/**
 * A Checkout session in `subscription` mode for `plan`. A plan without a Stripe price id is sold
 * with inline `price_data` (a monthly recurring price built from the configured amount), so a
 * deployment works without creating products in the Stripe dashboard first.
 *
 * One subscription checkout at a time per account (subscription-checkout-guard.ts): earlier
 * in-progress ones are expired at Stripe first, and a concurrent request that loses the race for
 * the store's unique index gets 409 `subscription_checkout_in_progress`.
 */
export async function createSubscriptionCheckout(
  deps: AppDeps,
  request: CheckoutRequest & { plan: Plan },
): Promise<CheckoutStarted> {
  const { identity, plan } = request;
  const metadata = { account_id: identity.accountId, user_id: identity.userId, plan_id: plan.id };
  const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = plan.stripePrice
    ? { price: plan.stripePrice, quantity: 1 }
    : {
        price_data: {
          currency: deps.config.currency,
          unit_amount: plan.amountCents,
          product_data: { name: plan.name },
          recurring: { interval: plan.interval },
        },
        quantity: 1,
      };
  await closeEarlierSubscriptionCheckouts(deps, identity.accountId);
  return openCheckout(
    deps,
    request,
    { type: 'MONTHLY_SUBSCRIPTION', priceCents: plan.amountCents, priceCode: plan.id },
    (customer) => ({
      mode: 'subscription',
      customer,
      client_reference_id: identity.userId,
      line_items: [lineItem],
      metadata: { ...metadata, kind: 'subscription' },
      subscription_data: { metadata },
    }),
  );
}

/**
 * The steps every Checkout flow shares: customer, session with our success/cancel callbacks, then
 * the `billing_sessions` row. A session whose row cannot be written is expired at once, so no
 * payment can arrive that the store knows nothing about.
 */
async function openCheckout(
  deps: AppDeps,
  request: CheckoutRequest,
  record: { type: BillingSessionType; priceCents: number | null; priceCode: string | null },
  params: (customer: string) => Stripe.Checkout.SessionCreateParams,
): Promise<CheckoutStarted> {
  const { identity } = request;
  const customer = await findOrCreateCustomer(deps, identity);
  const callbacks = `${deps.config.publicUrl}/api/billing`;
  const returnRef = randomBytes(16).toString('base64url');
  const session = await callStripe('create the Checkout session', () =>
    deps.stripe.checkout.sessions.create(
      { ...params(customer), ...uiParams(request.ui, callbacks, returnRef) },
      // A fresh key per API request (not the caller's X-Request-Id, which a client may reuse): the
      // SDK's network retries of this one call reuse it, so they never open a second session.
      { idempotencyKey: `checkout:${identity.accountId}:${randomUUID()}` },
    ),
  );
  const started: CheckoutStarted | null = session.url
    ? { sessionId: session.id, redirectUrl: session.url }
    : session.client_secret && request.ui === 'embedded'
      ? { sessionId: session.id, clientSecret: session.client_secret }
      : null;
  if (!started) {
    throw new ApiError(
      502,
      'stripe_error',
      'Stripe created the Checkout session without a payment page URL or client secret.',
    );
  }
  try {
    await deps.store.write(deps.clock.now(), (unit) =>
      unit.recordBillingSession({
        id: session.id,
        accountId: identity.accountId,
        userId: identity.userId,
        type: record.type,
        priceCents: record.priceCents,
        priceCode: record.priceCode,
        returnUrl: request.returnUrl,
        returnRef,
      }),
    );
  } catch (err) {
    // The store error is the one to report; a failed expiry leaves a session that simply times out.
    const expired = await deps.stripe.checkout.sessions.expire(session.id).then(
      () => true,
      () => false,
    );
    if (err instanceof SubscriptionCheckoutInProgress) {
      if (!expired) {
        deps.logger?.error('losing subscription checkout could not be expired at Stripe', {
          session_id: session.id,
        });
      }
      throw new ApiError(
        409,
        'subscription_checkout_in_progress',
        'Another subscription checkout for this account was opened at the same moment; finish or close that one first.',
      );
    }
    deps.logger?.error('billing session not recorded; Checkout session expired', {
      session_id: session.id,
      expired,
      error: err instanceof Error ? err.message : String(err),
    });
    throw new ApiError(503, 'store_unavailable', 'The billing store is unavailable; no payment was started.');
  }
  return started;
}

/**
 * The user closed an on-page Checkout, or it told the page it completed. The session is expired at
 * Stripe so nothing can be paid later; if Stripe says it was already complete, it is fulfilled now
 * (idempotent, as the webhook's fulfilment), so the page's one refresh shows the result.
 * 404 for a session that is not this account's.
 */
export async function closeOnPageCheckout(
  deps: AppDeps,
  identity: Identity,
  sessionId: string,
): Promise<'complete' | 'closed'> {
  const record = await deps.store.billingSession(sessionId);
  if (!record || record.accountId !== identity.accountId) {
    throw new ApiError(
      404,
      'checkout_session_not_found',
      'No checkout session of this account has that id.',
      'session_id',
    );
  }
  if (record.status === 'completed') return 'complete';
  if (record.status !== 'in_progress') return 'closed';
  // The guard's expire-or-read-back works for a session of any mode.
  if ((await closeSubscriptionCheckout(deps, sessionId)) === 'complete') {
    const fulfilment = await fulfilCheckoutSession(deps, sessionId);
    if (fulfilment.outcome === 'fulfilled') return 'complete';
    return 'closed';
  }
  await deps.store.write(deps.clock.now(), (unit) => unit.closeBillingSession(sessionId, 'cancelled'));
  return 'closed';
}
