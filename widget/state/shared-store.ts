import { apiRoot, BillingClient } from '../client/billing-client.js';
import type { TokenProvider } from '../client/types.js';
import { BillingStore } from './billing-store.js';

const stores = new Map<string, BillingStore>();
const providerIds = new WeakMap<TokenProvider, number>();

/**
 * The store elements without a `<billing-provider>` share: one per API base, token and token
 * provider, so elements configured alike make one `/summary` request between them.
 */
export function sharedStore(apiBase?: string, token?: string, tokenProvider?: TokenProvider): BillingStore {
  if (tokenProvider && !providerIds.has(tokenProvider)) providerIds.set(tokenProvider, stores.size + 1);
  const key = `${apiRoot(apiBase)} ${token} ${tokenProvider ? providerIds.get(tokenProvider) : 0}`;
  let store = stores.get(key);
  if (!store) {
    store = new BillingStore(new BillingClient(apiBase, token, tokenProvider));
    stores.set(key, store);
  }
  return store;
}
