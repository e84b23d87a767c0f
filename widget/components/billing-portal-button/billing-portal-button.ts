import { customElement } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { Messages } from '../../i18n/en.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { portalButtonStyles } from './billing-portal-button.styles.js';

/**
 * Opens the Stripe Customer Portal, where the user manages cards, invoices and the subscription.
 *
 * @summary A button to the Stripe Customer Portal.
 * @event billing-checkout - Before the redirect to the portal (`kind` is `portal`); cancelable.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - A call failed (`action` is `load` or `portal`; `error` has the status, code,
 *   message and request id). Cancelable: `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The wrapper.
 * @csspart heading - The title, visible to screen readers only.
 * @csspart button - The button.
 * @csspart empty - The note shown when billing is off.
 * @cssproperty [--billing-color-muted=light-dark(#55555f, #b9b9c4)] - Notes.
 * @cssproperty [--billing-color-accent=light-dark(#1f4fcf, #a7bcff)] - The button and focus ring.
 * @cssproperty [--billing-color-on-accent=light-dark(#fff, #101a3a)] - The button's text.
 * @cssproperty [--billing-radius=8px] - Corner radius of the button.
 * @cssstate loaded - The button is ready.
 * @cssstate empty - Billing is off.
 */
@customElement('billing-portal-button')
export class BillingPortalButton extends BillingElement {
  static override styles = [billingStyles, portalButtonStyles];

  protected override heading(m: Messages): string {
    return m.manage;
  }

  protected override renderContent(_summary: unknown, m: Messages) {
    return this.button('button', m.manage, () =>
      this.perform('portal', (store) =>
        store.redirect(this, 'portal', (client, url) => client.portalSession(url)),
      ),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-portal-button': BillingPortalButton;
  }
}
