/**
 * The database a server test runs on: a temp libSQL file, or with `BILLING_TEST_DB=remote` (set by
 * `npm run test:remote`) a fresh Hrana test server (remote-db.ts), so the same flows are proven on
 * the remote protocol that sqld and Turso speak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRemoteDatabase } from './remote-db.ts';

/** True when the tests run against a remote database (`BILLING_TEST_DB=remote`). */
export const REMOTE_TEST_DB = process.env.BILLING_TEST_DB === 'remote';

/** An empty database of its own for one test. */
export interface TestDatabase {
  /** `file:/tmp/…/billing.db`, or `http://127.0.0.1:PORT` in remote mode. */
  url: string;
  remote: boolean;
  /** Removes the file, or stops the Hrana test server. */
  close(): Promise<void>;
}

/** A fresh database in the mode the environment asks for. */
export async function openTestDatabase(): Promise<TestDatabase> {
  if (REMOTE_TEST_DB) {
    const remote = await startRemoteDatabase();
    return { url: remote.url, remote: true, close: remote.stop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'billing-test-db-'));
  return {
    url: `file:${join(dir, 'billing.db')}`,
    remote: false,
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
