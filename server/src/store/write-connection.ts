import {
  type InArgs,
  type InStatement,
  type InValue,
  LibsqlBatchError,
  LibsqlError,
  type ResultSet,
  type Row,
  type Transaction,
  type Value,
} from '@libsql/client';
import Database from 'libsql';
import { BUSY_TIMEOUT_MS } from './busy.ts';
import type { WriteLock } from './write-lock.ts';

/** A statement prepared once on the write connection, with what describing it costs worked out once. */
interface CachedStatement {
  statement: Database.Statement;
  reader: boolean;
  columns: string[];
  columnTypes: string[];
}

/** Enough for every statement the server writes with; past it the cache starts over. */
const MAX_CACHED_STATEMENTS = 256;

/**
 * The connection group commits run on (group-commit.ts): one libSQL connection of a local file,
 * kept apart from the client's pool, with each statement prepared once. Through @libsql/client a
 * statement is prepared, described and, for a write, probed with a thrown error on every call
 * (35–80 µs); a cached statement runs in 4–13 µs, and a webhook runs about ten of them.
 *
 * Results and errors have the client's shapes (`ResultSet` rows readable by name and index,
 * integers as numbers, `LibsqlError` with SQLite's codes), so callers cannot tell the difference.
 * A transaction holds the process's write queue (write-lock.ts) from BEGIN to its end, exactly as
 * a client transaction does. Any SQLite error (a BUSY above all, see commit 3b566ad) closes the
 * connection once the transaction ends, so nothing a failed statement left behind reaches the next.
 */
export class WriteConnection {
  private db: Database.Database | null = null;
  private readonly statements = new Map<string, CachedStatement>();
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly lock: WriteLock,
    private readonly queueTimeoutMs: number,
    /** How long BEGIN waits for another process's write lock before SQLITE_BUSY. */
    private readonly busyTimeoutMs = BUSY_TIMEOUT_MS,
  ) {}

  /** Waits for the write queue, then `BEGIN IMMEDIATE`; the transaction gives the queue back when it ends. */
  async begin(): Promise<Transaction> {
    const release = await this.lock.acquire(this.queueTimeoutMs);
    try {
      const db = this.open();
      execOn(db, 'BEGIN IMMEDIATE');
      return new CachedStatementTransaction(this, db, release);
    } catch (err) {
      // Whatever stopped BEGIN (a BUSY, a closed file) is not carried into the next transaction.
      this.reset();
      release();
      throw err;
    }
  }

  /** Closes the connection; a later `begin` fails. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  /** Drops the connection and its statements; the next transaction opens a fresh one. */
  reset(): void {
    this.statements.clear();
    const db = this.db;
    this.db = null;
    if (!db?.open) return;
    try {
      // A closed connection lives on until its statements are collected: never with a transaction.
      if (db.inTransaction) db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  }

  /** The cached statement for `sql` on `db`, prepared and described the first time. */
  prepared(db: Database.Database, sql: string): CachedStatement {
    let cached = this.statements.get(sql);
    if (cached === undefined) {
      const statement = db.prepare(sql);
      const reader = statement.reader;
      statement.safeIntegers(true);
      if (reader) statement.raw(true);
      cached = { statement, reader, ...describe(statement, reader) };
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      this.statements.set(sql, cached);
    }
    return cached;
  }

  private open(): Database.Database {
    if (this.closed) throw new LibsqlError('The client is closed', 'CLIENT_CLOSED');
    if (this.db === null || !this.db.open) {
      this.statements.clear();
      this.db = new Database(this.path, { timeout: this.busyTimeoutMs });
    }
    return this.db;
  }
}

/** One write transaction on the write connection. */
class CachedStatementTransaction implements Transaction {
  private ended = false;
  private failed = false;

  constructor(
    private readonly connection: WriteConnection,
    private readonly db: Database.Database,
    private readonly release: () => void,
  ) {}

