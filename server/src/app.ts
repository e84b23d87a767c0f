import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './app-env.ts';
import { requireBillingEnabled } from './http/billing-enabled.ts';
import { requestBodyLimit } from './http/body-limit.ts';
import { corsAllowList } from './http/cors.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { RateLimiter, rateLimitMutations } from './http/rate-limit.ts';
import { requestContext } from './http/request-context.ts';
import { requireUser } from './identity/require-user.ts';
import { silentLogger } from './logger.ts';
import { accountRoutes } from './routes/account.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { demoRoutes } from './routes/demo.ts';
import { flowRoutes } from './routes/flows.ts';
import { healthRoutes } from './routes/health.ts';
import { publicConfigRoutes } from './routes/public-config.ts';
import { serverApiRoutes } from './routes/server-api.ts';
import { webhookRoutes } from './routes/webhook.ts';
import { widgetBundleRoutes } from './routes/widget-bundle.ts';

export type { AppDeps, AppEnv } from './app-env.ts';

/** Widget-facing reads (user token). */
export const WIDGET_READS = ['credits', 'summary', 'transactions', 'subscription-access'] as const;

/** Widget-facing mutations (user token, BILLING_ENABLED, per-account rate limit). */
export const WIDGET_MUTATIONS = [
  'create-checkout-session',
  'create-customer-setup-session',
  'subscription-checkout-session',
  'cancel-subscription',
  'resume-subscription',
  'portal-session',
] as const;

/**
 * The billing server. Identity for the widget API is applied here, per path, for every widget
 * route (the API table in server/README.md), so routers only read `c.var.identity`. Sub-routers must attach their
 * own middleware per route, not with `use('*')`, which would leak onto every `/api/billing` path.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const logger = deps.logger ?? silentLogger;
  app.use('*', requestContext(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFound);

  app.route('/', healthRoutes(deps));
  app.route('/', widgetBundleRoutes());

  app.use('/api/billing/*', corsAllowList(deps.config), requestBodyLimit());
  const user = requireUser(deps);
  for (const path of WIDGET_READS) app.use(`/api/billing/${path}`, user);
  // has-payment-method is a read that calls Stripe: rate-limited, but answers false when billing is off.
  const limiter = rateLimitMutations(new RateLimiter(deps.config.rateLimitPerMinute, deps.clock));
  app.use('/api/billing/has-payment-method', user, limiter);
  const enabled = requireBillingEnabled(deps.config);
  for (const path of WIDGET_MUTATIONS) app.use(`/api/billing/${path}`, user, enabled, limiter);

  app.route('/api/billing', publicConfigRoutes(deps));
  app.route('/api/billing', accountRoutes(deps));
  app.route('/api/billing', serverApiRoutes(deps));
  app.route('/api/billing', flowRoutes(deps));
  app.route('/api/billing', callbackRoutes(deps));
  app.route('/api/billing', webhookRoutes(deps));
  // Demo page and /demo/token exist only against the emulator, never with real Stripe keys.
  if (deps.config.emulatorMode) app.route('/', demoRoutes(deps));
  return app;
}
