import Database from 'libsql';
import type { SqlStatement, StatementResult } from './sql.ts';
import { StoreError } from './store-errors.ts';

/** A statement prepared once, and whether it answers rows (a SELECT, or a write with RETURNING). */
interface CachedStatement {
  statement: Database.Statement;
  reader: boolean;
}

/** Enough for every statement the server runs; past it the cache starts over. */
const MAX_CACHED_STATEMENTS = 512;

/**
 * Statements prepared once: one `libsql` connection to a local file (or memory) that keeps each
 * statement it has prepared. Through `@libsql/client` a local statement is prepared and described
 * on every call (35–80 µs, and a write also throws and catches an error inside the driver); a
 * cached statement runs in 4–13 µs, which is most of what a write unit costs here (a /usage debit
 * is four statements). Rows come as arrays in column order, decoded by the store (rows.ts).
 */
export class CachedConnection {
  private connection: Database.Database | null = null;
  private readonly statements = new Map<string, CachedStatement>();
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly options: {
      timeout: number;
      readonly?: boolean;
      fileMustExist?: boolean;
      /** SQL run on every connection this opens (per-connection PRAGMAs survive a `reset`). */
      setup?: string;
    },
  ) {}

  /** The open connection, opened on first use (and again after `reset`). */
  get db(): Database.Database {
    if (this.closed) throw new StoreError('The store is closed.', 'STORE_CLOSED');
    if (this.connection === null || !this.connection.open) {
      this.statements.clear();
      try {
        const { setup, ...options } = this.options;
        this.connection = new Database(this.path, options);
        if (setup) this.connection.exec(setup);
      } catch (err) {
        throw toStoreError(err);
      }
    }
    return this.connection;
  }

  /** True while a transaction is open on this connection. */
  get inTransaction(): boolean {
    return this.connection?.open === true && this.connection.inTransaction;
  }

  /** Runs one statement with its cached prepared statement; SQLite's errors are thrown as they come. */
  run(stmt: SqlStatement): StatementResult {
    const cached = this.prepared(stmt.sql);
    const args = stmt.args as unknown[] | Record<string, unknown>;
    if (!cached.reader) {
      return { rows: [], rowsAffected: cached.statement.run(args).changes };
    }
    if (stmt.oneRow) {
      const row = cached.statement.get(args) as unknown[] | undefined;
      return { rows: row === undefined ? [] : [row], rowsAffected: 0 };
    }
    const rows = cached.statement.all(args) as unknown[][];
    return { rows, rowsAffected: 0 };
  }

  /** The column names of a statement's rows (prepared once, like the statement). */
  columns(sql: string): string[] {
    const cached = this.prepared(sql);
    return cached.reader ? cached.statement.columns().map((c) => c.name) : [];
  }

  /** Runs SQL text without preparing it for reuse (BEGIN, COMMIT, SAVEPOINT: about 1 µs). */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * Drops the connection and its statements; the next use opens a fresh one. After an unexpected
   * SQLite error nothing a failed statement left behind (an open read, a transaction) reaches the
   * next caller.
   */
  reset(): void {
    const db = this.connection;
    if (this.path === ':memory:' && !this.closed) {
      // The database is the connection: keep it, ending only what was left open.
      if (db?.open && db.inTransaction) db.exec('ROLLBACK');
      return;
    }
    this.statements.clear();
    this.connection = null;
    if (!db?.open) return;
    try {
      // A closed connection lives on until its statements are collected: never with a transaction.
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // closing below ends it anyway
    } finally {
      db.close();
    }
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  private prepared(sql: string): CachedStatement {
    let cached = this.statements.get(sql);
    if (cached === undefined) {
      const statement = this.db.prepare(sql);
      const reader = statement.reader;
      if (reader) statement.raw(true);
      cached = { statement, reader };
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, cached);
    }
    return cached;
  }
}

/** SQLite's extended result code name of an error from the local driver (`SQLITE_BUSY`, …). */
export function sqliteCode(err: unknown): string | null {
  return err instanceof Database.SqliteError ? err.code : null;
}

/** A local driver error as the store reports it. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  if (err instanceof Database.SqliteError) return new StoreError(err.message, err.code, { cause: err });
  return err;
}
