import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { contractRouter } from '../http/contract-router.ts';
import { formatCents } from '../money.ts';
import { publicOffer } from './public-offer.ts';

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
  };
  const routes = contractRouter();
  routes.openapi(api.config, (c) => c.json(body, 200));
  return routes;
}
