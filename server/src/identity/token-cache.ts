import type { Identity } from './identity.ts';

/**
 * Tokens already verified, keyed by the full token string (signature included, so a forged
 * token never hits), kept until their `exp`. Bounded: the least recently used entry goes first.
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
    // Re-insert to mark it recently used (Map keeps insertion order).
    this.entries.delete(token);
    this.entries.set(token, entry);
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
