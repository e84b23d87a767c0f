import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { BillingSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { parseAmountCents } from './amount.js';
import { topupStyles } from './billing-topup.styles.js';

/**
 * Buys credits: preset amounts and a custom amount, checked against the server's minimum, maximum
 * and two decimals before any request, then a redirect to Stripe Checkout.
 *
 * @summary Adds credits through Stripe Checkout.
 * @event billing-checkout - Before the redirect to Stripe; cancelable to stay on the page.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - A call failed (`action` is `load` or `topup`; `error` has the status, code,
 *   message and request id). Cancelable: `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart owes - With a negative balance: what is owed, which a top-up pays first.
 * @csspart preset - A preset amount button (`aria-pressed` when chosen).
 * @csspart input - The custom amount field.
 * @csspart hint - The bounds, or why the amount is refused.
 * @csspart submit - The button that starts checkout.
 * @csspart empty - The note shown when billing is off.
 * @cssproperty [--billing-color-border=light-dark(#cfcfd8, #4a4a55)] - Card and field borders.
 * @cssproperty [--billing-color-danger=light-dark(#b3261e, #ffb4ab)] - Errors and refused amounts.
 * @cssproperty [--billing-radius=8px] - Corner radius of cards, buttons and fields.
 * @cssstate loaded - Ready to take an amount.
 * @cssstate empty - Billing is off.
 */
@customElement('billing-topup')
export class BillingTopup extends BillingElement {
  static override styles = [billingStyles, topupStyles];

  /** Preset amounts in major units, comma-separated; those outside the server's bounds are hidden. */
  @property() presets = '10,25,50,100';

  /** The amount typed, or the preset chosen (in major units). */
  @state() private amount = '';
  /** Why the amount was refused; empty while it is acceptable. */
  @state() private problem = '';
  protected override heading(m: Messages): string {
    return m.topup;
  }

  protected override renderContent({ topup, credits_cents }: BillingSummary, m: Messages) {
    const cents = parseAmountCents(this.amount);
    const owed = credits_cents !== null && credits_cents < 0 ? -credits_cents : 0;
    return html`${owed ? html`<p part="owes" class="error">${fill(m.owesTopup, this.money(owed))}</p>` : ''}
      <form @submit=${this.submit}>
      <div class="row">
        ${this.presets.split(',').map((preset) => {
          const value = parseAmountCents(preset);
          return value && value >= topup.min_cents && value <= topup.max_cents
            ? html`<button type="button" part="preset" aria-pressed=${cents === value}
                @click=${() => this.choose(preset.trim())}>${this.money(value)}</button>`
            : '';
        })}
      </div>
      <label>${m.other}
        <input part="input" inputmode="decimal" .value=${this.amount} aria-invalid=${!!this.problem} aria-describedby="hint"
          @input=${(e: InputEvent) => this.choose((e.target as HTMLInputElement).value)} />
      </label>
      <p id="hint" part="hint" class=${this.problem ? 'error' : 'muted'} aria-live="polite">
        ${this.problem || `${this.money(topup.min_cents)} – ${this.money(topup.max_cents)}`}
      </p>
      <button part="submit" ?disabled=${this.pending}>${cents ? fill(m.add, this.money(cents)) : m.topup}</button>
    </form>`;
  }

  private choose(amount: string): void {
    this.amount = amount;
    this.problem = '';
    // Retry would send the amount that failed, not the one now shown.
    this.failedAction = undefined;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const m = this.messages!;
    const { min_cents, max_cents } = this.store!.summary!.topup;
    const cents = parseAmountCents(this.amount);
    this.problem =
      cents === undefined
        ? this.amount.trim()
          ? m.badAmount
          : m.choose
        : cents < min_cents
          ? fill(m.tooSmall, this.money(min_cents))
          : cents > max_cents
            ? fill(m.tooLarge, this.money(max_cents))
            : '';
    if (this.problem || this.pending) return;
    const failure = await this.pay(
      'topup',
      'topup',
      (client, url, ui) => client.createCheckoutSession(cents! / 100, url, ui),
      cents,
    );
    if (failure?.field === 'amount') this.problem = failure.message;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-topup': BillingTopup;
  }
}
