import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { cancelSubscription, resumeSubscription } from '../billing/cancellation.ts';
import { createSetupCheckout, createSubscriptionCheckout, createTopUpCheckout } from '../billing/checkout.ts';
import { findOrCreateCustomer } from '../billing/customers.ts';
import { resolveReturnUrl } from '../billing/return-url.ts';
import type { Plan } from '../config.ts';
import { ApiError } from '../errors.ts';
import { identityOf } from '../http/identity-of.ts';
import { readJsonObject } from '../http/json-body.ts';
import { parseAmount } from '../money.ts';
import { callStripe } from '../stripe/gateway-error.ts';

/**
 * The widget-facing billing mutations under `/api/billing`: the three Checkout flows, cancel and
 * resume, and the Customer Portal. `createApp` puts the user token, BILLING_ENABLED and the rate
 * limit in front of each (WIDGET_MUTATIONS); without a verified identity `identityOf` answers 401.
 * Every body is validated before Stripe is called, so bad input changes nothing anywhere.
 */
export function flowRoutes(deps: AppDeps): Hono<AppEnv> {
  const { config } = deps;
  const app = new Hono<AppEnv>();
  app.post('/create-checkout-session', async (c) => {
    const body = await readJsonObject(c);
    const amountCents = parseAmount(body.amount, 'amount', {
      minCents: config.topupMinCents,
      maxCents: config.topupMaxCents,
    });
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const { redirectUrl } = await createTopUpCheckout(deps, {
      identity: identityOf(c),
      amountCents,
      returnUrl,
    });
    return c.json({ redirect_url: redirectUrl });
  });

  app.post('/create-customer-setup-session', async (c) => {
    const body = await readJsonObject(c);
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const { redirectUrl } = await createSetupCheckout(deps, {
      identity: identityOf(c),
      returnUrl,
    });
    return c.json({ redirect_url: redirectUrl });
  });

  app.post('/subscription-checkout-session', async (c) => {
    const body = await readJsonObject(c);
    const plan = choosePlan(config.plans, body.plan);
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const identity = identityOf(c);
    if (await deps.store.liveSubscriptionId(identity.accountId, deps.clock.now())) {
      throw new ApiError(409, 'subscription_active', 'This account already has an active subscription.');
    }
    const { redirectUrl } = await createSubscriptionCheckout(deps, {
      identity,
      plan,
      returnUrl,
    });
    return c.json({ redirect_url: redirectUrl });
  });

  app.post('/cancel-subscription', async (c) => c.json(await cancelSubscription(deps, identityOf(c))));

  app.post('/resume-subscription', async (c) => c.json(await resumeSubscription(deps, identityOf(c))));

  app.post('/portal-session', async (c) => {
    const body = await readJsonObject(c);
    const returnUrl = resolveReturnUrl(config, body.return_url);
    const customer = await findOrCreateCustomer(deps, identityOf(c));
    const portal = await callStripe('open the customer portal', () =>
      deps.stripe.billingPortal.sessions.create({ customer, return_url: returnUrl }),
    );
    return c.json({ redirect_url: portal.url });
  });

  return app;
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
