import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BillingElement, type ViewState } from '../../base/billing-element.js';
import type { BillingApiError } from '../../client/billing-api-error.js';
import type { LedgerEntry } from '../../client/types.js';
import type { Messages } from '../../i18n/en.js';
import { formatDate } from '../../i18n/format.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { historyStyles } from './billing-history.styles.js';

/**
 * The account's ledger, newest first, a page at a time. It reloads its first page whenever the
 * shared state is refreshed after the first load (a return from Stripe, a cancel, a resume).
 *
 * @summary Lists credit purchases, grants and usage.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - Loading failed (`action` is `load`, or `history` for a page of the ledger;
 *   `error` has the status, code, message and request id). Cancelable: `preventDefault()` suppresses
 *   the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart table - The ledger table.
 * @csspart row - One ledger entry.
 * @csspart more - The Load more button.
 * @csspart empty - The note shown when there are no entries or billing is off.
 * @csspart error - The error message.
 * @csspart retry - The Retry button.
 * @cssproperty [--billing-color-border=light-dark(#cfcfd8, #4a4a55)] - Card border and row rules.
 * @cssproperty [--billing-color-success=light-dark(#17693a, #90dcaa)] - Credits.
 * @cssstate loading - Waiting for the first page.
 * @cssstate loaded - Showing entries.
 * @cssstate empty - No entries yet, or billing is off.
 */
@customElement('billing-history')
export class BillingHistory extends BillingElement {
  static override styles = [billingStyles, historyStyles];

  /** Entries per page (the server accepts 1 to 100). */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;

  @state() private entries: LedgerEntry[] | undefined;
  private cursor: string | null = null;
  private listError: BillingApiError | undefined;
  /** The summary revision the list reflects; a newer one means the ledger may have changed. */
  private revision = 0;
  /** Numbers each load, so an older answer arriving late never overwrites a newer one. */
  private loads = 0;

  protected override willUpdate(): void {
    super.willUpdate();
    const store = this.store!;
    // Each summary (the first load and every refresh) may carry a new ledger; wait for it.
    if (!store.summary || store.revision <= this.revision) return;
    this.revision = store.revision;
    // The summary carries the first page, so a page of widgets makes one request; another page
    // size (or an older server) fetches its own.
    const first = store.summary.transactions;
    if (first && first.limit === this.pageSize) {
      this.loads++;
      this.listError = undefined;
      this.entries = first.data;
      this.cursor = first.next_cursor;
    } else {
      void this.load();
    }
  }

  protected override get failure(): BillingApiError | undefined {
    return this.listError ?? super.failure;
  }

  protected override viewState(): ViewState {
    const state = super.viewState();
    return state !== 'loaded' ? state : !this.entries ? 'loading' : this.entries.length ? state : 'empty';
  }

  protected override retry(): void {
    if (this.listError) void this.load();
    else super.retry();
  }

  protected override heading(m: Messages): string {
    return m.history;
  }

  protected override renderContent(_summary: unknown, m: Messages) {
    const entries = this.entries!;
    return entries.length
      ? html`<table part="table">
            <tr>${m.columns.map((column) => html`<th scope="col">${column}</th>`)}</tr>
            ${entries.map(
              (entry) => html`<tr part="row">
                <td>${formatDate(entry.created_at, this.locale)}</td>
                <td>${entryLabel(entry, m)}</td>
                <td class=${entry.amount_cents > 0 ? 'credit' : ''}>${this.money(entry.amount_cents, true)}</td>
                <td>${this.money(entry.balance_after_cents)}</td>
              </tr>`,
            )}
          </table>
          ${this.cursor ? this.button('more', m.more, () => this.load(true), true) : ''}`
      : html`<p part="empty" class="muted">${m.noHistory}</p>`;
  }

  /** Fetches the first page, or with `more` the page after the last one shown. */
  private load(more?: boolean): Promise<void> {
    const load = ++this.loads;
    if (!more) this.listError = undefined;
    return this.busy(async (store) => {
      try {
        const page = await store.client.transactions(this.pageSize, more ? this.cursor : null);
        if (load !== this.loads) return;
        this.entries = more ? [...this.entries!, ...page.data] : page.data;
        this.cursor = page.next_cursor;
      } catch (error) {
        if (load === this.loads) this.listError = store.report(this, error, 'history');
      }
      this.requestUpdate();
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-history': BillingHistory;
  }
}

/**
 * What a row is called: money that went back out through Stripe (a refund of a payment, a dispute
 * and its reinstatement) by its kind, in the page's language; anything else by its description, or
 * its kind with the feature usage was reported for ("Usage · chat").
 */
function entryLabel(entry: LedgerEntry, m: Messages): string {
  if (entry.kind === 'dispute' || entry.kind === 'dispute_reinstated') return m.kinds[entry.kind]!;
  if (entry.kind === 'refund' && entry.stripe_object_id) return m.kinds.refund_payment!;
  const kind = m.kinds[entry.kind] ?? entry.kind;
  return entry.description ?? (entry.feature ? `${kind} · ${entry.feature}` : kind);
}
