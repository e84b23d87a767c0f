import { LocalStore } from './local-store.ts';
import type { BillingStore } from './store.ts';

/**
 * Opens the billing store at `url` and applies pending migrations: a local file (`file:`, or
 * `:memory:` for tests; local-store.ts) or a remote libSQL server (`libsql://`, `http(s)://`,
 * `ws(s)://`; remote-store.ts).
 */
export async function openStore(opts: { url: string; authToken?: string }): Promise<BillingStore> {
  return LocalStore.open(opts);
}
