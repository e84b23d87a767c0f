import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './app-env.ts';
import { requestBodyLimit } from './http/body-limit.ts';
import { corsAllowList } from './http/cors.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { requestContext } from './http/request-context.ts';
import { silentLogger } from './logger.ts';
import { accountRoutes } from './routes/account.ts';
import { registerApiReference } from './routes/api-reference.ts';
import { autoRechargeRoutes } from './routes/auto-recharge.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { demoRoutes } from './routes/demo.ts';
import { flowRoutes } from './routes/flows.ts';
import { healthRoutes } from './routes/health.ts';
import { publicConfigRoutes } from './routes/public-config.ts';
import { serverApiRoutes } from './routes/server-api.ts';
import { webhookRoutes } from './routes/webhook.ts';
import { widgetBundleRoutes } from './routes/widget-bundle.ts';

export type { AppDeps, AppEnv } from './app-env.ts';

/**
 * The billing server. Each route says what it needs in its own router (the user token,
 * BILLING_ENABLED, a rate-limit budget, the API key), and the routes of `/api/billing` are the
 * contract's (`contract/routes.ts`): requests are validated before a handler runs and the same
 * declarations write `/api/billing/openapi.json`.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const logger = deps.logger ?? silentLogger;
  app.use('*', requestContext(logger));
  app.onError(errorHandler(logger));
  app.notFound(notFound);

  app.route('/', healthRoutes(deps));
  app.route('/', widgetBundleRoutes());

  app.use('/api/billing/*', corsAllowList(deps.config), requestBodyLimit());
  // One budget per account shared by every widget route that may call Stripe.
  const limiter = new RateLimiter(
    deps.store.rateLimits,
    'mutation',
    deps.config.rateLimitPerMinute,
    deps.clock,
  );

  app.route('/api/billing', publicConfigRoutes(deps));
  app.route('/api/billing', accountRoutes(deps, limiter));
  app.route('/api/billing', serverApiRoutes(deps));
  app.route('/api/billing', flowRoutes(deps, limiter));
  app.route('/api/billing', autoRechargeRoutes(deps, limiter));
  app.route('/api/billing', callbackRoutes(deps));
  app.route('/api/billing', webhookRoutes(deps));
  // Demo page and /demo/token exist only against the emulator, never with real Stripe keys.
  if (deps.config.emulatorMode) app.route('/', demoRoutes(deps));
  registerApiReference(app, '/api/billing', deps.config.publicUrl);
  return app;
}
