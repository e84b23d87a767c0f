import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { cardText, hasPart, inState, part } from '../../testing/dom.js';
import {
  deferred,
  errorResponse,
  FakeBillingApi,
  summaryFixture,
  until,
  usageFixture,
} from '../../testing/fake-billing-api.js';
import type { BillingUsage } from './billing-usage.js';

/** The tooltip's lines, one space between them. */
const tooltipText = (el: Element) =>
  [...part(el, 'tooltip').children].map((line) => line.textContent!.trim()).join(' ');

const usage7 = usageFixture(7, (i) => ({ chat: 100 * (i + 1), images: i % 2 ? 50 : 0 }));

async function mount(api: FakeBillingApi, attrs = '', lang = 'en'): Promise<BillingUsage> {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-provider api-base=${api.apiBase} token="t"><billing-balance></billing-balance>${
      attrs === 'days=7'
        ? html`<billing-usage days="7"></billing-usage>`
        : html`<billing-usage></billing-usage>`
    }</billing-provider></div>`,
  );
  return wrapper.querySelector('billing-usage')!;
}

describe('<billing-usage>', () => {
  it('loads inside the page’s one /summary request, then draws every day', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('get', 'summary', async (r) => {
      await held.promise;
      return summaryFixture({ usage: r.query.get('usage_days') === '7' ? usage7 : undefined });
    });
    const el = await mount(api, 'days=7');
    await until(() => api.count('summary') === 1, 'the summary request');
    expect(inState(el, 'loading')).to.equal(true);
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => inState(el, 'loaded'), 'the chart');
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).to.deep.equal(['summary?usage_days=7']);
    expect(el.shadowRoot!.querySelectorAll('svg g').length).to.equal(7);
    expect(el.shadowRoot!.querySelectorAll('svg rect').length).to.equal(10);
    expect(part(el, 'total').textContent).to.contain('$29.50');
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).to.equal(
      'Spend per day, 7 days from Oct 26, 2026 to Nov 1, 2026: $29.50 in total, at most $7.00 on Nov 1, 2026.',
    );
    expect([...part(el, 'legend').children].map((li) => li.textContent!.trim())).to.deep.equal([
      'chat $28.00',
      'images $1.50',
    ]);
    expect(part(el, 'forecast').textContent).to.match(
      /^At this pace your balance lasts until \w+ \d+, 2026\.$/,
    );
    expect(el.shadowRoot!.querySelectorAll('table tr').length).to.equal(8);
    await expect(el).to.be.accessible();
  });

  it('fetches its own usage summary when the page’s summary carries other days', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usageFixture(30, () => ({ chat: 10 })) }));
    api.on('get', 'usage-summary', () => usage7);
    const wrapper = await fixture<HTMLDivElement>(
      html`<billing-provider api-base=${api.apiBase} token="t"><billing-usage></billing-usage><billing-usage days="7"></billing-usage></billing-provider>`,
    );
    const [month, week] = wrapper.querySelectorAll('billing-usage');
    await until(() => inState(week!, 'loaded') && inState(month!, 'loaded'), 'both charts');
    expect(api.requests.map((r) => `${r.path}?${r.query}`)).to.deep.equal([
      'summary?usage_days=30',
      'usage-summary?days=7',
    ]);
    expect(week!.shadowRoot!.querySelectorAll('svg g').length).to.equal(7);
    expect(month!.shadowRoot!.querySelectorAll('svg g').length).to.equal(30);
    // A change of `days` fetches that period once.
    api.on('get', 'usage-summary', (r) => usageFixture(Number(r.query.get('days')), () => ({ chat: 5 })));
    (week as BillingUsage).days = 14;
    await until(() => week!.shadowRoot!.querySelectorAll('svg g').length === 14, 'the 14-day chart');
    await new Promise((r) => setTimeout(r, 100));
    expect(api.count('usage-summary')).to.equal(2);
  });

  it('shows a day’s figures on focus and moves with the arrow keys', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usage7 }));
    const el = await mount(api, 'days=7');
    await until(() => inState(el, 'loaded'), 'the chart');
    const chart = part(el, 'chart');
    chart.focus();
    await el.updateComplete;
    expect(tooltipText(el).replace(/\s+/g, ' ').trim()).to.equal('Nov 1, 2026: $7.00 chat $7.00');
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }));
    await el.updateComplete;
    expect(tooltipText(el).replace(/\s+/g, ' ').trim()).to.equal(
      'Oct 31, 2026: $6.50 chat $6.00 images $0.50',
    );
    expect(el.shadowRoot!.querySelector('g.on')!.getAttribute('data-date')).to.equal('2026-10-31');
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home' }));
    await el.updateComplete;
    expect(part(el, 'tooltip').textContent).to.contain('Oct 26, 2026');
    await expect(el).to.be.accessible();
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await el.updateComplete;
    expect(hasPart(el, 'tooltip')).to.equal(false);
  });

  it('shows the day under the pointer', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usage7 }));
    const el = await mount(api, 'days=7');
    await until(() => inState(el, 'loaded'), 'the chart');
    const chart = part(el, 'chart');
    const box = chart.getBoundingClientRect();
    chart.dispatchEvent(
      new PointerEvent('pointermove', { clientX: box.left + box.width * 0.1, clientY: box.top + 5 }),
    );
    await el.updateComplete;
    expect(part(el, 'tooltip').textContent).to.contain('Oct 26, 2026: $1.00');
    chart.dispatchEvent(new PointerEvent('pointerleave'));
    await el.updateComplete;
    expect(hasPart(el, 'tooltip')).to.equal(false);
  });

  it('is empty for a period with no spend', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usageFixture(30, () => ({})) }));
    const el = await mount(api);
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.equal('Usage No usage in the last 30 days.');
    await expect(el).to.be.accessible();
  });

  it('shows a failed usage request with a Retry that fetches it again', async () => {
    const api = new FakeBillingApi();
    // A summary without usage (a server older than the usage summary): the element asks for its own.
    api.on('get', 'summary', () => summaryFixture());
    api.on('get', 'usage-summary', () =>
      errorResponse(503, 'store_unavailable', 'The store is not answering.'),
    );
    const el = await fixture<BillingUsage>(
      html`<billing-usage api-base=${api.apiBase} token="t" days="7"></billing-usage>`,
    );
    el.addEventListener('billing-error', (e) => e.preventDefault());
    await until(() => inState(el, 'error'), 'the error state');
    expect(part(el, 'error').textContent).to.equal('The store is not answering.');
    await expect(el).to.be.accessible();
    api.on('get', 'usage-summary', () => usage7);
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the chart after Retry');
    // The failed read was tried three times (the client retries a read twice), then once by Retry.
    expect(api.count('usage-summary')).to.equal(4);
  });

  it('speaks Chinese with Chinese dates and money, and takes a palette', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usage7 }));
    const el = await mount(api, 'days=7', 'zh-CN');
    el.palette = ['rgb(1, 2, 3)', 'rgb(4, 5, 6)'];
    await until(
      () => inState(el, 'loaded') && part(el, 'heading').textContent === '用量',
      'the chart in Chinese',
    );
    expect(part(el, 'total').textContent).to.contain('US$29.50');
    expect(part(el, 'forecast').textContent).to.match(/^按当前用量，余额可用至 2026年\d+月\d+日。$/);
    const rects = [...el.shadowRoot!.querySelectorAll('rect')];
    expect(rects.map((r) => r.style.fill)).to.include.members(['rgb(1, 2, 3)', 'rgb(4, 5, 6)']);
    await expect(el).to.be.accessible();
  });

  it('keeps its contrast in the dark theme', async () => {
    const api = new FakeBillingApi(summaryFixture({ usage: usage7 }));
    const el = await mount(api, 'days=7');
    el.theme = 'dark';
    await until(() => inState(el, 'loaded'), 'the chart');
    expect(getComputedStyle(part(el, 'base')).backgroundColor).to.equal('rgb(31, 31, 37)');
    await expect(el).to.be.accessible();
  });
});
