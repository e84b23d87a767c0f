/**
 * How long a write waits for another holder of the database's write lock (another process on
 * the same file, another server on a remote database) before it fails with SQLITE_BUSY (503).
 */
export const BUSY_TIMEOUT_MS = 5000;

/** True for "database is locked" failures (SQLITE_BUSY and its extended codes), from either driver. */
export function isBusy(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) ||
    /database is locked|SQLITE_BUSY/i.test(err.message)
  );
}

/**
 * The wait before attempt `attempt + 1` after a lost race for the write lock: exponential from
 * `baseMs`, capped at `maxMs`, with full jitter so writers that collided do not collide again.
 */
export function busyBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
