import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { formatCents } from '../money.ts';
import { publicOffer } from './public-offer.ts';

/** `GET /api/billing/config`: what a page needs before it knows who the user is (no token). */
export function publicConfigRoutes(deps: AppDeps): Hono<AppEnv> {
  const { config } = deps;
  const body = {
    currency: config.currency,
    ...publicOffer(config),
    publishable_key: config.stripePublishableKey,
    welcome_credit: formatCents(config.welcomeCreditCents),
    welcome_credit_cents: config.welcomeCreditCents,
    billing_enabled: config.billingEnabled,
  };
  const routes = new Hono<AppEnv>();
  routes.get('/config', (c) => c.json(body));
  return routes;
}
