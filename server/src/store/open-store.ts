import { LocalStore } from './local-store.ts';
import { RemoteStore, withoutCredentials } from './remote-store.ts';
import type { BillingStore } from './store.ts';

/**
 * Opens the billing store at `url` and applies pending migrations: a local file (`file:`, or
 * `:memory:` for tests; local-store.ts) or a remote libSQL server (`libsql://`, `http(s)://`,
 * `ws(s)://`; remote-store.ts).
 */
export async function openStore(opts: { url: string; authToken?: string }): Promise<BillingStore> {
  if (opts.url === ':memory:' || opts.url.startsWith('file:')) return LocalStore.open({ url: opts.url });
  if (/^(libsql|https?|wss?):\/\//.test(opts.url)) return RemoteStore.open(opts);
  throw new Error(
    `BILLING_DB_URL must be a file:, libsql://, http(s):// or ws(s):// URL, not ${opts.url.split(':')[0]}:`,
  );
}

/** Where the store is, for a person reading a start-up banner: the file's path, or the remote URL without credentials. */
export function describeStoreUrl(url: string): string {
  if (url === ':memory:') return 'an in-memory database';
  if (url.startsWith('file:')) return url.slice('file:'.length);
  return `the remote database at ${withoutCredentials(url)}`;
}
