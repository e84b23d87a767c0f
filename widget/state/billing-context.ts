import type { BillingStore } from './billing-store.js';

/**
 * The context key `<billing-provider>` answers for, on the Context Community Protocol
 * (`context-request` events, as `@lit/context` sends them), so Lit's own providers and consumers
 * interoperate with ours.
 */
export const BILLING_CONTEXT = 'billing-store';

/** A `context-request` event as the protocol defines it. */
export interface ContextRequest extends Event {
  context: unknown;
  callback: (store: BillingStore) => void;
}

/** Asks the nearest `<billing-provider>` above `host` (through shadow roots) for its store. */
export function requestStore(host: Element, callback: (store: BillingStore) => void): void {
  host.dispatchEvent(
    Object.assign(new Event('context-request', { bubbles: true, composed: true }), {
      context: BILLING_CONTEXT,
      contextTarget: host,
      callback,
      subscribe: false,
    }),
  );
}

/** Makes `provider` answer store requests from the elements inside it. */
export function provideStore(provider: Element, store: BillingStore): void {
  provider.addEventListener('context-request', (event) => {
    const request = event as ContextRequest;
    if (request.context !== BILLING_CONTEXT) return;
    event.stopPropagation();
    request.callback(store);
  });
}
