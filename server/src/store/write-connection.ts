import { BUSY_TIMEOUT_MS, busyBackoffMs, isBusy, sleep } from './busy.ts';
import { CachedConnection, toStoreError } from './cached-connection.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import { StoreError } from './store-errors.ts';
import { WalSync } from './wal-sync.ts';

/**
 * How long SQLite itself waits for the write lock inside one BEGIN. The thread is blocked while it
 * waits, so it is kept short; past it the wait goes on asynchronously (`begin`), and the process
 * keeps answering reads while another process holds the file.
 */
const BLOCKING_BUSY_MS = 10;

/**
 * The connection a local store writes on (group-commit.ts): statements prepared once
 * (cached-connection.ts), `BEGIN IMMEDIATE` waited for without blocking the event loop, and any
 * unexpected SQLite error replacing the connection once the transaction is over, so nothing a
 * failed statement left behind reaches the next transaction.
 */
export class WriteConnection {
  /** The connection itself; an in-memory store also reads through it (the database is the connection). */
  readonly connection: CachedConnection;
  /**
   * For a file: its commits are made durable by this flusher, off the event loop (wal-sync.ts);
   * null for memory, or where each COMMIT fsyncs itself (`synchronous` given).
   */
  readonly walSync: WalSync | null;

  constructor(
    path: string,
    options: {
      /** How long a transaction waits for another holder of the write lock before SQLITE_BUSY. */
      busyTimeoutMs?: number;
      /**
       * `NORMAL` without a flusher: commits that need not survive a power cut (rate-limit
       * buckets). Default: durable commits, fsynced by `walSync` for a file.
       */
      synchronous?: 'NORMAL';
    } = {},
  ) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    const memory = path === ':memory:';
    this.walSync = memory || options.synchronous ? null : new WalSync(path);
    this.connection = new CachedConnection(path, {
      timeout: BLOCKING_BUSY_MS,
      // WAL mode with NORMAL never corrupts the file; durability is the flusher's (or not needed).
      setup: memory ? undefined : 'PRAGMA synchronous = NORMAL',
    });
  }

  private readonly busyTimeoutMs: number;
  /**
   * The fsync that makes the last COMMIT durable (null: durable at COMMIT). A later one covers
   * every earlier commit too, so waiting for whichever is newest is enough.
   */
  lastFlush: Promise<void> | null = null;

  /** Opens the file now (so a bad path fails at start-up) and turns on WAL for a file. */
  open(wal: boolean): void {
    try {
      if (wal) this.connection.exec('PRAGMA journal_mode = WAL');
      else void this.connection.db;
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /**
   * `BEGIN IMMEDIATE` now: true when the transaction is open, false while another process holds
   * the write lock. Any other failure is thrown.
   */
  tryBegin(): boolean {
    try {
      this.connection.exec('BEGIN IMMEDIATE');
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      this.connection.reset();
      throw toStoreError(err);
    }
  }

  /** Runs one statement of the open transaction; SQLite's errors are thrown as they come. */
  run(statement: SqlStatement): StatementResult {
    return this.connection.run(statement);
  }

  /** SAVEPOINT, RELEASE, ROLLBACK TO: SQL text run without preparing it. */
  exec(sql: string): void {
    this.connection.exec(sql);
  }

  /** True while the transaction opened by `begin` is still open (SQLite may roll it back itself). */
  get inTransaction(): boolean {
    return this.connection.inTransaction;
  }

  /**
   * Runs `work` in one write transaction: `BEGIN IMMEDIATE`, `work`, COMMIT, in one synchronous run
   * so that nothing else of this process can use the connection in between. While another process
   * holds the write lock it waits asynchronously (jittered backoff) and tries again, for at most
   * `busyTimeoutMs` (or `waitMs`) in all; then SQLITE_BUSY. When `work` or the COMMIT throws,
   * the transaction is rolled back and the connection replaced. The answer comes at COMMIT; the
   * commit is durable once `walSync.durable()` resolves.
   */
  async transaction<T>(work: (conn: CachedConnection) => T, waitMs = this.busyTimeoutMs): Promise<T> {
    const started = performance.now();
    for (let attempt = 0; !this.tryBegin(); attempt++) {
      const waited = performance.now() - started;
      if (waited >= waitMs) {
        throw new StoreError(
          `The database is locked by another process (waited ${Math.round(waited)} ms).`,
          'SQLITE_BUSY',
        );
      }
      await sleep(Math.min(waitMs - waited, 1 + busyBackoffMs(attempt, 2, 50)));
    }
    try {
      const result = work(this.connection);
      this.connection.exec('COMMIT');
      // Asked for at once, so a read that follows in any later tick waits for it (wal-sync.ts).
      this.lastFlush = this.walSync?.flush() ?? null;
      this.lastFlush?.catch(() => {});
      return result;
    } catch (err) {
      this.connection.reset();
      throw err;
    }
  }

  /** Closes the connection; a later transaction fails. */
  close(): void {
    this.connection.close();
  }
}
