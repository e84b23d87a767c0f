import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from './journal.ts';

/** Every stored object is a Stripe object; keys starting with `_` are private to the emulator and never rendered. */
export type StoredObject = { id: string; object: string; [key: string]: unknown };

interface Snapshot {
  version: 1;
  timeOffsetSeconds: number;
  collections: Record<string, StoredObject[]>;
}

/**
 * The emulator's whole state: named collections of Stripe objects in insertion order, plus the
 * emulator's own time offset. With a data directory it is saved to `stripe-emulator.json` after
 * each change (coalesced) and loaded at start, so state survives a restart.
 */
export class EmulatorStore {
  private collections = new Map<string, Map<string, StoredObject>>();
  timeOffsetSeconds = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private saveDelayMs = 25;
  private readonly file: string | undefined;
  /** The undo log of the API request running in this async context, if any. */
  private readonly journals = new AsyncLocalStorage<Journal>();

  constructor(dataDir?: string) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      this.file = join(dataDir, 'stripe-emulator.json');
      this.load();
    }
  }

  collection<T extends StoredObject = StoredObject>(name: string): Map<string, T> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c as Map<string, T>;
  }

  /** The object, or undefined. Inside a transaction its state is journaled first, since callers mutate it in place. */
  get<T extends StoredObject = StoredObject>(name: string, id: string): T | undefined {
    const c = this.collection<T>(name);
    this.journals.getStore()?.touch(c, name, id);
    return c.get(id);
  }

  /** Inserts or replaces an object and schedules a save. */
  put<T extends StoredObject>(name: string, obj: T): T {
    const c = this.collection(name);
    this.journals.getStore()?.touch(c, name, obj.id);
    c.set(obj.id, obj);
    this.changed();
    return obj;
  }

  delete(name: string, id: string): void {
    const c = this.collection(name);
    const journal = this.journals.getStore();
    if (journal) {
      journal.touch(c, name, id);
      journal.touchOrder(c);
    }
    c.delete(id);
    this.changed();
  }

  /**
   * Runs `work` so that, if it throws an error `keep` does not accept, every object it reached through
   * `get`, `put` or `delete` (and the time offset) is put back as it was: a refused request changes
   * nothing. Objects reached only by iterating a collection are not journaled. Nested calls join the outer one.
   */
  async transaction<T>(work: () => Promise<T>, keep: (err: unknown) => boolean): Promise<T> {
    if (this.journals.getStore()) return work();
    const journal = new Journal(this.timeOffsetSeconds);
    try {
      return await this.journals.run(journal, work);
    } catch (err) {
      if (!keep(err)) {
        journal.rollBack();
        this.timeOffsetSeconds = journal.timeOffsetSeconds;
        this.changed();
      }
      throw err;
    } finally {
      journal.close();
    }
  }

  /** Runs `fn` outside any request's transaction, for work that outlives the request (webhook timers). */
  outsideTransaction<T>(fn: () => T): T {
    return this.journals.exit(fn);
  }

  reset(): void {
    this.collections.clear();
    this.timeOffsetSeconds = 0;
    this.changed();
  }

  /** Call after mutating a stored object in place. */
  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), this.saveDelayMs);
    this.saveTimer.unref();
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    const started = performance.now();
    const snapshot: Snapshot = { version: 1, timeOffsetSeconds: this.timeOffsetSeconds, collections: {} };
    for (const [name, c] of this.collections) snapshot.collections[name] = [...c.values()];
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, this.file);
    // Each save writes the whole state, so a large state saves less often: at most ~10% of the time.
    this.saveDelayMs = Math.max(25, Math.round((performance.now() - started) * 10));
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file!, 'utf8');
    } catch {
      return;
    }
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(text) as Snapshot;
      if (snapshot?.version !== 1 || typeof snapshot.collections !== 'object' || !snapshot.collections) {
        throw new Error('not a version 1 snapshot');
      }
    } catch (err) {
      // Starting empty would silently drop state, so refuse and say which file to move away.
      throw new Error(
        `stripe-emulator: cannot read the saved state in ${this.file} (${(err as Error).message}); move or delete the file to start empty.`,
      );
    }
    this.timeOffsetSeconds = snapshot.timeOffsetSeconds ?? 0;
    for (const [name, objects] of Object.entries(snapshot.collections)) {
      this.collections.set(name, new Map(objects.map((o) => [o.id, o])));
    }
  }
}

/** A deep copy without the emulator's private `_` keys: what the API answers. */
export function render<T>(value: T): T {
  if (Array.isArray(value)) return value.map(render) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('_')) out[k] = render(v);
    return out as T;
  }
  return value;
}
