import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';
import Database from 'libsql';

/** Reads one account's balance in cents, or null when the account does not exist. */
export interface BalanceReader {
  /** Synchronous for local files (a prepared statement), a promise for remote databases. */
  read(accountId: string): number | null | Promise<number | null>;
  close(): void;
}

const SQL = 'SELECT balance_cents FROM accounts WHERE id = ?';

/**
 * The hot path of `GET /credits`. For a local file it keeps one read-only connection with the
 * statement prepared once: no cache, so a write by another process is visible on the next read
 * (WAL readers see every committed transaction).
 */
export function createBalanceReader(client: Client, url: string): BalanceReader {
  const path = localPath(url);
  if (path === null) {
    return {
      async read(accountId) {
        const rs = await client.execute({ sql: SQL, args: [accountId] });
        return rs.rows.length === 0 ? null : Number(rs.rows[0]!.balance_cents);
      },
      close() {},
    };
  }
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  // raw(): rows as arrays; libsql's statements do not implement better-sqlite3's pluck().
  const statement = db.prepare<[string]>(SQL).raw();
  return {
    read(accountId) {
      const row = statement.get(accountId) as [number] | undefined;
      return row === undefined ? null : Number(row[0]);
    },
    close() {
      db.close();
    },
  };
}

/** The file path of a `file:` URL, or null for memory and remote databases. */
function localPath(url: string): string | null {
  if (!url.startsWith('file:') || url.includes(':memory:') || url.includes('mode=memory')) return null;
  const bare = url.split('?')[0]!;
  if (bare.startsWith('file://')) return fileURLToPath(bare);
  return bare.slice('file:'.length);
}
