import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { AppDeps } from '../app-env.ts';
import {
  completeAutoRecharge,
  prepareAutoRechargePayment,
  saveAutoRechargeSettings,
} from '../billing/auto-recharge.ts';
import { resolveReturnUrl, withOutcome } from '../billing/return-url.ts';
import { ApiError } from '../errors.ts';
import { requireBillingEnabled } from '../http/billing-enabled.ts';
import { rateLimitCallbacks } from '../http/callback-rate-limit.ts';
import { contractRouter } from '../http/contract-router.ts';
import { type RateLimiter, rateLimitMutations } from '../http/rate-limit.ts';
import { requireUser, type UserEnv } from '../identity/require-user.ts';
import { parseAmount } from '../money.ts';

// PaymentIntent ids are `pi_…`; anything else cannot be one.
const PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9_]{1,250}$/;

/**
 * Auto-recharge under `/api/billing` (billing/auto-recharge.ts): `PUT /auto-recharge` saves the
 * user's settings, `POST /auto-recharge/complete` sends the user to authenticate a charge their
 * bank held back, and `GET /auto-recharge/return` is where that page sends the browser back.
 */
export function autoRechargeRoutes(deps: AppDeps, limiter: RateLimiter): OpenAPIHono<UserEnv> {
  const { config } = deps;
  const app = contractRouter<UserEnv>();
  const middleware = [requireUser(deps), requireBillingEnabled(config), rateLimitMutations(limiter)];

  app.openapi({ ...api.saveAutoRecharge, middleware }, async (c) => {
    const body = c.req.valid('json');
    // Each amount is checked before anything is read or written: bad input changes nothing.
    const amountCents = parseAmount(body.amount, 'amount', {
      minCents: config.topupMinCents,
      maxCents: config.topupMaxCents,
    });
    const thresholdCents = parseAmount(body.threshold, 'threshold', { maxCents: config.topupMaxCents });
    const monthlyCapCents = parseAmount(body.monthly_cap, 'monthly_cap', {
      maxCents: config.autoRechargeCapMaxCents,
    });
    const saved = await saveAutoRechargeSettings(deps, c.var.identity, {
      enabled: body.enabled,
      thresholdCents,
      amountCents,
      monthlyCapCents,
    });
    return c.json(saved, 200);
  });

  app.openapi({ ...api.completeAutoRecharge, middleware }, async (c) => {
    const returnUrl = resolveReturnUrl(config, c.req.valid('json').return_url);
    return c.json({ redirect_url: await completeAutoRecharge(deps, c.var.identity, returnUrl) }, 200);
  });

  // In the OpenAPI document; handled without the contract's validators, since a bad link must
  // redirect, not answer JSON.
  app.openAPIRegistry.registerPath(api.autoRechargeReturn);
  const limited = rateLimitCallbacks(deps.store.rateLimits, config, deps.clock);
  app.get('/auto-recharge/return', limited, async (c) => {
    let target: string;
    try {
      target = resolveReturnUrl(config, c.req.query('to'));
    } catch {
      target = resolveReturnUrl(config, undefined);
    }
    c.header('Cache-Control', 'no-store');
    const intent = c.req.query('payment_intent');
    if (!intent || !PAYMENT_INTENT_ID.test(intent)) {
      return c.redirect(withOutcome(target, 'checkout', 'error'), 302);
    }
    try {
      // The same idempotent change as the webhook: whichever comes first credits.
      const change = await prepareAutoRechargePayment(deps, intent);
      if (change) await deps.store.write(deps.clock.now(), change);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status < 500) throw err;
      deps.logger?.warn('auto-recharge return could not confirm the payment', {
        request_id: c.var.requestId,
        error: `${err.code}: ${err.message}`,
      });
      return c.redirect(withOutcome(target, 'checkout', 'error'), 302);
    }
    const succeeded = c.req.query('redirect_status') !== 'failed';
    return c.redirect(withOutcome(target, 'checkout', succeeded ? 'success' : 'error'), 302);
  });

  return app;
}
