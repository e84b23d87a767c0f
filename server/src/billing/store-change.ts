import type { WriteUnit } from '../store/store.ts';

/**
 * A change to the store decided from Stripe's current state. Stripe is read first, outside any
 * transaction; the change then names its write operations inside one unit of work, together with
 * whatever else must commit with it (the webhook event record), so it happens entirely or not at all.
 */
export type StoreChange = (unit: WriteUnit) => void;

/** Runs several changes in order inside the same unit of work. */
export function combineChanges(...changes: Array<StoreChange | null>): StoreChange | null {
  const present = changes.filter((c): c is StoreChange => c !== null);
  if (present.length === 0) return null;
  return (unit) => {
    for (const change of present) change(unit);
  };
}
