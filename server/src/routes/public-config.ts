import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { contractRouter } from '../http/contract-router.ts';
import { formatCents } from '../money.ts';
import { publicOffer } from './public-offer.ts';

/** Where the emulator serves its Stripe.js stand-in (`STRIPE_JS_PATH` in stripe-emulator/src/pages/stripe-js.ts). */
const STRIPE_JS_PATH = '/v3/stripe-stand-in.js';

/** `GET /api/billing/config`: what a page needs before it knows who the user is (no token). */
export function publicConfigRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { config } = deps;
  const body = {
    currency: config.currency,
    ...publicOffer(config),
    publishable_key: config.stripePublishableKey,
    welcome_credit: formatCents(config.welcomeCreditCents),
    welcome_credit_cents: config.welcomeCreditCents,
    billing_enabled: config.billingEnabled,
    // The emulator serves a Stripe.js stand-in (stripe-emulator/src/pages/stripe-js.ts) that the
    // elements put on the page before loadStripe, which then uses it instead of js.stripe.com.
    stripe_js_url:
      config.emulatorMode && config.stripeApiBase ? `${config.stripeApiBase}${STRIPE_JS_PATH}` : null,
  };
  const routes = contractRouter();
  routes.openapi(api.config, (c) => c.json(body, 200));
  return routes;
}
