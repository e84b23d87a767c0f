import type { StoredObject } from './store.ts';

interface Before {
  collection: Map<string, StoredObject>;
  id: string;
  /** The live object the request touched (kept so a rollback restores it in place), or undefined if it did not exist. */
  ref: StoredObject | undefined;
  /** Its contents before the request. */
  copy: StoredObject | undefined;
}

/**
 * The undo log of one API request: the state of every object it read or wrote, taken the first
 * time it touched each, so a refused request can leave the store exactly as it found it.
 */
export class Journal {
  private readonly before = new Map<string, Before>();
  private readonly orders = new Map<Map<string, StoredObject>, string[]>();

  /** Set when the request ends: timers it started inherit its async context, and must not keep journaling. */
  private closed = false;

  constructor(readonly timeOffsetSeconds: number) {}

  close(): void {
    this.closed = true;
    this.before.clear();
    this.orders.clear();
  }

  /** Records `id`'s state in `collection` unless this request already did. */
  touch(collection: Map<string, StoredObject>, name: string, id: string): void {
    if (this.closed) return;
    const key = `${name}\u0000${id}`;
    if (this.before.has(key)) return;
    const ref = collection.get(id);
    this.before.set(key, { collection, id, ref, copy: ref ? structuredClone(ref) : undefined });
  }

  /** Records a collection's order before a delete, since re-inserting would move the object to the end. */
  touchOrder(collection: Map<string, StoredObject>): void {
    if (!this.closed && !this.orders.has(collection)) this.orders.set(collection, [...collection.keys()]);
  }

  /** Puts every touched object back as it was, in place, and forgets objects the request created. */
  rollBack(): void {
    for (const { collection, id, ref, copy } of this.before.values()) {
      if (!ref || !copy) {
        collection.delete(id);
        continue;
      }
      for (const key of Object.keys(ref)) delete ref[key];
      Object.assign(ref, copy);
      collection.set(id, ref);
    }
    for (const [collection, order] of this.orders) {
      const entries = new Map(collection);
      collection.clear();
      for (const id of order) {
        const obj = entries.get(id);
        if (obj) collection.set(id, obj);
        entries.delete(id);
      }
      for (const [id, obj] of entries) collection.set(id, obj);
    }
  }
}
