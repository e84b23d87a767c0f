import {
  type InArgs,
  type InStatement,
  LibsqlBatchError,
  LibsqlError,
  type ResultSet,
  type Transaction,
} from '@libsql/client';
import type Database from 'libsql';
import { BUSY_TIMEOUT_MS } from './busy.ts';
import { CachedConnection } from './cached-connection.ts';
import type { WriteLock } from './write-lock.ts';

/**
 * The connection group commits run on (group-commit.ts): a libSQL connection of its own with
 * statements prepared once (cached-connection.ts), so the ten or so statements of a webhook cost
 * tens of microseconds instead of hundreds. A transaction holds the process's write queue
 * (write-lock.ts) from BEGIN to its end, exactly as a client transaction does. Any SQLite error
 * (a BUSY above all, see commit 3b566ad) replaces the connection once the transaction ends, so
 * nothing a failed statement left behind reaches the next transaction.
 */
export class WriteConnection {
  private readonly connection: CachedConnection;

  constructor(
    path: string,
    private readonly lock: WriteLock,
    private readonly queueTimeoutMs: number,
    /** How long BEGIN waits for another process's write lock before SQLITE_BUSY. */
    busyTimeoutMs = BUSY_TIMEOUT_MS,
  ) {
    this.connection = new CachedConnection(path, { timeout: busyTimeoutMs });
  }

  /** Waits for the write queue, then `BEGIN IMMEDIATE`; the transaction gives the queue back when it ends. */
  async begin(): Promise<Transaction> {
    const release = await this.lock.acquire(this.queueTimeoutMs);
    try {
      this.connection.exec('BEGIN IMMEDIATE');
      return new CachedStatementTransaction(this.connection, this.connection.db, release);
    } catch (err) {
      // Whatever stopped BEGIN (a BUSY, a closed file) is not carried into the next transaction.
      this.connection.reset();
      release();
      throw err;
    }
  }

  /** Closes the connection; a later `begin` fails. */
  close(): void {
    this.connection.close();
  }
}

/** One write transaction on the write connection. */
class CachedStatementTransaction implements Transaction {
  private ended = false;
  private failed = false;

  constructor(
    private readonly connection: CachedConnection,
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
    this.guard(() => this.connection.exec(sql));
  }

  async commit(): Promise<void> {
    this.checkOpen();
    try {
      this.guard(() => this.connection.exec('COMMIT'));
    } finally {
      this.end();
    }
  }

  async rollback(): Promise<void> {
    if (this.ended) return;
    try {
      if (!this.closed) this.guard(() => this.connection.exec('ROLLBACK'));
    } finally {
      this.end();
    }
  }

  close(): void {
    if (this.ended) return;
    this.end();
  }

  get closed(): boolean {
    return this.ended || !this.connection.holds(this.db) || !this.db.inTransaction;
  }

  private run(sql: string, args: InArgs | undefined): ResultSet {
    this.checkOpen();
    return this.guard(() => this.connection.run(sql, args));
  }

  /** Remembers any error, so the connection is replaced when the transaction ends. */
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (!this.connection.holds(this.db)) return;
      // Roll back before anything else: a closed connection whose statements are not yet
      // collected lives on, and must not keep the write lock of a transaction left open.
      if (this.db.inTransaction) {
        try {
          this.connection.exec('ROLLBACK');
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
