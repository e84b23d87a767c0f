import Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { callStripe, isStripeMissing, stripeFailure } from '../stripe/gateway-error.ts';

/**
 * What Stripe says of a subscription Checkout session we tried to close: `closed` (expired now,
 * earlier, or unknown to Stripe, so it can never be paid) or `complete` (the buyer paid first).
 */
export type SubscriptionCheckoutClosure = 'closed' | 'complete';

/**
 * The rule: an account has at most one subscription Checkout session open, so two tabs (or a
 * retry) can never make a user pay for two subscriptions.
 * - Opening a new one first expires the earlier in-progress ones at Stripe and marks them
 *   cancelled; the newest request wins while the older page stops accepting payment.
 * - If an earlier one was paid meanwhile, nothing new is created: 409 `subscription_pending`.
 * - Two requests that both get this far race on the partial unique index
 *   `billing_sessions_one_subscription_checkout`; the loser expires its own new session and
 *   answers 409 `subscription_checkout_in_progress` (see `openCheckout`).
 * A Stripe failure here is a 502 with nothing created, since an earlier session might still be paid.
 */
export async function closeEarlierSubscriptionCheckouts(deps: AppDeps, accountId: string): Promise<void> {
  for (const sessionId of await deps.store.openSubscriptionCheckoutIds(accountId)) {
    const closure = await closeSubscriptionCheckout(deps, sessionId);
    if (closure === 'complete') {
      throw new ApiError(
        409,
        'subscription_pending',
        'A subscription checkout for this account has just been paid; the subscription is being set up.',
      );
    }
    await deps.store.write(deps.clock.now(), (unit) => unit.closeBillingSession(sessionId, 'cancelled'));
  }
}

/**
 * Expires one subscription Checkout session at Stripe. Stripe refuses to expire a session that
 * is not open, so on that refusal the session is read back to learn whether it expired or was paid.
 */
export async function closeSubscriptionCheckout(
  deps: AppDeps,
  sessionId: string,
): Promise<SubscriptionCheckoutClosure> {
  try {
    await deps.stripe.checkout.sessions.expire(sessionId);
    return 'closed';
  } catch (err) {
    if (isStripeMissing(err)) return 'closed';
    if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) {
      throw stripeFailure('close the earlier subscription checkout', err);
    }
  }
  const session = await callStripe('read the earlier subscription checkout', () =>
    deps.stripe.checkout.sessions.retrieve(sessionId),
  );
  if (session.status === 'expired') return 'closed';
  if (session.status === 'complete') return 'complete';
  throw new ApiError(
    502,
    'stripe_error',
    'Stripe could not close the earlier subscription checkout: it is still open.',
  );
}
