import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { BillingSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { billingStyles } from '../../styles/billing.styles.js';

/**
 * The account's credit balance, formatted in its currency and the page's language. Empty when the
 * balance is zero or billing is off. A negative balance (a refund or dispute took back credit
 * already spent) reads "You owe $X.XX", with a top-up as the way back.
 *
 * @summary Shows the credit balance.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - Loading failed (`action` is `load`; `error` has the status, code, message and
 *   request id). Cancelable: `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart amount - The balance.
 * @csspart empty - The note shown when there are no credits or billing is off.
 * @csspart owes - The amount owed, shown instead of the balance when it is negative.
 * @csspart owes-hint - The note under it: add credits to continue.
 * @csspart error - The error message.
 * @csspart retry - The Retry button.
 * @cssstate loaded - Showing the balance.
 * @cssstate empty - Zero balance, or billing is off.
 */
@customElement('billing-balance')
export class BillingBalance extends BillingElement {
  static override styles = [
    billingStyles,
    css`
      .owes {
        color: var(--_danger);
      }
    `,
  ];

  protected override heading(m: Messages): string {
    return m.balance;
  }

  protected override isEmpty(summary: BillingSummary): boolean {
    return !summary.billing_enabled || !summary.credits_cents;
  }

  protected override renderContent(summary: BillingSummary, m: Messages) {
    const cents = summary.credits_cents ?? 0;
    if (cents < 0) {
      return html`<p part="owes" class="owes"><strong>${fill(m.owes, this.money(-cents))}</strong></p>
        <p part="owes-hint" class="muted">${m.owesHint}</p>`;
    }
    return html`<p part="amount"><strong>${this.money(summary.credits_cents ?? 0)}</strong></p>
      ${summary.credits_cents ? '' : html`<p part="empty" class="muted">${m.noCredits}</p>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-balance': BillingBalance;
  }
}
