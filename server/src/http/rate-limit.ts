import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Clock } from '../clock.ts';
import type { RateLimits } from '../store/store.ts';
import { RateLimitedError } from './error-handler.ts';

/**
 * A token bucket per key (an account, a client address, a session): `perMinute` requests a
 * minute, bursts up to the same number, then 429 with `Retry-After`. The buckets live in the store
 * (store/rate-limits.ts), so several server processes on one database share each budget.
 */
export class RateLimiter {
  constructor(
    private readonly buckets: RateLimits,
    /** Keeps this limiter's keys apart from other limiters' in the shared table. */
    private readonly name: string,
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** Takes one request from the key's budget; answers seconds to wait when there is none. */
  take(key: string): Promise<number | null> {
    return this.buckets.take(`${this.name}:${key}`, this.perMinute, this.clock.now());
  }
}

/** Per-account widget mutations (each may call Stripe); runs after `requireUser` so it knows the account. */
export function rateLimitMutations(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async function rateLimitMutations(c, next) {
    const accountId = c.var.identity?.accountId;
    if (accountId !== undefined) {
      const wait = await limiter.take(accountId);
      if (wait !== null) throw new RateLimitedError(wait);
    }
    await next();
  };
}
