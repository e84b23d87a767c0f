/** Which Stripe page a `billing-checkout` event is about to open. */
export type CheckoutKind = 'topup' | 'setup' | 'subscription' | 'portal' | 'authenticate';

/**
 * Fired just before the browser is sent to a Stripe page. Cancelable: a host that calls
 * `preventDefault()` stays on the page (for example to open `url` in a popup). Not fired for a
 * payment made on the page (`checkout-mode="embedded"`), which never leaves it.
 */
export class BillingCheckoutEvent extends Event {
  constructor(
    /** The Stripe page the server created. */
    readonly url: string,
    /** What the page is for. */
    readonly kind: CheckoutKind,
    /** The top-up amount in cents, for `topup`. */
    readonly amountCents?: number,
  ) {
    super('billing-checkout', { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  // The parent of HTMLElementEventMap and DocumentEventMap, so elements, document and window listeners are typed.
  interface GlobalEventHandlersEventMap {
    'billing-checkout': BillingCheckoutEvent;
  }
}
