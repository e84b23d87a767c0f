import { type Client, createClient, type InStatement, LibsqlBatchError, LibsqlError } from '@libsql/client';
import { BUSY_TIMEOUT_MS, busyBackoffMs, isBusy, sleep } from './busy.ts';
import { applyMigrations, readMigrations } from './migrations.ts';
import { StatementFailure } from './operations.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import type { SqlConsole } from './store.ts';
import { SqlBillingStore } from './store-base.ts';
import { StoreError } from './store-errors.ts';

/** Attempts of one unit of work that lost the race for the write lock, before it fails (503). */
const MAX_BUSY_ATTEMPTS = 8;

/**
 * A store on a remote libSQL server (sqld, Turso; `libsql://`, `http(s)://`, `ws(s)://`), designed
 * for round trips. Over a network an interactive transaction holds the database's write lock for
 * as long as its round trips take (seconds, measured: the first top-up of a new account once failed
 * with SQLITE_BUSY because a webhook's transaction and the checkout's write each held it for over
 * one). So no unit of work is interactive here: its statements (operations.ts, which need no
 * application code between them) go as ONE `batch(…, 'write')`, a single request in which the
 * server runs BEGIN IMMEDIATE, the statements and COMMIT, holding the lock only while it executes
 * them. A unit that meets SQLITE_BUSY (another writer held the lock past the server's own busy
 * timeout) is sent again after a jittered backoff, a bounded number of times: nothing of a busy
 * batch was written. Reads that belong together go as one read batch (one round trip, one snapshot).
 */
export class RemoteStore extends SqlBillingStore {
  readonly kind = 'remote';
  readonly sql: SqlConsole;

  private constructor(
    private readonly client: Client,
    readonly location: string,
  ) {
    super();
    this.sql = {
      run: async (sql, args = []) => {
        try {
          const rs = await this.client.execute({ sql, args: [...args] });
          return {
            rows: rs.rows.map((row) => Object.fromEntries(rs.columns.map((c, i) => [c, row[i]]))),
            rowsAffected: rs.rowsAffected,
          };
        } catch (err) {
          throw storeError(err);
        }
      },
    };
  }

  /**
   * Connects and applies pending migrations (the only interactive transactions this store runs;
   * a process starting beside another waits for it: migrations.ts).
   */
  static async open(opts: { url: string; authToken?: string }): Promise<RemoteStore> {
    const client = createClient({ url: opts.url, authToken: opts.authToken });
    try {
      await applyMigrations(client, await readMigrations());
    } catch (err) {
      client.close();
      throw storeError(err);
    }
    return new RemoteStore(client, withoutCredentials(opts.url));
  }

  protected async read(statement: SqlStatement): Promise<StatementResult> {
    try {
      return resultOf(await this.client.execute(toClient(statement)));
    } catch (err) {
      throw storeError(err);
    }
  }

  protected async readTogether(statements: SqlStatement[]): Promise<StatementResult[]> {
    try {
      // 'deferred', not 'read': BEGIN TRANSACTION READONLY is sqld's dialect, not SQLite's.
      return (await this.client.batch(statements.map(toClient), 'deferred')).map(resultOf);
    } catch (err) {
      throw storeError(err);
    }
  }

  protected async runUnit(statements: SqlStatement[]): Promise<StatementResult[]> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.client.batch(statements.map(toClient), 'write')).map(resultOf);
      } catch (err) {
        const spent = performance.now() - started;
        if (isBusy(err) && attempt < MAX_BUSY_ATTEMPTS && spent < BUSY_TIMEOUT_MS) {
          await sleep(busyBackoffMs(attempt, 25, 1000));
          continue;
        }
        if (err instanceof LibsqlBatchError && !isBusy(err)) {
          throw new StatementFailure(err.statementIndex, err.code, err.message, { cause: err });
        }
        throw storeError(err);
      }
    }
  }

  /** True while the database takes a write: a write batch (BEGIN IMMEDIATE … COMMIT) gets through. */
  async ping(): Promise<boolean> {
    try {
      await this.client.batch(['SELECT 1'], 'write');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function toClient(statement: SqlStatement): InStatement {
  const args = statement.args;
  return {
    sql: statement.sql,
    args: Array.isArray(args) ? [...args] : { ...(args as Record<string, never>) },
  };
}

function resultOf(rs: { rows: ArrayLike<unknown>[]; rowsAffected: number }): StatementResult {
  return { rows: rs.rows, rowsAffected: rs.rowsAffected };
}

/** Any failure of the client (SQLite's, the protocol's, the network's) as the store reports it. */
function storeError(err: unknown): unknown {
  if (err instanceof StoreError || err instanceof StatementFailure) return err;
  if (err instanceof LibsqlError) return new StoreError(err.message, err.code, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError(`The remote database could not be reached: ${message}`, 'STORE_UNREACHABLE', {
    cause: err,
  });
}

/** The URL as logs may show it: no user, password or `authToken` parameter. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.searchParams.delete('authToken');
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/, '');
  }
}
