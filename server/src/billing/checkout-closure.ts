import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { isStripeMissing, stripeFailure } from '../stripe/gateway-error.ts';
import type { StoreChange } from './store-change.ts';

/**
 * `checkout.session.expired` and `checkout.session.async_payment_failed`: the session is read
 * back from Stripe and closed only as far as Stripe says, never on the event's word. A signed but
 * misleading `expired` for a session that is still open would otherwise free the
 * one-subscription-checkout guard while its page can still be paid.
 * - expired at Stripe (or gone): the row becomes `cancelled`;
 * - complete but unpaid with its payment failed (the delayed method was refused): `error`;
 * - anything else (open, paid, still processing): nothing changes.
 */
export async function prepareCheckoutClosure(deps: AppDeps, sessionId: string): Promise<StoreChange | null> {
  let session: Stripe.Checkout.Session;
  try {
    session = await deps.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] });
  } catch (err) {
    if (isStripeMissing(err)) return closeAs(sessionId, 'cancelled');
    throw stripeFailure('read the Checkout session', err);
  }
  if (session.status === 'expired') return closeAs(sessionId, 'cancelled');
  if (session.status === 'complete' && session.payment_status === 'unpaid' && paymentFailed(session)) {
    return closeAs(sessionId, 'error');
  }
  return null;
}

/** A delayed payment that failed leaves its PaymentIntent waiting for a new method (or cancelled). */
function paymentFailed(session: Stripe.Checkout.Session): boolean {
  const intent = session.payment_intent;
  if (intent === null || typeof intent === 'string') return false;
  return intent.status === 'requires_payment_method' || intent.status === 'canceled';
}

function closeAs(sessionId: string, status: 'cancelled' | 'error'): StoreChange {
  return (unit) => {
    unit.closeBillingSession(sessionId, status);
  };
}
