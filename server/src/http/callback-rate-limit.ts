import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { RateLimits } from '../store/store.ts';
import { RateLimitedError } from './error-handler.ts';
import { RateLimiter } from './rate-limit.ts';

/** Visits of one session's links a minute: a reload or two, never hundreds. */
export const CALLBACKS_PER_SESSION_PER_MINUTE = 10;

/**
 * `/success` and `/cancel` are unauthenticated and `/success` may call Stripe, so each client
 * address and each session (id or ref) gets a small budget; past it, 429 with `Retry-After`.
 */
export function rateLimitCallbacks(
  buckets: RateLimits,
  config: Config,
  clock: Clock,
): MiddlewareHandler<AppEnv> {
  const byAddress = new RateLimiter(buckets, 'callback-address', config.callbackRateLimitPerMinute, clock);
  const bySession = new RateLimiter(buckets, 'callback-session', CALLBACKS_PER_SESSION_PER_MINUTE, clock);
  return async function rateLimitCallbacks(c, next) {
    const forwarded = config.trustProxy
      ? c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
      : undefined;
    const addressWait = await byAddress.take((forwarded || clientAddress(c.env)).slice(0, 64));
    if (addressWait !== null) throw new RateLimitedError(addressWait, 'this address');
    const session = c.req.query('session_id') ?? c.req.query('ref');
    if (session) {
      // Bounded key length: the limiter keeps keys, and a query string can be long.
      const wait = await bySession.take(session.slice(0, 300));
      if (wait !== null) throw new RateLimitedError(wait, 'this checkout session');
    }
    await next();
  };
}

/** The peer address from @hono/node-server's bindings; one shared key when there is no socket (tests). */
function clientAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}
