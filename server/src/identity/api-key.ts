import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { requestHeader } from '../http/request-header.ts';
import { bearerToken } from './bearer.ts';

/** Compares digests so neither the content nor the length of the key leaks through timing. */
export function apiKeyMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Server-to-server routes: `Authorization: Bearer <BILLING_API_KEY>`, else 401. */
export function requireApiKey(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function requireApiKey(c, next) {
    const key = bearerToken(requestHeader(c, 'authorization'));
    if (key === null || !apiKeyMatches(key, deps.config.apiKey)) {
      throw new ApiError(
        401,
        'invalid_api_key',
        'Send the billing API key as "Authorization: Bearer <key>".',
      );
    }
    await next();
  };
}
