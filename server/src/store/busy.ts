import { LibsqlError } from '@libsql/client';

/** True for "database is locked" failures (SQLITE_BUSY and its extended codes) that a later attempt may not hit. */
export function isBusy(err: unknown): boolean {
  return (
    err instanceof LibsqlError &&
    (err.code.startsWith('SQLITE_BUSY') || /database is locked|SQLITE_BUSY/i.test(err.message))
  );
}

/** Busy timeout for local files: a second writer waits instead of failing (toolchain notes). */
export const BUSY_TIMEOUT_MS = 5000;

const MAX_BUSY_RETRIES = 4;

/**
 * Runs `attempt` again when it fails with a SQLITE_BUSY that came quickly (a lost race, not the
 * busy timeout running out), a few times with backoff. `attempt` must do nothing but database
 * work, since it may run more than once.
 */
export async function retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    const started = performance.now();
    try {
      return await attempt();
    } catch (err) {
      // After waiting out the whole busy timeout the store is held elsewhere: answer now (503)
      // instead of making the caller wait several timeouts more.
      const waitedOut = performance.now() - started >= BUSY_TIMEOUT_MS * 0.9;
      if (tries < MAX_BUSY_RETRIES && isBusy(err) && !waitedOut) {
        await new Promise((r) => setTimeout(r, 20 * 2 ** tries + Math.random() * 20));
        continue;
      }
      throw err;
    }
  }
}
