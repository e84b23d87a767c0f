import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { AutoRecharge, BillingSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { parseAmountCents } from '../billing-topup/amount.js';
import { autoRechargeStyles } from './billing-auto-recharge.styles.js';

type Field = 'threshold' | 'amount' | 'monthly_cap';

/** How often the element reloads the summary while a charge is in flight, to show its outcome. */
const CHARGING_REFRESH_MS = 2000;

/**
 * Auto-recharge: the user's explicit consent to charge the saved card when usage takes the balance
 * below a threshold. Shows what will be charged, when and up to what monthly cap, and how to turn
 * it off; the three amounts; the state (off, on, charging, failed with the reason, or waiting for
 * the user to confirm the charge with their bank, with a button that does it). Reads the shared
 * summary (no request of its own on load) and reloads it while a charge is in flight.
 *
 * @summary Tops the balance up from the saved card when it runs low, within the user's limits.
 * @event billing-checkout - Before the redirect to the bank's authentication page (`kind` `authenticate`); cancelable.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - A call failed (`action` is `load` or `auto-recharge`). Cancelable:
 *   `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart status - The current state, and the last error.
 * @csspart input - An amount field (threshold, amount, monthly cap).
 * @csspart consent - What enabling allows: what is charged, when, the cap, how to turn it off.
 * @csspart hint - Why an amount is refused.
 * @csspart submit - Turns auto-recharge on, or saves changed amounts.
 * @csspart disable - Turns auto-recharge off.
 * @csspart complete - Opens the bank's page to confirm a held-back charge.
 * @csspart empty - The note shown when billing is off or no card is saved.
 * @cssproperty [--billing-color-border=light-dark(#cfcfd8, #4a4a55)] - Card and field borders.
 * @cssproperty [--billing-color-danger=light-dark(#b3261e, #ffb4ab)] - Errors and refused amounts.
 * @cssproperty [--billing-radius=8px] - Corner radius of cards, buttons and fields.
 * @cssstate loaded - Showing the settings.
 * @cssstate empty - Billing is off.
 */
@customElement('billing-auto-recharge')
export class BillingAutoRecharge extends BillingElement {
  static override styles = [billingStyles, autoRechargeStyles];

  /** The threshold suggested before the user first saves one (major units). */
  @property() threshold = '10';
  /** The amount suggested before the user first saves one (major units). */
  @property() amount = '25';
  /** The monthly cap suggested before the user first saves one (major units). */
  @property({ attribute: 'monthly-cap' }) monthlyCap = '100';
  /**
   * Reloads the shared summary this often (seconds) while auto-recharge is on, so a recharge made
   * while the page is open appears without a reload; 0 (the default) only reloads while a charge is
   * in flight.
   */
  @property({ attribute: 'refresh-seconds', type: Number }) refreshSeconds = 0;

  /** What the user typed, by field, until it is saved. */
  @state() private draft: Partial<Record<Field, string>> = {};
  /** The refused field and why. */
  @state() private problem: { field: Field; message: string } | undefined;
  private refreshTimer = 0;

  protected override heading(m: Messages): string {
    return m.autoRecharge.title;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.refreshTimer);
    this.refreshTimer = 0;
  }

  protected override updated(): void {
    super.updated();
    const auto = this.store?.summary?.auto_recharge;
    const delay =
      auto?.status === 'charging'
        ? CHARGING_REFRESH_MS
        : auto?.enabled && this.refreshSeconds > 0
          ? this.refreshSeconds * 1000
          : 0;
    if (delay && !this.refreshTimer && this.isConnected) {
      this.refreshTimer = window.setTimeout(() => {
        this.refreshTimer = 0;
        void this.store?.refresh(this);
      }, delay);
    }
  }

  protected override renderContent(summary: BillingSummary, m: Messages) {
    const auto = summary.auto_recharge;
    const t = m.autoRecharge;
    if (!summary.has_payment_method && !auto.enabled && auto.status !== 'action_required') {
      return html`<p part="empty" class="muted">${t.needsCard}</p>`;
    }
    const values = this.values(auto);
    const cents = (field: Field) => parseAmountCents(values[field]);
    const shown = (field: Field) => {
      const c = cents(field);
      return c === undefined ? '…' : this.money(c);
    };
    return html`<form @submit=${this.submit} novalidate>
      ${this.renderStatus(auto, t)}
      <div class="fields">
        ${this.field('threshold', t.threshold, values.threshold)}
        ${this.field('amount', t.amount, values.amount)}
        ${this.field('monthly_cap', t.cap, values.monthly_cap)}
      </div>
      <p id="hint" part="hint" class="error" aria-live="polite">${this.problem?.message ?? ''}</p>
      <p id="consent" part="consent">
        ${fill(t.consent, shown('threshold'), shown('amount'), shown('monthly_cap'))}
      </p>
      <p class="muted">${fill(t.charged, this.money(auto.charged_this_month_cents))}</p>
      <div class="row">
        <button part="submit" aria-describedby="consent" ?disabled=${this.pending}>
          ${auto.enabled ? t.save : t.turnOn}
        </button>
        ${auto.enabled ? this.button('disable', t.turnOff, () => this.save(false), true) : ''}
      </div>
    </form>`;
  }

  private renderStatus(auto: AutoRecharge, t: Messages['autoRecharge']) {
    const error = auto.last_error;
    const capped = error?.code === 'monthly_cap_reached';
    const troubled = auto.status === 'failed' || auto.status === 'action_required';
    return html`<div class="status" role="status">
        <p part="status" class=${troubled ? 'error' : ''}>
          <strong>${t.status[auto.status]}</strong>
          ${error && !capped ? html`<span>${error.message}</span>` : ''}
        </p>
        ${capped ? html`<p part="status" class="muted">${t.capReached}</p>` : ''}
      </div>
      ${auto.status === 'action_required' ? this.button('complete', t.complete, this.complete) : ''}`;
  }

  private field(name: Field, label: string, value: string) {
    const invalid = this.problem?.field === name;
    return html`<label
      >${label}
      <input
        part="input"
        name=${name}
        inputmode="decimal"
        autocomplete="off"
        .value=${value}
        aria-invalid=${invalid}
        aria-describedby=${invalid ? 'hint' : 'consent'}
        @input=${(e: InputEvent) => this.edit(name, (e.target as HTMLInputElement).value)}
    /></label>`;
  }

  /** The fields' text: what the user typed, else the saved settings, else the suggested amounts. */
  private values(auto: AutoRecharge): Record<Field, string> {
    const saved = (value: string | null, fallback: string) => value ?? fallback;
    return {
      threshold: this.draft.threshold ?? saved(auto.threshold, this.threshold),
      amount: this.draft.amount ?? saved(auto.amount, this.amount),
      monthly_cap: this.draft.monthly_cap ?? saved(auto.monthly_cap, this.monthlyCap),
    };
  }

  private edit(field: Field, value: string): void {
    this.draft = { ...this.draft, [field]: value };
    this.problem = undefined;
    // Retry would send the amounts that failed, not the ones now shown.
    this.failedAction = undefined;
  }

  /** The amounts in cents, or the first problem (checked as the server will, before any request). */
  private check(summary: BillingSummary): Record<Field, number> | { field: Field; message: string } {
    const m = this.messages!;
    const values = this.values(summary.auto_recharge);
    const parsed = {} as Record<Field, number>;
    for (const field of ['threshold', 'amount', 'monthly_cap'] as const) {
      const cents = parseAmountCents(values[field]);
      if (!cents) return { field, message: m.autoRecharge.enterAmount };
      parsed[field] = cents;
    }
    const { min_cents, max_cents } = summary.topup;
    if (parsed.amount < min_cents)
      return { field: 'amount', message: fill(m.tooSmall, this.money(min_cents)) };
    if (parsed.amount > max_cents)
      return { field: 'amount', message: fill(m.tooLarge, this.money(max_cents)) };
    if (parsed.threshold > max_cents) {
      return { field: 'threshold', message: fill(m.tooLarge, this.money(max_cents)) };
    }
    if (parsed.monthly_cap < parsed.amount) {
      return { field: 'monthly_cap', message: m.autoRecharge.capBelowAmount };
    }
    const capMax = summary.auto_recharge.monthly_cap_max_cents;
    if (parsed.monthly_cap > capMax) {
      return { field: 'monthly_cap', message: fill(m.tooLarge, this.money(capMax)) };
    }
    return parsed;
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    void this.save(true);
  }

  private async save(enabled: boolean): Promise<void> {
    if (this.pending) return;
    const checked = this.check(this.store!.summary!);
    if ('field' in checked) {
      this.problem = checked;
      this.renderRoot.querySelector<HTMLInputElement>(`input[name=${checked.field}]`)?.focus();
      return;
    }
    const failure = await this.perform('auto-recharge', (store) =>
      store.act(this, (client) =>
        client.saveAutoRecharge({
          enabled,
          threshold: checked.threshold / 100,
          amount: checked.amount / 100,
          monthly_cap: checked.monthly_cap / 100,
        }),
      ),
    );
    if (!failure) this.draft = {};
    else if (failure.field === 'threshold' || failure.field === 'amount' || failure.field === 'monthly_cap') {
      this.problem = { field: failure.field, message: failure.message };
    }
  }

  private complete(): Promise<unknown> {
    return this.perform('auto-recharge', (store) =>
      store.redirect(this, 'authenticate', (client, url) =>
        client.call('auto-recharge/complete', { return_url: url }),
      ),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-auto-recharge': BillingAutoRecharge;
  }
}
