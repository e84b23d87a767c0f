import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient, type Transaction } from '@libsql/client';
import { type BalanceReader, createBalanceReader } from './balance-reader.ts';
import { BUSY_TIMEOUT_MS, retryWhileBusy } from './busy.ts';
import { CachedConnection } from './cached-connection.ts';
import { GroupCommit } from './group-commit.ts';
import { applyMigrations, readMigrations } from './migrations.ts';
import { WriteConnection } from './write-connection.ts';
import { serializeWrites, type WriteLock, writeLockFor } from './write-lock.ts';

export { isBusy } from './busy.ts';

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

/** The group committer of each local store's client (see group-commit.ts); remote stores have none. */
const groupCommits = new WeakMap<Client, GroupCommit>();

/**
 * Opens (creating if needed) the database at `url` and applies pending migrations. Local files
 * use WAL so readers never block the writer and two server processes can share one file.
 */
export async function openDatabase(opts: {
  url: string;
  authToken?: string;
  /** How long a write may wait for the in-process write queue (default 20 s; see write-lock.ts). */
  writeQueueTimeoutMs?: number;
}): Promise<Store> {
  const raw = createClient({ url: opts.url, authToken: opts.authToken, timeout: BUSY_TIMEOUT_MS });
  const lock = lockFor(opts.url);
  const queueTimeoutMs = opts.writeQueueTimeoutMs ?? 20_000;
  // A file also gets a connection for plain reads with statements prepared once (cached-connection.ts).
  const path = localFilePath(opts.url);
  const reads =
    path === null ? null : new CachedConnection(path, { timeout: BUSY_TIMEOUT_MS, readonly: true });
  const client = lock ? serializeWrites(raw, lock, queueTimeoutMs, reads) : raw;
  try {
    if (opts.url.startsWith('file:') && !opts.url.includes(':memory:')) {
      await client.execute('PRAGMA journal_mode = WAL');
    }
    await applyMigrations(client, await readMigrations());
  } catch (err) {
    reads?.close();
    client.close();
    throw err;
  }
  // Writers of one process are serialised by `lock` anyway; grouping them shares each fsync. A file
  // gets its own write connection with cached statements; an in-memory database has one connection.
  const writer = lock && path !== null ? new WriteConnection(path, lock, queueTimeoutMs) : null;
  if (lock) {
    const begin = writer ? () => writer.begin() : () => client.transaction('write');
    groupCommits.set(client, new GroupCommit({ begin, queueTimeoutMs }));
  }
  const balances = createBalanceReader(client, opts.url);
  return {
    client,
    balances,
    async close() {
      balances.close();
      writer?.close();
      reads?.close();
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
  return writeLockFor(localFilePath(url) ?? url);
}

/** The absolute path of a `file:` URL; null for remote and in-memory databases. */
function localFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  const bare = url.split('?')[0]!;
  if (bare.includes(':memory:') || url.includes('mode=memory')) return null;
  return resolve(bare.startsWith('file://') ? fileURLToPath(bare) : bare.slice('file:'.length));
}

/**
 * Runs `fn` in one write transaction: its writes commit when it returns and roll back when it
 * throws, and the answer comes once they are durable. On a local file, transactions waiting at
 * the same moment share one COMMIT, each in its own savepoint (group-commit.ts). A SQLITE_BUSY
 * that came quickly (a lost race with another process) runs `fn` again, so `fn` must do nothing
 * but database work on `tx`: read Stripe before, not inside.
 */
export function inWriteTransaction<T>(store: Store, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const group = groupCommits.get(store.client);
  if (group) return group.run(fn);
  return retryWhileBusy(async () => {
    const tx = await store.client.transaction('write');
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } finally {
      tx.close();
    }
  });
}
