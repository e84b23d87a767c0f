import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RemoteDatabase, remoteDatabaseUnavailable, startRemoteDatabase } from '../../test/remote-db.ts';
import { openStore } from './open-store.ts';
import type { BillingStore } from './store.ts';

/** One way of opening a fresh, empty store for a contract test. */
export interface StoreKind {
  name: string;
  /** Why this kind is skipped here (its server cannot run), or false. */
  skip: string | false;
  open(): Promise<OpenedStore>;
  /** Stops what the kind started for the whole file (a server); call once after the tests. */
  teardown(): Promise<void>;
}

/** A fresh store, and a way to open another on the same database (as another process would). */
export interface OpenedStore {
  store: BillingStore;
  /** Another store on the same database, closed by `cleanup`. */
  another(): Promise<BillingStore>;
  cleanup(): Promise<void>;
}

/** Every table a test may write, children first. */
const TABLES = [
  'auto_recharge_attempts',
  'auto_recharge_settings',
  'ledger_entries',
  'accounts',
  'billing_sessions',
  'subscription_access',
  'subscriptions',
  'webhook_events',
  'rate_limits',
  'reconcile_checkpoints',
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
      const url = `file:${join(dir, 'billing.db')}`;
      const stores = [await openStore({ url })];
      return {
        store: stores[0]!,
        another: async () => stores[stores.push(await openStore({ url })) - 1]!,
        async cleanup() {
          for (const store of stores) await store.close();
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
  let server: Promise<RemoteDatabase> | null = null;
  const skip = remoteDatabaseUnavailable();
  return {
    name: 'remote (Hrana test server)',
    skip: skip ? `skipped: ${skip}` : false,
    async open() {
      server ??= startRemoteDatabase();
      const hrana = await server;
      const stores = [await openStore({ url: hrana.url })];
      for (const table of TABLES) await stores[0]!.sql.run(`DELETE FROM ${table}`);
      return {
        store: stores[0]!,
        another: async () => stores[stores.push(await openStore({ url: hrana.url })) - 1]!,
        async cleanup() {
          for (const store of stores) await store.close();
        },
      };
    },
    async teardown() {
      if (server) await (await server).stop();
    },
  };
}
