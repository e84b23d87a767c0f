import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import * as api from '../../../contract/routes.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { type Fulfilment, fulfilCheckoutSession } from '../billing/fulfilment.ts';
import { resolveReturnUrl, withOutcome } from '../billing/return-url.ts';
import {
  closeSubscriptionCheckout,
  type SubscriptionCheckoutClosure,
} from '../billing/subscription-checkout-guard.ts';
import { ApiError } from '../errors.ts';
import { rateLimitCallbacks } from '../http/callback-rate-limit.ts';
import { RecentOutcomes } from '../http/recent-outcomes.ts';
import type { BillingSession } from '../store/records.ts';

// Checkout session ids are `cs_test_…` / `cs_live_…`; anything else cannot be ours.
const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;
// The return ref is 16 random bytes in base64url (checkout.ts).
const RETURN_REF = /^[A-Za-z0-9_-]{22}$/;
/** How long "this session is not paid" is remembered, so repeated hits do not each ask Stripe. */
const NOT_PAID_MEMORY_MS = 15_000;

/** Why a callback could not be honoured; logged, never shown (the browser only sees `checkout=error`). */
type CallbackFailure =
  | 'invalid_session_id'
  | 'invalid_ref'
  | 'missing_ref'
  | 'unknown_session'
  | 'session_not_paid'
  | 'not_confirmed';

/**
 * Where Stripe sends the browser back: `/success` and `/cancel` under `/api/billing`.
 *
 * Both links carry the session id and a `ref` that only the buyer's browser learns (Stripe puts
 * it there when it redirects; a Checkout page URL shows the session id but never the ref):
 * - `/success` credits through the same idempotent fulfilment as the webhook, then redirects to
 *   the `return_url` given at creation only when the ref matches; anyone else holding just the
 *   session id lands on the default return page, so the owner's URL is never revealed.
 * - `/cancel` needs the ref: a session id alone cancels nothing.
 * - Anything unknown, malformed or unpaid lands on the default return page with `checkout=error`
 *   (the elements show a toast), as the original product sends people back to billing settings.
 * Both are rate-limited per client address and per session, and a "not paid" answer is remembered
 * briefly, so the routes cannot be used to spend the merchant's Stripe rate limit.
 */
export function callbackRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  // In the OpenAPI document; handled without the contract's validators, since a bad link must
  // redirect, not answer JSON.
  app.openAPIRegistry.registerPath(api.success);
  app.openAPIRegistry.registerPath(api.cancel);

  const notPaid = new RecentOutcomes(NOT_PAID_MEMORY_MS, deps.clock);
  const limited = rateLimitCallbacks(deps.store.rateLimits, deps.config, deps.clock);
  const defaultReturnUrl = () => resolveReturnUrl(deps.config, undefined);

  const sendBack = (c: Context<AppEnv>, failure: CallbackFailure) => {
    deps.logger?.info('checkout callback not honoured', {
      request_id: c.var.requestId,
      path: c.req.path,
      reason: failure,
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(withOutcome(defaultReturnUrl(), 'checkout', 'error'), 302);
  };

  app.get('/success', limited, async (c) => {
    const sessionId = c.req.query('session_id');
    if (!sessionId || !SESSION_ID.test(sessionId)) return sendBack(c, 'invalid_session_id');
    const ref = c.req.query('ref');
    // Keyed with the ref too, so a stranger's early visit cannot turn the buyer's return into an error.
    const visit = `${sessionId} ${ref ?? ''}`;
    if (notPaid.has(visit)) return sendBack(c, 'session_not_paid');
    let fulfilment: Fulfilment;
    try {
      fulfilment = await fulfilCheckoutSession(deps, sessionId);
    } catch (err) {
      // Stripe or the store failed: the webhook (or a reload) still credits, so the person is sent
      // back with checkout=error rather than shown a JSON error page.
      if (!(err instanceof ApiError) || err.status < 500) throw err;
      deps.logger?.warn('checkout callback could not confirm the session', {
        request_id: c.var.requestId,
        session_id: sessionId,
        error: `${err.code}: ${err.message}`,
      });
      return sendBack(c, 'not_confirmed');
    }
    if (fulfilment.outcome === 'unknown' || !fulfilment.session) return sendBack(c, 'unknown_session');
    if (fulfilment.outcome === 'not_paid') {
      notPaid.remember(visit);
      return sendBack(c, 'session_not_paid');
    }
    const { session } = fulfilment;
    const own = session.returnRef !== null && ref === session.returnRef;
    const target = own ? session.returnUrl : defaultReturnUrl();
    c.header('Cache-Control', 'no-store');
    return c.redirect(
      session.type === 'SETUP'
        ? withOutcome(target, 'setup', 'success')
        : withOutcome(target, 'checkout', 'success'),
      302,
    );
  });

  app.get('/cancel', limited, async (c) => {
    const found = await sessionOfCancelLink(deps, c.req.query('session_id'), c.req.query('ref'));
    if (typeof found === 'string') return sendBack(c, found);
    if (found.status === 'in_progress') await abandonCheckout(deps, found);
    c.header('Cache-Control', 'no-store');
    return c.redirect(withOutcome(found.returnUrl, 'checkout', 'cancel'), 302);
  });

  return app;
}

/**
 * The session a cancel link names: found by its `ref` (Stripe may leave the literal
 * `{CHECKOUT_SESSION_ID}` in a `cancel_url`), and checked against `session_id` when that is a real
 * id. A link without the ref, or whose parts disagree, names nothing.
 */
async function sessionOfCancelLink(
  deps: AppDeps,
  sessionId: string | undefined,
  ref: string | undefined,
): Promise<BillingSession | CallbackFailure> {
  if (ref === undefined || ref === '') return 'missing_ref';
  if (!RETURN_REF.test(ref)) return 'invalid_ref';
  const session = await deps.store.billingSessionByReturnRef(ref);
  if (!session) return 'unknown_session';
  if (sessionId !== undefined && SESSION_ID.test(sessionId) && sessionId !== session.id) {
    return 'unknown_session';
  }
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
  await deps.store.write(deps.clock.now(), (unit) => unit.closeBillingSession(session.id, 'cancelled'));
}
