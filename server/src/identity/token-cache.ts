import type { Identity } from './identity.ts';

/**
 * Tokens already verified, keyed by the full token string (signature included, so a forged
 * token never hits), kept until their `exp`. Bounded: when full, the oldest entry goes first
 * (tokens are short-lived, so age is a fair proxy for use, and a hit costs one lookup).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { identity: Identity; expMs: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, nowMs: number): Identity | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.expMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.identity;
  }

  set(token: string, identity: Identity, expMs: number): void {
    this.entries.delete(token);
    this.entries.set(token, { identity, expMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
