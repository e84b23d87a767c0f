import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Config } from '../config.ts';
import { requestHeader } from './request-header.ts';

const ALLOW_METHODS = 'GET, POST, PUT, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Request-Id, Idempotency-Key';
const EXPOSE_HEADERS = 'X-Request-Id, Retry-After';

/**
 * CORS for the widget API: only origins on `BILLING_ALLOWED_ORIGINS` get CORS headers, so a page
 * elsewhere cannot read answers (tokens travel in a header, never cookies). Headers are prepared
 * before the handler runs rather than patched onto the finished response, which keeps the hot
 * `/credits` path free of per-request Headers objects.
 */
export function corsAllowList(config: Config): MiddlewareHandler<AppEnv> {
  const allowed = new Set(config.allowedOrigins);
  return async function corsAllowList(c, next) {
    const origin = requestHeader(c, 'origin');
    const allowedOrigin = origin !== undefined && allowed.has(origin) ? origin : null;
    if (c.req.method === 'OPTIONS' && origin !== undefined) {
      const headers: Record<string, string> = { Vary: 'Origin' };
      if (allowedOrigin !== null) {
        headers['Access-Control-Allow-Origin'] = allowedOrigin;
        headers['Access-Control-Allow-Methods'] = ALLOW_METHODS;
        headers['Access-Control-Allow-Headers'] = ALLOW_HEADERS;
        headers['Access-Control-Max-Age'] = '600';
      }
      return c.body(null, 204, headers);
    }
    c.header('Vary', 'Origin');
    if (allowedOrigin !== null) {
      c.header('Access-Control-Allow-Origin', allowedOrigin);
      c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    await next();
  };
}
