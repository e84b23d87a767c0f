import { integer, real } from './rows.ts';
import type { SqlStatement, StatementResult } from './sql.ts';

/** A bucket refills completely within a minute; an older row is the same as none. */
export const FULL_REFILL_MS = 60_000;
/** How often one store sweeps such rows away. */
const SWEEP_EVERY_MS = 60_000;

/**
 * A token bucket per key, `perMinute` requests a minute with bursts of the same size, kept in the
 * store so every server process on the database draws from the same budget (N processes allow the
 * limit once, not N times). One UPSERT refills the bucket for the time since its last use, takes a
 * token when there is one, and answers what it did: one statement, so two processes taking from
 * one bucket at the same moment are serialised by the database like any other write.
 *
 * Times come from the caller's clock (the server's injected clock), never SQLite's, so tests can
 * move them; a clock that went backwards refills nothing.
 */
export function takeTokenStatements(
  key: string,
  perMinute: number,
  nowMs: number,
  sweep: boolean,
): SqlStatement[] {
  const statements: SqlStatement[] = [];
  if (sweep) {
    statements.push({
      sql: 'DELETE FROM rate_limits WHERE updated_ms < :before',
      args: { before: nowMs - FULL_REFILL_MS },
    });
  }
  statements.push({
    sql: `INSERT INTO rate_limits (key, tokens, updated_ms, granted) VALUES (:key, :capacity - 1, :now, 1)
          ON CONFLICT (key) DO UPDATE SET
            tokens = min(:capacity, tokens + max(0, :now - updated_ms) * :refill)
                     - (min(:capacity, tokens + max(0, :now - updated_ms) * :refill) >= 1),
            granted = min(:capacity, tokens + max(0, :now - updated_ms) * :refill) >= 1,
            updated_ms = max(updated_ms, :now)
          RETURNING tokens, granted`,
    args: { key, capacity: perMinute, now: nowMs, refill: perMinute / FULL_REFILL_MS },
    oneRow: true,
  });
  return statements;
}

/** Seconds to wait before the next token (at least 1), or null when a token was taken. */
export function waitFromResult(results: StatementResult[], perMinute: number): number | null {
  const row = results.at(-1)!.rows[0]!;
  if (integer(row[1], 'rate_limits.granted') === 1) return null;
  const tokens = real(row[0], 'rate_limits.tokens');
  return Math.max(1, Math.ceil((1 - tokens) / (perMinute / FULL_REFILL_MS) / 1000));
}

/** Decides when this store last swept, so each process sweeps about once a minute. */
export class SweepSchedule {
  private lastMs = Number.NEGATIVE_INFINITY;

  due(nowMs: number): boolean {
    if (nowMs - this.lastMs < SWEEP_EVERY_MS && nowMs >= this.lastMs) return false;
    this.lastMs = nowMs;
    return true;
  }
}
