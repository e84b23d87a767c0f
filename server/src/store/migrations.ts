import { readdir, readFile } from 'node:fs/promises';
import type { Client } from '@libsql/client';
import { busyBackoffMs, isBusy, sleep } from './busy.ts';
import { integerOrNull } from './rows.ts';
import type { WriteConnection } from './write-connection.ts';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;
/**
 * How long a starting process waits for another one that is applying a migration (003 takes
 * about 5 s on a million ledger rows here, longer over a network) before it gives up.
 */
const MIGRATION_WAIT_MS = 120_000;
const CREATE_VERSIONS =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';
const IS_APPLIED = 'SELECT 1 FROM schema_migrations WHERE version = ?';
const RECORD = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)';

/** A numbered SQL file from `migrations/`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Reads `NNN_name.sql` files in version order; a duplicate number is a programming error. Numbers
 * may skip (branches reserve theirs ahead of merging), since each version is applied on its own.
 */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const version = Number(FILE_NAME.exec(name)![1]);
    const previous = migrations.at(-1)?.version ?? 0;
    if (version <= previous) throw new Error(`migration ${name} is out of sequence: expected > ${previous}`);
    migrations.push({ version, name, sql: await readFile(new URL(name, dir), 'utf8') });
  }
  return migrations;
}

/**
 * Applies every migration not yet recorded in `schema_migrations` through a libSQL client (a
 * remote database, or a file in tests), each in its own interactive write transaction, re-checking
 * inside it so two processes starting together apply each file once. The one that waits meets
 * SQLITE_BUSY while the other holds the lock, and tries again (start-up only: these are the only
 * interactive transactions the store runs).
 */
export async function applyMigrations(client: Client, migrations: Migration[]): Promise<number[]> {
  const deadline = performance.now() + MIGRATION_WAIT_MS;
  await whileBusy(deadline, () => client.execute(CREATE_VERSIONS));
  // One round trip on a store that is up to date; write transactions only for what is missing.
  const present = new Set(
    (await client.execute('SELECT version FROM schema_migrations')).rows.map((row) =>
      integerOrNull(row[0], 'schema_migrations.version'),
    ),
  );
  const applied: number[] = [];
  for (const migration of migrations.filter((m) => !present.has(m.version))) {
    const done = await whileBusy(deadline, async () => {
      const tx = await client.transaction('write');
      try {
        const found = await tx.execute({ sql: IS_APPLIED, args: [migration.version] });
        if (found.rows.length > 0) {
          // Ended explicitly: a stream merely closed may keep its write lock on the server for a while.
          await tx.rollback();
          return false;
        }
        await tx.executeMultiple(migration.sql);
        await tx.execute({
          sql: RECORD,
          args: [migration.version, migration.name, new Date().toISOString()],
        });
        await tx.commit();
        return true;
      } finally {
        tx.close();
      }
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

/** The same on a local store's write connection (synchronous inside each transaction). */
export async function applyMigrationsLocally(
  writer: WriteConnection,
  migrations: Migration[],
): Promise<number[]> {
  await writer.transaction((conn) => conn.exec(CREATE_VERSIONS), MIGRATION_WAIT_MS);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await writer.transaction((conn) => {
      const found = conn.run({ sql: IS_APPLIED, args: [migration.version] });
      if (integerOrNull(found.rows[0]?.[0], 'schema_migrations.version') !== null) return false;
      conn.exec(migration.sql);
      conn.run({ sql: RECORD, args: [migration.version, migration.name, new Date().toISOString()] });
      return true;
    }, MIGRATION_WAIT_MS);
    if (done) applied.push(migration.version);
  }
  await writer.lastFlush;
  return applied;
}

async function whileBusy<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isBusy(err) || performance.now() > deadline) throw err;
      await sleep(busyBackoffMs(tries, 50, 1000));
    }
  }
}
