import { css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { BillingSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { formatDay } from '../../i18n/format.js';
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
 * @csspart low - "Your balance is low.", at or below `threshold`.
 * @csspart forecast - "At this pace your balance lasts until DATE.", when the last 7 days had usage.
 * @csspart error - The error message.
 * @csspart retry - The Retry button.
 * @cssstate loaded - Showing the balance.
 * @cssstate empty - Zero balance, or billing is off.
 * @cssstate low - The balance is at or below `threshold` (also while loaded).
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

  /** A balance at or below this many major units (e.g. 5) shows as low; unset, never. */
  @property({ type: Number }) threshold: number | undefined;

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
    const runsOut = summary.usage_forecast?.runs_out_on;
    return html`<p part="amount"><strong>${this.money(summary.credits_cents ?? 0)}</strong></p>
      ${this.isLow() ? html`<p part="low" class="error">${m.low}</p>` : ''}
      ${summary.credits_cents ? '' : html`<p part="empty" class="muted">${m.noCredits}</p>`}
      ${summary.credits_cents && runsOut ? html`<p part="forecast" class="muted">${fill(m.lasts, formatDay(runsOut, this.locale))}</p>` : ''}`;
  }

  protected override updated(): void {
    super.updated();
    if (this.isLow()) this.internals.states.add('low');
  }

  private isLow(): boolean {
    const cents = this.store?.summary?.credits_cents;
    return this.threshold !== undefined && cents != null && cents <= Math.round(this.threshold * 100);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-balance': BillingBalance;
  }
}
