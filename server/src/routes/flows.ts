import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { AppDeps } from '../app-env.ts';
import { cancelSubscription, resumeSubscription } from '../billing/cancellation.ts';
import {
  type CheckoutStarted,
  closeOnPageCheckout,
  createSetupCheckout,
  createSubscriptionCheckout,
  createTopUpCheckout,
} from '../billing/checkout.ts';
import { findOrCreateCustomer } from '../billing/customers.ts';
import { resolveReturnUrl } from '../billing/return-url.ts';
import type { Plan } from '../config.ts';
import { ApiError } from '../errors.ts';
import { requireBillingEnabled } from '../http/billing-enabled.ts';
import { contractRouter } from '../http/contract-router.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import { rateLimitMutations } from '../http/rate-limit.ts';
import { requireUser, type UserEnv } from '../identity/require-user.ts';
import { parseAmount } from '../money.ts';
import { callStripe } from '../stripe/gateway-error.ts';

/**
 * The widget-facing billing mutations under `/api/billing`: the three Checkout flows, cancel and
 * resume, and the Customer Portal. Each needs the user token, BILLING_ENABLED and the account's
 * rate-limit budget; its body is validated by the contract (and the bounds here) before Stripe is
 * called, so bad input changes nothing anywhere.
 */
export function flowRoutes(deps: AppDeps, limiter: RateLimiter): OpenAPIHono<UserEnv> {
  const { config } = deps;
  const app = contractRouter<UserEnv>();
  const middleware = [requireUser(deps), requireBillingEnabled(config), rateLimitMutations(limiter)];

  app.openapi({ ...api.createCheckoutSession, middleware }, async (c) => {
    const body = c.req.valid('json');
    const amountCents = parseAmount(body.amount, 'amount', {
      minCents: config.topupMinCents,
      maxCents: config.topupMaxCents,
    });
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const started = await createTopUpCheckout(deps, {
      identity: c.var.identity,
      amountCents,
      returnUrl,
      ui: body.ui_mode,
    });
    return c.json(startedView(started), 200);
  });

  app.openapi({ ...api.createCustomerSetupSession, middleware }, async (c) => {
    const body = c.req.valid('json');
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const started = await createSetupCheckout(deps, {
      identity: c.var.identity,
      returnUrl,
      ui: body.ui_mode,
    });
    return c.json(startedView(started), 200);
  });

  app.openapi({ ...api.subscriptionCheckoutSession, middleware }, async (c) => {
    const body = c.req.valid('json');
    const plan = choosePlan(config.plans, body.plan);
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const { identity } = c.var;
    if (await deps.store.liveSubscriptionId(identity.accountId, deps.clock.now())) {
      throw new ApiError(409, 'subscription_active', 'This account already has an active subscription.');
    }
    const started = await createSubscriptionCheckout(deps, {
      identity,
      plan,
      returnUrl,
      ui: body.ui_mode,
    });
    return c.json(startedView(started), 200);
  });

  app.openapi({ ...api.closeCheckoutSession, middleware }, async (c) => {
    const { session_id } = c.req.valid('json');
    const closed = await closeOnPageCheckout(deps, c.var.identity, session_id);
    return c.json(
      {
        status: 'success' as const,
        message: closed === 'complete' ? 'The checkout was completed.' : 'The checkout was closed.',
      },
      200,
    );
  });

  app.openapi({ ...api.cancelSubscription, middleware }, async (c) =>
    c.json(await cancelSubscription(deps, c.var.identity), 200),
  );

  app.openapi({ ...api.resumeSubscription, middleware }, async (c) =>
    c.json(await resumeSubscription(deps, c.var.identity), 200),
  );

  app.openapi({ ...api.portalSession, middleware }, async (c) => {
    const body = c.req.valid('json');
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const customer = await findOrCreateCustomer(deps, c.var.identity);
    const portal = await callStripe('open the customer portal', () =>
      deps.stripe.billingPortal.sessions.create({ customer, return_url: returnUrl }),
    );
    return c.json({ redirect_url: portal.url }, 200);
  });

  return app;
}

/** The answer for a started checkout: the page to go to, or the on-page session. */
function startedView(started: CheckoutStarted) {
  return started.clientSecret
    ? { client_secret: started.clientSecret, session_id: started.sessionId }
    : { redirect_url: started.redirectUrl! };
}

/** The plan named in the body, or the first configured plan when none is named. */
function choosePlan(plans: Plan[], requested: unknown): Plan {
  if (requested === undefined || requested === null || requested === '') {
    const first = plans[0];
    if (!first) throw new ApiError(400, 'unknown_plan', 'No subscription plan is configured.', 'plan');
    return first;
  }
  const plan = typeof requested === 'string' ? plans.find((p) => p.id === requested) : undefined;
  if (!plan) {
    throw new ApiError(
      400,
      'unknown_plan',
      `plan must be one of: ${plans.map((p) => p.id).join(', ')}.`,
      'plan',
    );
  }
  return plan;
}
