import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HranaTestServer, hranaUnavailable, startHranaTestServer } from './hrana-test-server.ts';
import { openStore } from './open-store.ts';
import type { BillingStore } from './store.ts';

/** One way of opening a fresh, empty store for a contract test. */
export interface StoreKind {
  name: string;
  /** Why this kind is skipped here (its server cannot run), or false. */
  skip: string | false;
  open(): Promise<{ store: BillingStore; cleanup(): Promise<void> }>;
  /** Stops what the kind started for the whole file (a server); call once after the tests. */
  teardown(): Promise<void>;
}

/** Every table a test may write, children first. */
const TABLES = [
  'ledger_entries',
  'accounts',
  'billing_sessions',
  'subscription_access',
  'subscriptions',
  'webhook_events',
];

/** The implementations every store contract test runs against: a temp file, and a remote server. */
export function storeKinds(): StoreKind[] {
  return [localFile(), remote()];
}

function localFile(): StoreKind {
  return {
    name: 'local file',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'billing-contract-'));
      const store = await openStore({ url: `file:${join(dir, 'billing.db')}` });
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async teardown() {},
  };
}

/**
 * A remote store on the Hrana test server: one server (about a second to start) for the whole
 * file, its tables emptied before each test.
 */
function remote(): StoreKind {
  let server: Promise<{ hrana: HranaTestServer; dir: string }> | null = null;
  const skip = hranaUnavailable();
  return {
    name: 'remote (Hrana test server)',
    skip: skip ? `skipped: ${skip}` : false,
    async open() {
      server ??= (async () => {
        const dir = mkdtempSync(join(tmpdir(), 'billing-contract-remote-'));
        return { hrana: await startHranaTestServer(join(dir, 'remote.db')), dir };
      })();
      const { hrana } = await server;
      const store = await openStore({ url: hrana.url });
      for (const table of TABLES) await store.sql.run(`DELETE FROM ${table}`);
      return { store, cleanup: () => store.close() };
    },
    async teardown() {
      if (!server) return;
      const { hrana, dir } = await server;
      await hrana.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
