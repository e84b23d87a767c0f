import { html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BillingElement, type ViewState } from '../../base/billing-element.js';
import type { BillingApiError } from '../../client/billing-api-error.js';
import type { UsageDay, UsageSummary } from '../../client/types.js';
import { fill, type Messages } from '../../i18n/en.js';
import { formatDay } from '../../i18n/format.js';
import { billingStyles } from '../../styles/billing.styles.js';
import { usageStyles } from './billing-usage.styles.js';
import { CHART_HEIGHT, type ChartLayout, dayAt, layoutChart, renderBars } from './usage-chart.js';

/**
 * Where the credits went: spend per day over the last `days` UTC days, stacked by feature, with the
 * period's total and the day the balance runs out at the last week's pace. The chart is an SVG
 * image with a text summary; a visually hidden table gives screen readers the same numbers. Hover a
 * day, or focus the chart and use the arrow keys, for that day's figures.
 *
 * A page's usage summary comes inside its one `/summary` request (the element asks the shared store
 * for `days` of it); another `<billing-usage>` with a different `days` fetches `/usage-summary`.
 *
 * @summary A bar chart of usage spend per day and feature, with the run-out forecast.
 * @event billing-change - The shared billing state was refreshed.
 * @event billing-error - Loading failed (`action` is `load`, or `usage` for its own usage request).
 *   Cancelable: `preventDefault()` suppresses the toast and the console line.
 * @csspart base - The card.
 * @csspart heading - The card's title.
 * @csspart total - The period's total.
 * @csspart chart - The chart (focusable; arrow keys move between days).
 * @csspart tooltip - The figures of the day under the pointer or selected by keyboard.
 * @csspart legend - The features with their colours and totals.
 * @csspart forecast - "At this pace your balance lasts until DATE."
 * @csspart empty - The note shown when nothing was spent in the period, or billing is off.
 * @csspart error - The error message.
 * @csspart retry - The Retry button.
 * @cssproperty [--billing-chart-1=light-dark(#1f4fcf, #a7bcff)] - First feature's colour (the biggest); `--billing-chart-2` to `--billing-chart-6` follow.
 * @cssstate loading - Waiting for the usage summary.
 * @cssstate loaded - Showing the chart.
 * @cssstate empty - Nothing spent in the period, or billing is off.
 */
@customElement('billing-usage')
export class BillingUsage extends BillingElement {
  static override styles = [billingStyles, usageStyles];

  /** Days shown, ending today (UTC): 1 to 90. */
  @property({ type: Number }) days = 30;

  /** Feature colours in order (biggest feature first); without it `--billing-chart-1` … `-6`. */
  @property({ attribute: false }) palette: string[] = [];

  @state() private usage: UsageSummary | undefined;
  @state() private selected: number | undefined;
  private usageError: BillingApiError | undefined;
  private revision = 0;
  private loads = 0;
  /** The `days` of the usage shown or being fetched. */
  private shownDays = 0;

  /** What the shared store asks `/summary` to carry for this element. */
  get usageDays(): number {
    return this.days;
  }

  protected override willUpdate(): void {
    super.willUpdate();
    const store = this.store!;
    if (!store.summary) return;
    if (store.revision > this.revision) {
      this.revision = store.revision;
      const carried = store.summary.usage;
      if (carried?.days === this.days) {
        this.loads++;
        this.usageError = undefined;
        this.usage = carried;
        this.shownDays = this.days;
        return;
      }
      void this.load();
    } else if (this.shownDays !== this.days) {
      // `days` changed after the first load.
      void this.load();
    }
  }

  protected override get failure(): BillingApiError | undefined {
    return this.usageError ?? super.failure;
  }

  protected override viewState(): ViewState {
    const state = super.viewState();
    return state !== 'loaded' ? state : !this.usage ? 'loading' : this.usage.total_cents ? state : 'empty';
  }

  protected override retry(): void {
    if (this.usageError) void this.load();
    else super.retry();
  }

  protected override heading(m: Messages): string {
    return m.usage;
  }

