import { html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { BillingSummary, PaymentMethodSummary } from '../../client/types.js';
import { en, fill, type Messages } from '../../i18n/en.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { setupModalStyles } from './setup-payment-modal.styles.js';

/**
 * A modal that offers to save a card through Stripe Checkout (setup mode), with the welcome credit
 * the server grants for it; once a card is on file it names it ("Visa •••• 4242, expires 12/34")
 * and offers to replace it. A native `<dialog>`: focus moves in on open and back on close, Escape
 * closes. With `checkout-mode="embedded"` the card is collected inside the modal itself.
 *
 * @summary Asks the user to add a payment method.
 * @event billing-checkout - Before the redirect to Stripe; cancelable to stay on the page.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - A call failed (`action` is `load` or `setup`; `error` has the status, code,
 *   message and request id). Cancelable: `preventDefault()` suppresses the toast and the console line.
 * @csspart dialog - The native `<dialog>`.
 * @csspart base - The card inside it.
 * @csspart heading - The title.
 * @csspart close - The × button.
 * @csspart offer - The welcome credit offer.
 * @csspart card-on-file - The saved card: brand, last 4 digits and expiry.
 * @csspart checkout - Where Stripe's on-page Checkout is mounted (embedded mode).
 * @csspart proceed - The Add card (or Replace) button.
 * @csspart dismiss - The Not now button.
 * @csspart powered-by - "Powered by Stripe".
 * @csspart empty - The note shown when billing is off.
 * @cssproperty [--billing-color-surface=light-dark(#fff, #1f1f25)] - Dialog background.
 * @cssproperty [--billing-color-border=light-dark(#cfcfd8, #4a4a55)] - Dialog border.
 * @cssproperty [--billing-radius=8px] - Corner radius of the dialog and buttons.
 * @cssstate loaded - Showing the offer.
 * @cssstate empty - Billing is off.
 */
@customElement('setup-payment-modal')
export class SetupPaymentModal extends BillingElement {
  static override styles = [billingStyles, setupModalStyles];

  /** Whether the dialog is open; `show()` and `close()` set it. */
  @property({ type: Boolean, reflect: true }) open = false;

  /** Opens the dialog once, by itself, when the account has no payment method. */
  @property({ type: Boolean, attribute: 'auto-open' }) autoOpen = false;

  private returnFocus: HTMLElement | undefined;

  /** Opens the dialog and moves focus into it. */
  show(): void {
    this.open = true;
  }

  /** Closes the dialog; focus goes back where it was before `show()`. */
  close(): void {
    this.open = false;
  }

  protected override willUpdate(): void {
    super.willUpdate();
    const summary = this.store!.summary;
    if (this.autoOpen && summary?.billing_enabled && !summary.has_payment_method) {
      this.autoOpen = false;
      this.open = true;
    }
  }

  protected override updated(): void {
    super.updated();
    const dialog = this.renderRoot.querySelector('dialog')!;
    if (this.open && !dialog.open) {
      // The focused element, looking into shadow roots, so focus can go back exactly where it was.
      let active = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      this.returnFocus = active as HTMLElement;
      dialog.showModal();
    }
    if (!this.open && dialog.open) dialog.close();
  }

  protected override heading(m: Messages): string {
    return this.store?.summary?.payment_method ? m.paymentMethod : m.setupTitle;
  }

  protected override renderContent(summary: BillingSummary, m: Messages) {
    const card = summary.payment_method;
    return html`${
      card
        ? html`<p part="card-on-file">${cardText(card, m)}</p>`
        : summary.welcome_credit_cents && !summary.welcome_granted
          ? html`<p part="offer"><strong>${fill(m.offer, this.money(summary.welcome_credit_cents))}</strong></p>`
          : ''
    }
      <div class="row">
        ${this.button('proceed', card ? m.replace : m.addCard, () =>
          // In embedded mode the card is collected inside this dialog (on-page-checkout.ts).
          this.pay('setup', 'setup', (client, url, ui) => client.createCustomerSetupSession(url, ui)),
        )}
        ${this.button('dismiss', m.notNow, () => this.close(), true)}
      </div>
      <p part="powered-by" class="muted">${m.poweredBy}</p>`;
  }

  /** While the dialog is open the toast goes inside it: outside, it would sit inert behind the backdrop. */
  protected override render() {
    return [
      html`<dialog part="dialog" aria-labelledby="h" @close=${this.onClose}>
        ${this.open ? [this.renderCard(), this.renderToast()] : ''}
        <button part="close" class="secondary" aria-label=${(this.messages ?? en).close} @click=${this.close}>&times;</button>
      </dialog>`,
      this.open ? '' : this.renderToast(),
    ];
  }

  /** Escape, `close()` and the buttons all end here. */
  private onClose(): void {
    this.open = false;
    this.failedAction = undefined;
    this.returnFocus?.focus();
  }
}

/** "Visa •••• 4242, expires 12/34" in the element's language. */
function cardText(card: PaymentMethodSummary, m: Messages): string {
  const expiry = `${`0${card.exp_month}`.slice(-2)}/${`${card.exp_year}`.slice(-2)}`;
  // Stripe's brand id capitalised ("visa" → "Visa", "amex" → "Amex"), as in every language.
  const brand = card.brand.replace(/^./, (first) => first.toUpperCase());
  return fill(m.cardOnFile, brand, card.last4, expiry);
}

declare global {
  interface HTMLElementTagNameMap {
    'setup-payment-modal': SetupPaymentModal;
  }
}
