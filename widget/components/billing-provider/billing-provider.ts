import { LitElement } from 'lit';
import { BillingClient } from '../../client/billing-client.js';
import type { TokenProvider } from '../../client/types.js';
import { provideStore } from '../../state/billing-context.js';
import { BillingStore } from '../../state/billing-store.js';

/**
 * Shares one API client and one billing state with every billing element inside it (at any depth,
 * shadow roots included), so the page loads the summary once and every element updates after any
 * action. Elements inside ignore their own `api-base` and `token`. It renders its children as they are.
 *
 * @summary Configures and connects the billing elements inside it.
 * @slot - Any content, including billing elements.
 */
export class BillingProvider extends LitElement {
  static override properties = {
    apiBase: { attribute: 'api-base' },
    token: {},
    tokenProvider: { attribute: false },
  };

  /** The billing server's base URL; empty means this page's origin. */
  apiBase = '';

  /** The bearer token (a JWT from the host backend). */
  token: string | undefined;

  /** Returns a fresh token; asked when there is none and once more after a 401. */
  tokenProvider: TokenProvider | undefined;

  /** The state every element inside shares; its `navigate` can be replaced to handle redirects. */
  readonly store = new BillingStore(new BillingClient());

  constructor() {
    super();
    provideStore(this, this.store);
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
  }
}

customElements.define('billing-provider', BillingProvider);

declare global {
  interface HTMLElementTagNameMap {
    'billing-provider': BillingProvider;
  }
}
