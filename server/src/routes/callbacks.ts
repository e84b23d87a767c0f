import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import {
  type BillingSession,
  closeBillingSession,
  findBillingSession,
  findBillingSessionByCancelRef,
} from '../billing/billing-sessions.ts';
import { fulfilCheckoutSession } from '../billing/fulfilment.ts';
import { withOutcome } from '../billing/return-url.ts';
import {
  closeSubscriptionCheckout,
  type SubscriptionCheckoutClosure,
} from '../billing/subscription-checkout-guard.ts';
import { ApiError } from '../errors.ts';

// Checkout session ids are `cs_test_…` / `cs_live_…`; anything else cannot be ours.
const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;
// The cancel ref is 16 random bytes in base64url (checkout.ts).
const CANCEL_REF = /^[A-Za-z0-9_-]{22}$/;

/**
 * Where Stripe sends the browser back: `/success` and `/cancel` under `/api/billing`. They are
 * authenticated by the unguessable session id (or, for cancel, the unguessable `ref` we put in
 * `cancel_url`) and, for success, by asking Stripe whether it was paid; then they redirect to the
 * `return_url` given when the session was created.
 */
export function callbackRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/success', async (c) => {
    const sessionId = sessionIdOf(c.req.query('session_id'));
    const fulfilment = await fulfilCheckoutSession(deps, sessionId);
    if (fulfilment.outcome === 'unknown' || !fulfilment.session) {
      throw new ApiError(400, 'unknown_session', 'This checkout session is not known here.', 'session_id');
    }
    if (fulfilment.outcome === 'not_paid') {
      throw new ApiError(400, 'session_not_paid', 'This checkout session has not been paid.', 'session_id');
    }
    const { session } = fulfilment;
    const target =
      session.type === 'SETUP'
        ? withOutcome(session.returnUrl, 'setup', 'success')
        : withOutcome(session.returnUrl, 'checkout', 'success');
    return c.redirect(target, 302);
  });

  app.get('/cancel', async (c) => {
    const session = await sessionOfCancelLink(deps, c.req.query('session_id'), c.req.query('ref'));
    if (session.status === 'in_progress') await abandonCheckout(deps, session);
    return c.redirect(withOutcome(session.returnUrl, 'checkout', 'cancel'), 302);
  });

  return app;
}

/**
 * The session a cancel visit names: by `session_id` when Stripe filled it in (checked against
 * `ref` when both are present), else by `ref` alone, since Stripe may leave the literal
 * `{CHECKOUT_SESSION_ID}` in a `cancel_url`. Anything else is a 400 and changes nothing.
 */
async function sessionOfCancelLink(
  deps: AppDeps,
  sessionId: string | undefined,
  ref: string | undefined,
): Promise<BillingSession> {
  if (ref !== undefined && !CANCEL_REF.test(ref)) {
    throw new ApiError(400, 'invalid_cancel_ref', 'ref must be the reference from the cancel link.', 'ref');
  }
  if (sessionId !== undefined && SESSION_ID.test(sessionId)) {
    const session = await findBillingSession(deps.store, sessionId);
    if (!session || (ref !== undefined && session.cancelRef !== ref)) {
      throw new ApiError(400, 'unknown_session', 'This checkout session is not known here.', 'session_id');
    }
    return session;
  }
  if (ref === undefined) throw invalidSessionId();
  const session = await findBillingSessionByCancelRef(deps.store, ref);
  if (!session) throw new ApiError(400, 'unknown_session', 'This checkout session is not known here.', 'ref');
  return session;
}

/**
 * The buyer left the Checkout page. A top-up or setup session is only marked cancelled (paying it
 * later from the same page still counts). A subscription session is also expired at Stripe, so
 * the one-subscription-checkout rule holds: a cancelled subscription row is never payable. If
 * Stripe cannot be reached the row stays in progress and the next subscribe expires it.
 */
async function abandonCheckout(deps: AppDeps, session: BillingSession): Promise<void> {
  if (session.type === 'MONTHLY_SUBSCRIPTION') {
    let closure: SubscriptionCheckoutClosure;
    try {
      closure = await closeSubscriptionCheckout(deps, session.id);
    } catch (err) {
      deps.logger?.warn('subscription checkout not expired on cancel; left in progress', {
        session_id: session.id,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    // A paid session is left to fulfilment, which marks it completed.
    if (closure === 'complete') return;
  }
  await closeBillingSession(deps.store.client, session.id, 'cancelled', deps.clock.now());
}

function sessionIdOf(value: string | undefined): string {
  if (!value || !SESSION_ID.test(value)) throw invalidSessionId();
  return value;
}

function invalidSessionId(): ApiError {
  return new ApiError(
    400,
    'invalid_session_id',
    'session_id must be a Checkout session id (cs_…).',
    'session_id',
  );
}
