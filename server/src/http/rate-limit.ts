import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Clock } from '../clock.ts';
import { RateLimitedError } from './error-handler.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Per-account token bucket for widget mutations (each one may call Stripe): `perMinute`
 * requests a minute, bursts up to the same number, then 429 with `Retry-After`.
 * In-process: with several server processes each enforces its own budget.
 */
export class AccountRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly maxAccounts = 50_000,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one request from the account's budget; returns seconds to wait when there is none. */
  take(accountId: string): number | null {
    const nowMs = this.clock.now().getTime();
    let bucket = this.buckets.get(accountId);
    if (!bucket) {
      bucket = { tokens: this.perMinute, updatedMs: nowMs };
      if (this.buckets.size >= this.maxAccounts) {
        this.buckets.delete(this.buckets.keys().next().value as string);
      }
      this.buckets.set(accountId, bucket);
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

/** Middleware form of the limiter; runs after `requireUser` so it knows the account. */
export function rateLimitMutations(limiter: AccountRateLimiter): MiddlewareHandler<AppEnv> {
  return async function rateLimitMutations(c, next) {
    const accountId = c.var.identity?.accountId;
    if (accountId !== undefined) {
      const wait = limiter.take(accountId);
      if (wait !== null) throw new RateLimitedError(wait);
    }
    await next();
  };
}
