import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { closeBillingSession, findBillingSession } from '../billing/billing-sessions.ts';
import { fulfilCheckoutSession } from '../billing/fulfilment.ts';
import { withOutcome } from '../billing/return-url.ts';
import { ApiError } from '../errors.ts';

// Checkout session ids are `cs_test_…` / `cs_live_…`; anything else cannot be ours.
const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;

/**
 * Where Stripe sends the browser back: `/success` and `/cancel` under `/api/billing`. They are
 * authenticated by the unguessable session id and, for success, by asking Stripe whether it was
 * paid; then they redirect to the `return_url` given when the session was created.
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
    const sessionId = sessionIdOf(c.req.query('session_id'));
    const session = await findBillingSession(deps.store, sessionId);
    if (!session) {
      throw new ApiError(400, 'unknown_session', 'This checkout session is not known here.', 'session_id');
    }
    await closeBillingSession(deps.store.client, sessionId, 'cancelled', deps.clock.now());
    return c.redirect(withOutcome(session.returnUrl, 'checkout', 'cancel'), 302);
  });

  return app;
}

function sessionIdOf(value: string | undefined): string {
  if (!value || !SESSION_ID.test(value)) {
    throw new ApiError(
      400,
      'invalid_session_id',
      'session_id must be a Checkout session id (cs_…).',
      'session_id',
    );
  }
  return value;
}
