import type { BillingApiError } from '../client/billing-api-error.js';

/**
 * The call that failed: `load` (the summary every element shows), `history` (a page of the ledger),
 * `usage` (a usage summary `<billing-usage>` fetched itself), or a payment action: `topup`,
 * `subscribe`, `setup` (save or update a card), `cancel`, `resume`, `portal`, `auto-recharge` (save
 * its settings, or confirm a charge the bank held back).
 */
export type BillingAction =
  | 'load'
  | 'history'
  | 'usage'
  | 'topup'
  | 'subscribe'
  | 'setup'
  | 'cancel'
  | 'resume'
  | 'portal'
  | 'auto-recharge';

/**
 * Fired when a billing call fails. Unless a listener calls `preventDefault()`, the element logs one
 * `console.warn` line about it and shows a toast; a host that prevents it shows (and logs) its own
 * message instead. The element's own error appears either way: the error state with Retry when
 * loading failed, the message with Retry under the content when a payment action failed.
 */
export class BillingErrorEvent extends Event {
  constructor(
    /**
     * What failed: `status` (0 when no answer came), the server's `code` and `message`, `field` when
     * the server refused one, and `requestId`, the answer's `X-Request-Id` (to find it in the server's log).
     */
    readonly error: BillingApiError,
    /** The call that failed. */
    readonly action: BillingAction = 'load',
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
