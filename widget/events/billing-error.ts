import type { BillingApiError } from '../client/billing-api-error.js';

/**
 * Fired when a billing call fails. Cancelable: a host that calls `preventDefault()` shows its own
 * message and the element shows no toast (the element's own error state still appears).
 */
export class BillingErrorEvent extends Event {
  constructor(
    /** What failed, with the server's code and message. */
    readonly error: BillingApiError,
  ) {
    super('billing-error', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  // The parent of HTMLElementEventMap and DocumentEventMap, so elements, document and window listeners are typed.
  interface GlobalEventHandlersEventMap {
    'billing-error': BillingErrorEvent;
  }
}
