import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../app-env.ts';
import type { Config } from '../config.ts';

/**
 * CORS for the widget API: only origins on `BILLING_ALLOWED_ORIGINS` get CORS headers, so a
 * page elsewhere cannot read answers. Tokens travel in a header, never cookies.
 */
export function corsAllowList(config: Config): MiddlewareHandler<AppEnv> {
  const allowed = new Set(config.allowedOrigins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}
