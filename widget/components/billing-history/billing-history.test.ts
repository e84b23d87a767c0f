import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { BillingErrorEvent } from '../../events/billing-error.js';
import { cardText, hasPart, inState, part, parts } from '../../testing/dom.js';
import {
  deferred,
  errorResponse,
  FakeBillingApi,
  ledgerEntry,
  summaryFixture,
  until,
} from '../../testing/fake-billing-api.js';

const FIRST_PAGE = [
  ledgerEntry('le_2', -125, 1125, 'Model usage'),
  ledgerEntry('le_1', 1250, 1250, 'Top-up'),
];

async function mount(api: FakeBillingApi, lang = 'en') {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-history api-base=${api.apiBase} token="t" page-size="2"></billing-history></div>`,
  );
  return wrapper.querySelector('billing-history')!;
}

describe('<billing-history>', () => {
  it('shows loading, then the entries newest first with signed amounts', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('get', 'transactions', () => held.promise.then(() => ({ data: FIRST_PAGE, next_cursor: null })));
    const el = await mount(api);
    await until(() => api.count('transactions') === 1, 'the transactions request');
    expect(inState(el, 'loading')).to.equal(true);
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => inState(el, 'loaded'), 'the loaded state');
    const rows = parts(el, 'row').map((row) => [...row.children].map((cell) => cell.textContent));
    expect(rows).to.deep.equal([
      ['Mar 14, 2026', 'Model usage', '-$1.25', '$11.25'],
      ['Mar 14, 2026', 'Top-up', '+$12.50', '$12.50'],
    ]);
    expect(api.requests.find((r) => r.path === 'transactions')!.query.get('limit')).to.equal('2');
    expect(hasPart(el, 'more')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('loads the next page with the cursor', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'transactions', (request) =>
      request.query.get('cursor') === 'c2'
        ? { data: [ledgerEntry('le_0', 500, 0, 'Grant')], next_cursor: null }
        : { data: FIRST_PAGE, next_cursor: 'c2' },
    );
    const el = await mount(api);
    await until(() => hasPart(el, 'more'), 'the Load more button');
    part(el, 'more').click();
    await until(() => parts(el, 'row').length === 3, 'the second page');
    expect(hasPart(el, 'more')).to.equal(false);
  });

  it('is empty with no entries', async () => {
    const api = new FakeBillingApi();
    const el = await mount(api);
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.contain('No transactions yet.');
    await expect(el).to.be.accessible();
  });

  it('shows the error (reported as action history) and Retry reloads the list', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'transactions', () => errorResponse(400, 'invalid_cursor', 'That cursor is not valid.'));
    const actions: string[] = [];
    const record = (e: BillingErrorEvent) => actions.push(e.action);
    document.addEventListener('billing-error', record);
    const el = await mount(api);
    try {
      await until(() => inState(el, 'error'), 'the error state');
    } finally {
      document.removeEventListener('billing-error', record);
    }
    expect(actions).to.deep.equal(['history']);
    expect(part(el, 'error').textContent).to.equal('That cursor is not valid.');
    await expect(el).to.be.accessible();
    api.on('get', 'transactions', () => ({ data: FIRST_PAGE, next_cursor: null }));
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(api.count('transactions')).to.equal(2);
    expect(api.count('summary')).to.equal(1);
  });

  it('reloads after the shared state is refreshed', async () => {
    const api = new FakeBillingApi();
    const el = await mount(api);
    await until(() => inState(el, 'empty'), 'the empty state');
    api.on('get', 'transactions', () => ({ data: FIRST_PAGE, next_cursor: null }));
    await el.store!.refresh(undefined, true);
    await until(() => inState(el, 'loaded'), 'the reloaded list');
    expect(api.count('transactions')).to.equal(2);
  });

  it('shows the first page the summary carries without a request of its own, and the refreshed one after', async () => {
    const api = new FakeBillingApi(
      summaryFixture({ transactions: { data: FIRST_PAGE, next_cursor: 'c2', limit: 20 } }),
    );
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><billing-history api-base=${api.apiBase} token="t"></billing-history></div>`,
    );
    const el = wrapper.querySelector('billing-history')!;
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(parts(el, 'row')).to.have.length(2);
    expect(hasPart(el, 'more')).to.equal(true);
    expect(api.count('transactions')).to.equal(0);
    const newer = ledgerEntry('le_3', 500, 1625, 'Grant');
    api.on('get', 'summary', () =>
      summaryFixture({ transactions: { data: [newer, ...FIRST_PAGE], next_cursor: 'c3', limit: 20 } }),
    );
    await el.store!.refresh(undefined, true);
    await until(() => parts(el, 'row').length === 3, 'the refreshed first page');
    expect(api.count('transactions')).to.equal(0);
    expect(api.count('summary')).to.equal(2);
  });

  it('formats dates and money for zh-CN', async () => {
    const api = new FakeBillingApi(summaryFixture());
    api.on('get', 'transactions', () => ({ data: FIRST_PAGE, next_cursor: null }));
    const el = await mount(api, 'zh-CN');
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(part(el, 'heading').textContent).to.equal('交易记录');
    expect([...part(el, 'row').children].map((cell) => cell.textContent)).to.deep.equal([
      '2026年3月14日',
      'Model usage',
      '-US$1.25',
      'US$11.25',
    ]);
  });

  it('names an entry without a description by its kind, in the page language', async () => {
    const grant = { ...ledgerEntry('le_9', 500, 500, ''), kind: 'grant' as const, description: null };
    for (const [lang, label] of [
      ['en', 'Credit grant'],
      ['zh-CN', '赠送额度'],
    ]) {
      const api = new FakeBillingApi(summaryFixture());
      api.on('get', 'transactions', () => ({ data: [grant], next_cursor: null }));
      const el = await mount(api, lang);
      await until(() => inState(el, 'loaded'), 'the loaded state');
      expect(part(el, 'row').children[1]!.textContent).to.equal(label);
    }
  });

  it('names usage without a description by its kind and feature, and keeps a description as given', async () => {
    const chat = { ...ledgerEntry('le_2', -150, 850, ''), description: null, feature: 'chat' };
    const tokens = { ...ledgerEntry('le_1', -100, 1000, 'Tokens'), feature: 'chat' };
    const api = new FakeBillingApi(summaryFixture());
    api.on('get', 'transactions', () => ({ data: [chat, tokens], next_cursor: null }));
    const el = await mount(api, 'en');
    await until(() => inState(el, 'loaded'), 'the loaded state');
    expect(parts(el, 'row').map((row) => row.children[1]!.textContent)).to.deep.equal([
      'Usage · chat',
      'Tokens',
    ]);
  });

  it('names refunds, disputes and their reinstatement by kind, in English and Chinese', async () => {
    const rows = [
      {
        ...ledgerEntry('le_4', 5000, 5000, 'Dispute won'),
        kind: 'dispute_reinstated' as const,
        stripe_object_id: 'du_1',
      },
      {
        ...ledgerEntry('le_3', -5000, 0, 'Payment disputed'),
        kind: 'dispute' as const,
        stripe_object_id: 'du_1',
      },
      {
        ...ledgerEntry('le_2', -2000, 3000, 'Payment refunded'),
        kind: 'refund' as const,
        stripe_object_id: 're_1',
      },
      { ...ledgerEntry('le_1', 500, 5500, 'Goodwill'), kind: 'refund' as const },
    ];
    const labels = async (lang: string) => {
      const api = new FakeBillingApi();
      api.on('get', 'transactions', () => ({ data: rows, next_cursor: null }));
      const el = await mount(api, lang);
      await until(() => inState(el, 'loaded'), 'the loaded state');
      await expect(el).to.be.accessible();
      return parts(el, 'row').map((row) => row.children[1]!.textContent);
    };
    expect(await labels('en')).to.deep.equal([
      'Dispute won',
      'Payment disputed',
      'Payment refunded',
      'Goodwill',
    ]);
    expect(await labels('zh-CN')).to.deep.equal(['争议胜诉', '付款争议', '付款已退款', 'Goodwill']);
  });
});
