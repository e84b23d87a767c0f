import { readdir, readFile } from 'node:fs/promises';
import type { Client } from '@libsql/client';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** A numbered SQL file from `migrations/`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `NNN_name.sql` files in version order; a gap or duplicate number is a programming error. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
  const migrations: Migration[] = [];
  for (const [i, name] of names.entries()) {
    const version = Number(FILE_NAME.exec(name)![1]);
    if (version !== i + 1) throw new Error(`migration ${name} is out of sequence: expected ${i + 1}`);
    migrations.push({ version, name, sql: await readFile(new URL(name, dir), 'utf8') });
  }
  return migrations;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own write
 * transaction, re-checking inside it so two processes starting together apply each file once.
 */
export async function applyMigrations(client: Client, migrations: Migration[]): Promise<number[]> {
  await client.execute(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied: number[] = [];
  for (const migration of migrations) {
    const tx = await client.transaction('write');
    try {
      const done = await tx.execute({
        sql: 'SELECT 1 FROM schema_migrations WHERE version = ?',
        args: [migration.version],
      });
      if (done.rows.length === 0) {
        await tx.executeMultiple(migration.sql);
        await tx.execute({
          sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          args: [migration.version, migration.name, new Date().toISOString()],
        });
        applied.push(migration.version);
      }
      await tx.commit();
    } finally {
      tx.close();
    }
  }
  return applied;
}