  protected override renderContent(_summary: unknown, m: Messages) {
    const usage = this.usage!;
    if (!usage.total_cents)
      return html`<p part="empty" class="muted">${fill(m.noUsage, String(usage.days))}</p>`;
    const names = usage.features.map((f) => f.feature);
    const layout = layoutChart(usage.daily, names);
    const peak = usage.daily.reduce((a, b) => (b.total_cents > a.total_cents ? b : a));
    const label = (f: string | null) => f ?? m.otherUse;
    return html`<p part="total" class="row"><strong>${this.money(usage.total_cents)}</strong>
        <span class="muted">${fill(m.usageTotal, String(usage.days))}</span></p>
      <div part="chart" role="group" tabindex="0" aria-label=${m.usage} @keydown=${this.onKey}
        @focus=${() => (this.selected ??= layout.groups.length - 1)} @blur=${this.unselect}
        @pointermove=${(e: PointerEvent) => this.onPointer(e, layout)} @pointerleave=${this.unselect}>
        <svg role="img" aria-label=${fill(m.chart, String(usage.days), this.date(usage.from), this.date(usage.to), this.money(usage.total_cents), this.money(peak.total_cents), this.date(peak.date))}
          viewBox="0 0 ${layout.width} ${CHART_HEIGHT}" preserveAspectRatio="none">
          ${renderBars(layout, (i) => this.colour(i), this.selected)}
        </svg>
        ${usage.daily[this.selected ?? -1] ? this.renderTooltip(usage.daily[this.selected!]!, label) : ''}
      </div>
      <p class="row axis muted" aria-hidden="true"><span>${this.date(usage.from)}</span><span>${this.date(usage.to)}</span></p>
      <ul part="legend" class="row">${usage.features.map(
        (f, i) =>
          html`<li><i style="background:${this.colour(i)}"></i>${label(f.feature)} ${this.money(f.amount_cents)}</li>`,
      )}</ul>
      ${usage.runs_out_on ? html`<p part="forecast">${fill(m.lasts, this.date(usage.runs_out_on))}</p>` : ''}
      <table class="hidden">
        <caption>${m.usage}</caption>
        <tr><th scope="col">${m.day}</th>${names.map((f) => html`<th scope="col">${label(f)}</th>`)}<th scope="col">${m.total}</th></tr>
        ${usage.daily.map(
          (d) =>
            html`<tr><th scope="row">${this.date(d.date)}</th>${names.map(
              (f) => html`<td>${this.money(d.features.find((x) => x.feature === f)?.amount_cents ?? 0)}</td>`,
            )}<td>${this.money(d.total_cents)}</td></tr>`,
        )}
      </table>`;
  }

  private renderTooltip(day: UsageDay, label: (f: string | null) => string) {
    const share = (this.selected! + 0.5) / this.usage!.days;
    return html`<p part="tooltip" aria-live="polite" style="left:${share * 100}%;translate:-${share * 100}%">
      <strong>${this.date(day.date)}: ${this.money(day.total_cents)}</strong>
      ${day.features.map((f) => html`<span>${label(f.feature)} ${this.money(f.amount_cents)}</span>`)}
    </p>`;
  }

  private date(day: string): string {
    return formatDay(day, this.locale);
  }

  private colour(i: number): string {
    return this.palette[i] ?? `var(--billing-chart-${(i % 6) + 1})`;
  }

  private onKey(e: KeyboardEvent): void {
    const last = this.usage!.days - 1;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, Home: -last, End: last };
    if (e.key === 'Escape') this.unselect();
    if (!(e.key in moves)) return;
    e.preventDefault();
    this.selected = Math.min(last, Math.max(0, (this.selected ?? last) + moves[e.key]!));
  }

  private onPointer(e: PointerEvent, layout: ChartLayout): void {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    this.selected = dayAt(layout, (e.clientX - box.left) / box.width);
  }

  private unselect(): void {
    this.selected = undefined;
  }

  /** Fetches this element's own usage summary (when the shared summary does not carry its days). */
  private load(): Promise<void> {
    const load = ++this.loads;
    this.shownDays = this.days;
    this.usageError = undefined;
    return this.busy(async (store) => {
      try {
        const usage = await store.client.usageSummary(this.days);
        if (load === this.loads) this.usage = usage;
      } catch (error) {
        if (load === this.loads) this.usageError = store.report(this, error, 'usage');
      }
      this.requestUpdate();
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'billing-usage': BillingUsage;
  }
}
