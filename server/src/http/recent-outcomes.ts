import type { Clock } from '../clock.ts';

/**
 * Keys remembered for a short time (e.g. "this Checkout session is not paid"), so a burst of
 * identical requests is answered without asking Stripe again. Bounded: the oldest key goes first.
 */
export class RecentOutcomes {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {}

  remember(key: string): void {
    this.until.delete(key);
    if (this.until.size >= this.maxKeys) this.until.delete(this.until.keys().next().value as string);
    this.until.set(key, this.clock.now().getTime() + this.ttlMs);
  }

  has(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.clock.now().getTime()) return true;
    this.until.delete(key);
    return false;
  }
}
