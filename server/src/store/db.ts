import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient, LibsqlError, type Transaction } from '@libsql/client';
import { type BalanceReader, createBalanceReader } from './balance-reader.ts';
import { applyMigrations, readMigrations } from './migrations.ts';
import { serializeWrites, type WriteLock, writeLockFor } from './write-lock.ts';

/** The billing store: a libSQL database with the schema migrated. */
export interface Store {
  /** Writes through this client are queued one at a time per file in this process (write-lock.ts). */
  client: Client;
  /** Fast single-row balance read (see balance-reader.ts). */
  balances: BalanceReader;
  close(): Promise<void>;
  /** True while the database can take a write (a store that only answers reads cannot record money). */
  ping(): Promise<boolean>;
}

/** Busy timeout for local files: a second writer waits instead of failing (toolchain notes). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the database at `url` and applies pending migrations. Local files
 * use WAL so readers never block the writer and two server processes can share one file.
 */
export async function openStore(opts: {
  url: string;
  authToken?: string;
  /** How long a write may wait for the in-process write queue (default 20 s; see write-lock.ts). */
  writeQueueTimeoutMs?: number;
}): Promise<Store> {
  const raw = createClient({ url: opts.url, authToken: opts.authToken, timeout: BUSY_TIMEOUT_MS });
  const lock = lockFor(opts.url);
  const client = lock ? serializeWrites(raw, lock, opts.writeQueueTimeoutMs ?? 20_000) : raw;
  try {
    if (opts.url.startsWith('file:') && !opts.url.includes(':memory:')) {
      await client.execute('PRAGMA journal_mode = WAL');
    }
    await applyMigrations(client, await readMigrations());
  } catch (err) {
    client.close();
    throw err;
  }
  const balances = createBalanceReader(client, opts.url);
  return {
    client,
    balances,
    async close() {
      balances.close();
      client.close();
    },
    async ping() {
      try {
        // Takes the write lock and gives it back: another process holding the file fails this.
        const probe = await client.transaction('write');
        await probe.rollback();
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Local files get a process-wide writer queue; remote databases arbitrate writers themselves. */
function lockFor(url: string): WriteLock | null {
  if (!url.startsWith('file:')) return null;
  const bare = url.split('?')[0]!;
  if (bare.includes(':memory:')) return writeLockFor(url);
  return writeLockFor(resolve(bare.startsWith('file://') ? fileURLToPath(bare) : bare.slice('file:'.length)));
}

const MAX_BUSY_RETRIES = 4;

/**
 * Runs `fn` in one write transaction: commits when it returns, rolls back when it throws.
 * A SQLITE_BUSY that came quickly (a lost race, not the busy timeout running out) retries the
 * whole function a few times, so `fn` must do nothing but database work.
 */
export async function inWriteTransaction<T>(store: Store, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let tx: Transaction | undefined;
    const started = performance.now();
    try {
      tx = await store.client.transaction('write');
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (err) {
      // After waiting out the whole busy timeout the store is held elsewhere: answer now (503)
      // instead of making the caller wait several timeouts more.
      const waitedOut = performance.now() - started >= BUSY_TIMEOUT_MS * 0.9;
      if (attempt < MAX_BUSY_RETRIES && isBusy(err) && !waitedOut) {
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
        continue;
      }
      throw err;
    } finally {
      tx?.close();
    }
  }
}

/** True for "database is locked" failures that a later attempt may not hit. */
export function isBusy(err: unknown): boolean {
  return (
    err instanceof LibsqlError &&
    (err.code.startsWith('SQLITE_BUSY') || /database is locked|SQLITE_BUSY/i.test(err.message))
  );
}
