import type { Transaction } from '@libsql/client';

/**
 * A change to the store decided from Stripe's current state. Stripe is read first, outside any
 * transaction; the change then runs inside one write transaction, together with whatever else
 * must commit with it (the webhook event record), so it happens entirely or not at all.
 */
export type StoreChange = (tx: Transaction) => Promise<void>;

/** Runs several changes in order inside the same transaction. */
export function combineChanges(...changes: Array<StoreChange | null>): StoreChange | null {
  const present = changes.filter((c): c is StoreChange => c !== null);
  if (present.length === 0) return null;
  return async (tx) => {
    for (const change of present) await change(tx);
  };
}
