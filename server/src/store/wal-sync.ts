import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes a local store's commits durable without blocking the event loop.
 *
 * With `synchronous=FULL`, SQLite's COMMIT waits for an fsync of the WAL on the calling thread,
 * and Node has only one: every group commit stopped the whole process for the fsync, 0.4 ms on an
 * idle disk here but 2–5 ms on the shared one the benchmarks run on, which left the server
 * waiting on the disk most of the time under load. So the write connection commits with
 * `synchronous=NORMAL` (in WAL mode: no fsync at COMMIT, never corruption) and this flusher then
 * fsyncs the WAL on libuv's thread pool; the group's callers hear back only once it has, so what a
 * caller is told is written is on disk exactly as with FULL. Meanwhile the process serves other
 * requests and the next group may commit; one fsync covers every frame written before it, so
 * flushes requested while one runs share the next.
 *
 * What changes: a commit is visible to readers a moment (one fsync) before it is durable. Reads
 * through the store wait for the flush in flight first (`durable()`), so this process never acts
 * on a commit a power cut could take back; another process on the same file may, within that
 * moment (see server/README.md).
 */
export class WalSync {
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private directorySynced = false;

  constructor(private readonly databasePath: string) {}

  /** Resolves once every frame written to the WAL before this call is on disk. */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    const start = (): Promise<void> => {
      this.queued = null;
      const run = this.syncOnce().finally(() => {
        if (this.current === run) this.current = null;
      });
      this.current = run;
      return run;
    };
    if (!this.current) return start();
    this.queued = this.current.then(start, start);
    return this.queued;
  }

  /** Resolves once every flush asked for so far has completed (at once when none is running). */
  durable(): Promise<void> {
    return this.queued ?? this.current ?? Promise.resolve();
  }

  private async syncOnce(): Promise<void> {
    let wal: Awaited<ReturnType<typeof open>>;
    try {
      wal = await open(`${this.databasePath}-wal`, 'r');
    } catch (err) {
      // No WAL: the last checkpoint moved everything into the database file and synced it.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      await wal.datasync();
    } finally {
      await wal.close();
    }
    if (!this.directorySynced) {
      // The WAL file's own directory entry, once: a file created since the last sync must survive too.
      const dir = await open(dirname(this.databasePath), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      this.directorySynced = true;
    }
  }
}
