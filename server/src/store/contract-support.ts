import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open-store.ts';
import type { BillingStore } from './store.ts';

/** One way of opening a fresh, empty store for a contract test. */
export interface StoreKind {
  name: string;
  /** A reason to skip this kind here (its server is not available), or false. */
  skip: string | false;
  open(): Promise<{ store: BillingStore; cleanup(): Promise<void> }>;
}

/** The implementations every store contract test runs against. */
export function storeKinds(): StoreKind[] {
  return [localFile];
}

const localFile: StoreKind = {
  name: 'local file',
  skip: false,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'billing-contract-'));
    const store = await openStore({ url: `file:${join(dir, 'billing.db')}` });
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