  async execute(stmt: InStatement, args?: InArgs): Promise<ResultSet> {
    return typeof stmt === 'string' ? this.run(stmt, args) : this.run(stmt.sql, stmt.args);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const [i, stmt] of stmts.entries()) {
      try {
        results.push(typeof stmt === 'string' ? this.run(stmt, undefined) : this.run(stmt.sql, stmt.args));
      } catch (err) {
        if (err instanceof LibsqlError && !(err instanceof LibsqlBatchError)) {
          throw new LibsqlBatchError(err.message, i, err.code, err.extendedCode, err.rawCode, err);
        }
        throw err;
      }
    }
    return results;
  }

  async executeMultiple(sql: string): Promise<void> {
    this.checkOpen();
    this.guard(() => execOn(this.db, sql));
  }

  async commit(): Promise<void> {
    this.checkOpen();
    try {
      this.guard(() => execOn(this.db, 'COMMIT'));
    } finally {
      this.end();
    }
  }

  async rollback(): Promise<void> {
    if (this.ended) return;
    try {
      if (this.db.open && this.db.inTransaction) this.guard(() => execOn(this.db, 'ROLLBACK'));
    } finally {
      this.end();
    }
  }

  close(): void {
    if (this.ended) return;
    try {
      if (this.db.open && this.db.inTransaction) execOn(this.db, 'ROLLBACK');
    } catch {
      // A connection that cannot roll back is not reused (end() drops it).
      this.failed = true;
    } finally {
      this.end();
    }
  }

  get closed(): boolean {
    return this.ended || !this.db.open || !this.db.inTransaction;
  }

  private run(sql: string, inArgs: InArgs | undefined): ResultSet {
    this.checkOpen();
    const args = argsToSql(inArgs);
    return this.guard(() => {
      const cached = this.connection.prepared(this.db, sql);
      if (!cached.reader) {
        const info = cached.statement.run(args);
        return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
      }
      const raw = cached.statement.all(args) as unknown[][];
      // A schema change re-prepares the statement inside SQLite and may change `SELECT *`.
      if (raw.length > 0 && raw[0]!.length !== cached.columns.length) {
        Object.assign(cached, describe(cached.statement, true));
      }
      const rows = raw.map((values) => rowFromSql(values, cached.columns));
      return resultSet(cached.columns, cached.columnTypes, rows, 0, undefined);
    });
  }

  /** Maps libSQL's errors to the client's, and has the connection replaced after any of them. */
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      // libSQL does not reset a statement that failed; one that stays active can pin an old
      // snapshot or block a later COMMIT (a failed prepared COMMIT does both), so start afresh.
      this.failed = true;
      throw toLibsqlError(err);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      // Roll back before closing: a closed connection whose statements are not yet collected
      // lives on and would keep the write lock of a transaction left open (a failed COMMIT).
      if (this.db.open && this.db.inTransaction) {
        try {
          execOn(this.db, 'ROLLBACK');
        } catch {
          this.failed = true;
        }
      }
      if (this.failed) this.connection.reset();
    } finally {
      this.release();
    }
  }
}

function execOn(db: Database.Database, sql: string): void {
  try {
    db.exec(sql);
  } catch (err) {
    throw toLibsqlError(err);
  }
}

function describe(
  statement: Database.Statement,
  reader: boolean,
): { columns: string[]; columnTypes: string[] } {
  if (!reader) return { columns: [], columnTypes: [] };
  const columns = statement.columns();
  return { columns: columns.map((c) => c.name), columnTypes: columns.map((c) => c.type ?? '') };
}

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON() {
      return {
        columns,
        columnTypes,
        rows: rows.map((row) => Array.prototype.map.call(row, valueToJson)),
        rowsAffected,
        lastInsertRowid: lastInsertRowid === undefined ? null : `${lastInsertRowid}`,
      };
    },
  };
}

/** A row as @libsql/client builds it: values by index (hidden) and by column name (enumerable). */
function rowFromSql(values: unknown[], columns: string[]): Row {
  const row = {} as Row;
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = valueFromSql(values[i]);
    Object.defineProperty(row, i, { value });
    const column = columns[i]!;
    if (!Object.hasOwn(row, column)) {
      Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return row;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers as numbers (the client's default `intMode`), refusing ones a number cannot hold. */
function valueFromSql(value: unknown): Value {
  if (typeof value === 'bigint') {
    if (value < MIN_SAFE || value > MAX_SAFE) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (Buffer.isBuffer(value)) {
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;
  }
  return value as Value;
}

function valueToJson(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}`;
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64');
  return value;
}

const MIN_INTEGER = -9223372036854775808n;
const MAX_INTEGER = 9223372036854775807n;

function argsToSql(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(valueToSql);
  const named: Record<string, unknown> = {};
  for (const name in args) {
    const bare = name[0] === '@' || name[0] === '$' || name[0] === ':' ? name.slice(1) : name;
    named[bare] = valueToSql(args[name]!);
  }
  return named;
}

/** Arguments as @libsql/client converts them (same checks, same errors). */
function valueToSql(value: InValue): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new RangeError('Only finite numbers (not Infinity or NaN) can be passed as arguments');
    }
    return value;
  }
  if (typeof value === 'bigint') {
    if (value < MIN_INTEGER || value > MAX_INTEGER) {
      throw new RangeError(
        'bigint is too large to be represented as a 64-bit integer and passed as argument',
      );
    }
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError('undefined cannot be passed as argument to the database');
  return value;
}

const SQLITE_BASE_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  15: 'SQLITE_PROTOCOL',
  16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS',
  23: 'SQLITE_AUTH',
  24: 'SQLITE_FORMAT',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
  27: 'SQLITE_NOTICE',
  28: 'SQLITE_WARNING',
};

/** libSQL's SqliteError as the client reports it: base code, extended code, raw code, cause. */
function toLibsqlError(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const raw = err.rawCode;
  const code =
    raw === undefined ? 'SQLITE_UNKNOWN' : (SQLITE_BASE_CODES[raw & 0xff] ?? `SQLITE_UNKNOWN_${raw & 0xff}`);
  return new LibsqlError(err.message, code, err.code, raw, err);
}
