import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Clock } from '../clock.ts';
import { RateLimitedError } from './error-handler.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per key (an account, a client address, a session): `perMinute` requests a
 * minute, bursts up to the same number, then 429 with `Retry-After`. The oldest key is dropped
 * past `maxKeys`, so memory stays bounded whatever an attacker sends.
 * In-process: with several server processes each enforces its own budget.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly maxKeys = 50_000,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one request from the key's budget; returns seconds to wait when there is none. */
  take(key: string): number | null {
    const nowMs = this.clock.now().getTime();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.perMinute, updatedMs: nowMs };
      if (this.buckets.size >= this.maxKeys) {
        this.buckets.delete(this.buckets.keys().next().value as string);
      }
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.updatedMs) * this.refillPerMs);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }
}

/** Per-account widget mutations (each may call Stripe); runs after `requireUser` so it knows the account. */
export function rateLimitMutations(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async function rateLimitMutations(c, next) {
    const accountId = c.var.identity?.accountId;
    if (accountId !== undefined) {
      const wait = limiter.take(accountId);
      if (wait !== null) throw new RateLimitedError(wait);
    }
    await next();
  };
}
