import { html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { BillingElement } from '../../base/billing-element.js';
import type { BillingSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { formatDate } from '../../i18n/format.js';

/**
 * The account's subscription: none or ended → the plans, each with Subscribe; active → the renewal
 * date and Cancel, which asks for confirmation; cancelling → the end date and Resume; past due →
 * Update card (a new default card for the next attempt).
 *
 * @summary Subscribe, cancel, resume, or fix a failed payment.
 * @event billing-checkout - Before the redirect to Stripe; cancelable to stay on the page.
 * @event billing-change - The shared billing state was refreshed (also after cancel and resume).
 * @event billing-error - A call failed (`action` is `load`, `subscribe`, `cancel`, `resume`, or `setup`
 *   for Update card; `error` has the status, code, message and request id). Cancelable:
 *   `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart status - Where the subscription stands.
 * @csspart plan - One plan: its name and price.
 * @csspart subscribe - A plan's Subscribe button.
 * @csspart cancel - The Cancel button.
 * @csspart confirm - The confirmation's "Yes, cancel" button.
 * @csspart keep - The confirmation's "Keep it" button.
 * @csspart resume - The Resume button.
 * @csspart update-card - The Update card button (past due).
 * @csspart empty - The note shown when billing is off.
 * @cssstate loaded - Showing the subscription or the plans.
 * @cssstate empty - No subscription and no plan offered, or billing is off.
 */
@customElement('billing-subscription')
export class BillingSubscription extends BillingElement {
  /** True while Cancel waits for confirmation. */
  @state() private confirming = false;

  protected override heading(m: Messages): string {
    return m.subscription;
  }

  protected override isEmpty({ billing_enabled, plans, subscription }: BillingSummary): boolean {
    return !billing_enabled || (!plans.length && /none|ended/.test(subscription.status));
  }

  protected override renderContent({ plans, subscription }: BillingSummary, m: Messages) {
    const { status, cancel_at, current_period_end } = subscription;
    const date = formatDate(cancel_at ?? current_period_end, this.locale);
    const plan = plans.find((p) => p.id === subscription.plan_id);
    const button = this.button.bind(this);
    return html`<p part="status" class=${status === 'past_due' ? 'error' : ''}>
        ${plan && status !== 'none' ? `${plan.name} · ` : ''}${fill(m.status[status], date)}
      </p>
      <div class="row">
        ${
          status === 'active'
            ? this.confirming
              ? [
                  html`<p role="alert">${fill(m.confirmCancel, date)}</p>`,
                  button('keep', m.keep, () => (this.confirming = false), true),
                  button('confirm', m.confirm, () =>
                    this.perform('cancel', (store) =>
                      store.act(this, (client) => client.cancelSubscription()),
                    ).then(() => (this.confirming = false)),
                  ),
                ]
              : button('cancel', m.cancel, () => (this.confirming = true), true)
            : status === 'cancelling'
              ? button('resume', m.resume, () =>
                  this.perform('resume', (store) => store.act(this, (client) => client.resumeSubscription())),
                )
              : status === 'past_due'
                ? button('update-card', m.updateCard, () =>
                    this.pay('setup', 'setup', (client, url, ui) =>
                      client.createCustomerSetupSession(url, ui),
                    ),
                  )
                : plans.map(
                    (
                      p,
                    ) => html`<span part="plan">${p.name} &middot; ${fill(m.plan, this.money(p.amount_cents))}</span>
                      ${button('subscribe', m.subscribe, () =>
                        this.pay('subscribe', 'subscription', (client, url, ui) =>
                          client.subscriptionCheckoutSession(p.id, url, ui),
                        ),
                      )}`,
                  )
        }
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-subscription': BillingSubscription;
  }
}
