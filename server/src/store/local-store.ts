import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BalanceReader, createBalanceReader } from './balance-reader.ts';
import { BUSY_TIMEOUT_MS } from './busy.ts';
import { CachedConnection, toStoreError } from './cached-connection.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { applyMigrationsLocally, readMigrations } from './migrations.ts';
import { balanceOf } from './queries.ts';
import { takeTokenStatements, waitFromResult } from './rate-limits.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import type { RateLimits, SqlConsole } from './store.ts';
import { SqlBillingStore } from './store-base.ts';
import { WriteConnection } from './write-connection.ts';

/**
 * A store in a local SQLite file (or in memory, for tests), through the `libsql` driver directly.
 * Its speed comes from three things, each in its own file:
 * - group commit (group-commit.ts): units of work waiting together share one COMMIT and fsync;
 * - statements prepared once (cached-connection.ts), on a write connection and a read connection;
 * - the `/credits` balance read checked against the WAL index (balance-reader.ts);
 * - rate-limit buckets written on a connection that does not wait for an fsync (`rateLimits`).
 * Several processes may share one file (WAL mode): each writes through its own group commit and
 * waits for the others' write lock without blocking its event loop (write-connection.ts).
 */
export class LocalStore extends SqlBillingStore {
  readonly kind = 'local';
  readonly sql: SqlConsole;

  private constructor(
    readonly location: string,
    private readonly writer: WriteConnection,
    private readonly group: GroupCommit,
    /** Plain reads: a read-only connection of their own; the write connection in memory. */
    private readonly reads: CachedConnection,
    private readonly balances: BalanceReader | null,
    /** The SQL console's connection: its own for a file (so a PRAGMA there stays there). */
    private readonly console: CachedConnection,
    /** Rate-limit buckets' connection (synchronous=NORMAL); the write connection in memory. */
    private readonly limits: WriteConnection,
  ) {
    super();
    this.sql = {
      run: async (sql, args = []) => {
        try {
          const result = console.run({ sql, args });
          const columns = console.columns(sql);
          return {
            rows: result.rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))),
            rowsAffected: result.rowsAffected,
          };
        } catch (err) {
          throw toStoreError(err);
        }
      },
    };
  }

  /**
   * Opens (creating if needed) the database at `url` (`file:…`, `:memory:`, `file::memory:`), puts
   * a file in WAL mode so readers never block the writer and several processes can share it, and
   * applies pending migrations.
   */
  static async open(opts: { url: string; groupCommit?: GroupCommitOptions }): Promise<LocalStore> {
    const path = localFilePath(opts.url);
    const writer = new WriteConnection(path ?? ':memory:');
    let reads: CachedConnection | null = null;
    let balances: BalanceReader | null = null;
    let console: CachedConnection | null = null;
    let limits: WriteConnection | null = null;
    try {
      writer.open(path !== null);
      await applyMigrationsLocally(writer, await readMigrations());
      if (path !== null) {
        reads = new CachedConnection(path, { timeout: BUSY_TIMEOUT_MS, readonly: true, fileMustExist: true });
        balances = createBalanceReader(path);
        console = new CachedConnection(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
        limits = new WriteConnection(path, { synchronous: 'NORMAL' });
      }
    } catch (err) {
      limits?.close();
      console?.close();
      balances?.close();
      reads?.close();
      writer.close();
      throw toStoreError(err);
    }
    const group = new GroupCommit(writer, opts.groupCommit);
    const own = writer.connection;
    return new LocalStore(
      path ?? ':memory:',
      writer,
      group,
      reads ?? own,
      balances,
      console ?? own,
      limits ?? writer,
    );
  }

  /** After any commit still being made durable (wal-sync.ts): never act on what a power cut may undo. */
  protected async read(statement: SqlStatement): Promise<StatementResult> {
    await this.group.durable();
    return this.readNow(statement);
  }

  protected async readTogether(statements: SqlStatement[]): Promise<StatementResult[]> {
    await this.group.durable();
    return statements.map((s) => this.readNow(s));
  }

  protected runUnit(statements: SqlStatement[]): Promise<StatementResult[]> {
    return this.group.run(statements);
  }

  /** Synchronous: the hot read of `GET /credits` never waits for a promise. */
  override balance(accountId: string): number | null | Promise<number | null> {
    try {
      if (this.balances) return this.balances.read(accountId);
      const query = balanceOf(accountId);
      return query.decode(this.readNow(query.statement));
    } catch (err) {
      return Promise.reject(toStoreError(err));
    }
  }

  /**
   * Rate-limit takes do not join the group commit: each is its own short transaction on a
   * connection with `synchronous=NORMAL`, which in WAL mode commits without waiting for an fsync
   * (a power cut may forget the last few takes, never corrupt the file; the money written by the
   * group commit keeps its own fsync). A take costs tens of microseconds instead of a group
   * commit's 3–7 ms wait, and every mutation and Stripe return link makes one or two. The buckets
   * are rows of the shared file, so every process on it draws from the same budget.
   */
  override readonly rateLimits: RateLimits = {
    take: async (key, perMinute, now) => {
      const nowMs = now.getTime();
      const statements = takeTokenStatements(key, perMinute, nowMs, this.sweeps.due(nowMs));
      let results: StatementResult[];
      try {
        results = await this.limits.transaction((conn) => statements.map((s) => conn.run(s)));
      } catch (err) {
        throw toStoreError(err);
      }
      return waitFromResult(results, perMinute);
    },
  };

  /** True when this process can take the file's write lock (another process may hold it). */
  async ping(): Promise<boolean> {
    try {
      await this.group.run([]);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.group.close();
    this.balances?.close();
    this.reads.close();
    this.console.close();
    this.limits.close();
    this.writer.close();
  }

  private readNow(statement: SqlStatement): StatementResult {
    try {
      return this.reads.run(statement);
    } catch (err) {
      // A failed read must not leave a statement holding an old snapshot.
      this.reads.reset();
      throw toStoreError(err);
    }
  }
}

/** The absolute path of a `file:` URL; null for an in-memory database. */
export function localFilePath(url: string): string | null {
  if (url === ':memory:' || url.includes(':memory:') || url.includes('mode=memory')) return null;
  if (!url.startsWith('file:')) throw new Error(`not a local database URL: ${url}`);
  const bare = url.split('?')[0]!;
  return resolve(bare.startsWith('file://') ? fileURLToPath(bare) : bare.slice('file:'.length));
}
