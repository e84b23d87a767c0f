import type { BillingSummary } from '../client/types.js';

/** Fired once after the shared billing state is refreshed (on load, after an action, after returning from Stripe). */
export class BillingChangeEvent extends Event {
  constructor(
    /** The new summary every element on the page now shows. */
    readonly summary: BillingSummary,
  ) {
    super('billing-change', { bubbles: true, composed: true });
  }
}

declare global {
  // The parent of HTMLElementEventMap and DocumentEventMap, so elements, document and window listeners are typed.
  interface GlobalEventHandlersEventMap {
    'billing-change': BillingChangeEvent;
  }
}
