import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often, at most, a checkpoint is started while writes come in. */
const CHECKPOINT_EVERY_MS = 200;

/**
 * The worker: plain JavaScript (no build step or loader needed in a thread), one connection of
 * its own, and `PRAGMA wal_checkpoint(PASSIVE)` whenever asked: it copies what the WAL holds into
 * the database file and fsyncs both, never waiting for a lock and never blocking writers.
 */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 0, fileMustExist: true });
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    checkpoint.get();
  } catch {
    // Busy (another process checkpoints now) or anything else: the next request tries again.
  }
  parentPort.postMessage('done');
});
parentPort.postMessage('ready');
`;

/**
 * Checkpoints a local store's WAL in a worker thread. SQLite's automatic checkpoint runs inside
 * the COMMIT that crosses 1,000 WAL pages: it copies those pages into the database file and fsyncs
 * it on the committing thread, and Node has only one, so every few dozen group commits the whole
 * process stopped for 5–30 ms here (a /usage run saw 174 commits over 5 ms out of 3,146). With this
 * running, the write connection turns the automatic checkpoint off (`wal_autocheckpoint = 0`) and
 * asks for a passive checkpoint at most every 200 ms while writes come in; the event loop never
 * waits for it. If the worker cannot start or fails, SQLite's own checkpoint is turned back on.
 */
export class Checkpointer {
  private running = false;
  private lastStartedMs = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly onFailure: () => void,
  ) {
    worker.on('message', () => {
      this.running = false;
    });
    worker.on('error', () => this.fail());
    worker.on('exit', () => this.fail());
  }

  /**
   * Starts the worker on the database at `path`; null when it cannot start (the caller then keeps
   * SQLite's automatic checkpoint). `onFailure` runs if the worker stops later.
   */
  static async start(path: string, onFailure: () => void): Promise<Checkpointer | null> {
    let worker: Worker;
    try {
      const driver = createRequire(import.meta.url).resolve('libsql');
      worker = new Worker(WORKER, { eval: true, workerData: { driver, path } });
    } catch {
      return null;
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (message) => resolve(message === 'ready'));
      worker.once('error', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return null;
    }
    // The worker must not keep a process alive that has nothing else to do.
    worker.unref();
    return new Checkpointer(worker, onFailure);
  }

  /** Called after each commit: starts a checkpoint unless one runs or one started recently. */
  committed(): void {
    if (this.running || this.closed) return;
    const now = performance.now();
    if (now - this.lastStartedMs < CHECKPOINT_EVERY_MS) return;
    this.lastStartedMs = now;
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage('close');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 1000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private fail(): void {
    if (this.closed) return;
    this.closed = true;
    this.onFailure();
  }
}
