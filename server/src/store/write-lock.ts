import {
  type Client,
  type InArgs,
  type InStatement,
  LibsqlError,
  type Transaction,
  type TransactionMode,
} from '@libsql/client';
import { isBusy } from './busy.ts';
import type { CachedConnection } from './cached-connection.ts';

/**
 * One writer at a time per database file within this process.
 *
 * A local libSQL connection waits for a lock synchronously (the busy timeout blocks the thread).
 * If two connections of one process write at once, the waiting one blocks the event loop while
 * the holder, which needs that loop to reach its COMMIT, cannot move: both stall for the whole
 * busy timeout and then fail. Queueing writers in-process removes that; other processes still
 * meet the busy timeout, which is what it is for.
 *
 * A waiter gives up after `timeoutMs`. The way to wait that long is a write sent on the client
 * from inside a write transaction (it waits for itself); failing it rolls that transaction back
 * instead of hanging the process. (AsyncLocalStorage could name the holder and fail at once, but
 * it turns on promise hooks for the whole process, which costs every request several µs.)
 */
export class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the lock; the answer releases it (calling it twice is harmless). */
  acquire(timeoutMs: number): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    let released = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    return new Promise((resolve, reject) => {
      let abandoned = false;
      const timer = setTimeout(() => {
        abandoned = true;
        reject(
          new LibsqlError(
            `Waited ${timeoutMs} ms for the store's write queue. A write sent on the client from inside a write transaction waits for itself: send it on the transaction.`,
            'WRITE_QUEUE_TIMEOUT',
          ),
        );
      }, timeoutMs);
      void previous.then(() => {
        clearTimeout(timer);
        // A waiter that gave up still holds its place in the queue: pass the turn on at once.
        if (abandoned) releaseOnce();
        else resolve(releaseOnce);
      });
    });
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
    const release = await this.acquire(timeoutMs);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const locks = new Map<string, WriteLock>();

/** The process-wide lock of one database file (two stores opened on one file share it). */
export function writeLockFor(path: string): WriteLock {
  let lock = locks.get(path);
  if (!lock) {
    lock = new WriteLock();
    locks.set(path, lock);
  }
  return lock;
}

function sqlOf(stmt: InStatement | string): string {
  return typeof stmt === 'string' ? stmt : stmt.sql;
}

/** Reads go straight through; anything that is not plainly a SELECT is treated as a write. */
function isRead(sql: string): boolean {
  return /^\s*(SELECT|EXPLAIN)\b/i.test(sql);
}

/**
 * A client whose writes (autocommit statements, batches, write transactions) take `lock` first,
 * so every caller of the store is covered, not only those that remember to. With `reads`, plain
 * SELECTs run there, on statements prepared once (cached-connection.ts), instead of in the pool.
 */
export function serializeWrites(
  client: Client,
  lock: WriteLock,
  timeoutMs: number,
  reads: CachedConnection | null = null,
): Client {
  // A local connection that met SQLITE_BUSY keeps its failed statement open, and every later COMMIT
  // on it fails ("SQL statements in progress") until the process restarts. While this process's
  // writers are queued behind `lock`, no other write holds a connection, so all are reopened.
  const guarded = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (isBusy(err)) await client.reconnect();
      throw err;
    }
  };
  return new Proxy(client, {
    get(target, prop) {
      switch (prop) {
        case 'execute':
          return (stmt: InStatement | string, args?: InArgs) => {
            const run = () =>
              typeof stmt === 'string' ? target.execute(stmt, args) : target.execute(stmt as InStatement);
            if (!isRead(sqlOf(stmt))) return lock.run(() => guarded(run), timeoutMs);
            if (!reads) return run();
            return (async () =>
              typeof stmt === 'string' ? reads.query(stmt, args) : reads.query(stmt.sql, stmt.args))();
          };
        case 'batch':
          return (stmts: InStatement[], mode?: TransactionMode) =>
            mode === 'read'
              ? target.batch(stmts, mode)
              : lock.run(() => guarded(() => target.batch(stmts, mode)), timeoutMs);
        case 'executeMultiple':
          return (sql: string) => lock.run(() => guarded(() => target.executeMultiple(sql)), timeoutMs);
        case 'migrate':
          return (stmts: InStatement[]) => lock.run(() => target.migrate(stmts), timeoutMs);
        case 'transaction':
          return async (mode: TransactionMode = 'write') => {
            if (mode === 'read') return target.transaction(mode);
            const release = await lock.acquire(timeoutMs);
            try {
              return releasingOnEnd(await guarded(() => target.transaction(mode)), release, guarded);
            } catch (err) {
              release();
              throw err;
            }
          };
        default: {
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
      }
    },
  });
}

function releasingOnEnd(
  tx: Transaction,
  release: () => void,
  guarded: <T>(write: () => Promise<T>) => Promise<T>,
): Transaction {
  return new Proxy(tx, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'commit' || prop === 'rollback') {
        return async () => {
          try {
            return await guarded(() => (value as () => Promise<void>).call(target));
          } finally {
            release();
          }
        };
      }
      if (prop === 'close') {
        return () => {
          try {
            target.close();
          } finally {
            release();
          }
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
