import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { cardText, inState, part } from '../../testing/dom.js';
import {
  deferred,
  errorResponse,
  FakeBillingApi,
  summaryFixture,
  until,
} from '../../testing/fake-billing-api.js';
import type { BillingBalance } from './billing-balance.js';

async function mount(api: FakeBillingApi, lang = 'en'): Promise<BillingBalance> {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-balance api-base=${api.apiBase} token="t"></billing-balance></div>`,
  );
  return wrapper.querySelector('billing-balance')!;
}

describe('<billing-balance>', () => {
  it('shows loading until the summary answers, then the balance', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('get', 'summary', () => held.promise.then(() => summaryFixture()));
    const el = await mount(api);
    await until(() => api.count('summary') === 1, 'the summary request');
    expect(inState(el, 'loading')).to.equal(true);
    expect(part(el, 'loading').textContent).to.equal('Loading…');
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(part(el, 'amount').textContent).to.equal('$12.50');
    expect(api.requests[0].authorization).to.equal('Bearer t');
    await expect(el).to.be.accessible();
  });

  it('is empty with a zero balance, and says so', async () => {
    const api = new FakeBillingApi(summaryFixture({ credits: '0.00', credits_cents: 0 }));
    const el = await mount(api);
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.contain('$0.00').and.contain('No credits yet.');
    await expect(el).to.be.accessible();
  });

  it('is empty when billing is off', async () => {
    const api = new FakeBillingApi(summaryFixture({ billing_enabled: false, credits: null }));
    const el = await mount(api);
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.contain('Billing is turned off.');
  });

  it('shows the error with a Retry button that retries', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(503, 'store_unavailable', 'The store is not answering.'));
    const el = await mount(api);
    await until(() => inState(el, 'error'), 'the error state');
    expect(part(el, 'error').textContent).to.equal('The store is not answering.');
    await expect(el).to.be.accessible();
    api.on('get', 'summary', () => summaryFixture({ credits: '3.00', credits_cents: 300 }));
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the loaded state after Retry');
    // The first load was sent three times (the client retries a 503 read twice), Retry once more.
    expect(api.count('summary')).to.equal(4);
    expect(part(el, 'amount').textContent).to.equal('$3.00');
  });

  it('shows a low balance at or below its threshold, and when the balance runs out at this pace', async () => {
    const forecast = { average_daily_7d: '1.00', average_daily_7d_cents: 100, runs_out_on: '2026-11-13' };
    const api = new FakeBillingApi(
      summaryFixture({ credits: '5.00', credits_cents: 500, usage_forecast: forecast }),
    );
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><billing-balance api-base=${api.apiBase} token="t" threshold="5"></billing-balance>
        <billing-balance api-base=${api.apiBase} token="t" threshold="4.99"></billing-balance>
        <billing-balance api-base=${api.apiBase} token="t"></billing-balance></div>`,
    );
    const [low, above, unset] = wrapper.querySelectorAll('billing-balance');
    await until(() => [low, above, unset].every((el) => inState(el!, 'loaded')), 'the balances');
    expect(inState(low!, 'low')).to.equal(true);
    expect(part(low!, 'low').textContent).to.equal('Your balance is low.');
    expect(part(low!, 'forecast').textContent).to.equal(
      'At this pace your balance lasts until Nov 13, 2026.',
    );
    expect(inState(above!, 'low')).to.equal(false);
    expect(cardText(above!)).not.to.contain('low');
    expect(inState(unset!, 'low')).to.equal(false);
    await expect(low!).to.be.accessible();
  });

  it('shows no run-out date without recent usage', async () => {
    const api = new FakeBillingApi();
    const el = await mount(api);
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(cardText(el)).to.equal('Credit balance $12.50');
  });

  it('speaks Simplified Chinese and formats money for zh-CN', async () => {
    const api = new FakeBillingApi();
    const el = await mount(api, 'zh-CN');
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(part(el, 'heading').textContent).to.equal('余额');
    expect(part(el, 'amount').textContent).to.equal('US$12.50');
  });

  it('follows the dark theme attribute', async () => {
    const api = new FakeBillingApi();
    const el = await mount(api);
    el.theme = 'dark';
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(getComputedStyle(part(el, 'base')).backgroundColor).to.equal('rgb(31, 31, 37)');
    await expect(el).to.be.accessible();
  });

  it('says plainly what a negative balance owes, in English and Chinese, with top-up as the way back', async () => {
    const api = new FakeBillingApi(summaryFixture({ credits: '-10.00', credits_cents: -1000 }));
    const el = await mount(api);
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(part(el, 'owes').textContent).to.equal('You owe $10.00');
    expect(part(el, 'owes-hint').textContent).to.equal('Add credits to keep using the service.');
    expect(cardText(el)).not.to.contain('-$10.00');
    await expect(el).to.be.accessible();
    const zh = await mount(
      new FakeBillingApi(summaryFixture({ credits: '-10.00', credits_cents: -1000 })),
      'zh-CN',
    );
    await until(() => inState(zh, 'loaded'), 'the loaded state');
    expect(part(zh, 'owes').textContent).to.contain('您欠费').and.contain('10.00');
    expect(part(zh, 'owes-hint').textContent).to.equal('请充值后继续使用。');
  });
});
