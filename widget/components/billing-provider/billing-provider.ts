import { ContextProvider } from '@lit/context';
import { LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { BillingClient } from '../../client/billing-client.js';
import type { CheckoutUi, TokenProvider } from '../../client/types.js';
import { billingContext } from '../../state/billing-context.js';
import { BillingStore } from '../../state/billing-store.js';

/**
 * Shares one API client and one billing state with every billing element inside it (at any depth,
 * shadow roots included), so the page loads the summary once and every element updates after any
 * action. Elements inside ignore their own `api-base` and `token`. It renders its children as they are.
 *
 * @summary Configures and connects the billing elements inside it.
 * @slot - Any content, including billing elements.
 */
@customElement('billing-provider')
export class BillingProvider extends LitElement {
  /** The billing server's base URL; empty means this page's origin. */
  @property({ attribute: 'api-base' }) apiBase = '';

  /** The bearer token (a JWT from the host backend). */
  @property() token: string | undefined;

  /** Returns a fresh token; asked when there is none and once more after a 401. */
  @property({ attribute: false }) tokenProvider: TokenProvider | undefined;

  /**
   * Where payments started inside happen: `redirect` (default: Stripe's page, no CSP change needed)
   * or `embedded` (Stripe's on-page Checkout in a dialog; see README for the CSP). An element's own
   * `checkout-mode` wins.
   */
  @property({ attribute: 'checkout-mode' }) checkoutMode: CheckoutUi = 'redirect';

  /** The state every element inside shares; its `navigate` can be replaced to handle redirects. */
  readonly store = new BillingStore(new BillingClient());

  constructor() {
    super();
    new ContextProvider(this, { context: billingContext, initialValue: this.store });
  }

  /** No shadow root: the children render in place. */
  protected override createRenderRoot() {
    return this;
  }

  /** The client reads its settings on every call, so changed attributes apply from the next call. */
  protected override willUpdate(): void {
    Object.assign(this.store.client, {
      apiBase: this.apiBase,
      token: this.token,
      tokenProvider: this.tokenProvider,
    });
    this.store.checkoutMode = this.checkoutMode;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-provider': BillingProvider;
  }
}
