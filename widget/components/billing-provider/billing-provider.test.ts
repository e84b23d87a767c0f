import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { BillingElement } from '../../base/billing-element.js';
import { hasPart, inState, part } from '../../testing/dom.js';
import { FakeBillingApi, summaryFixture, until, usageFixture } from '../../testing/fake-billing-api.js';
import type { BillingProvider } from './billing-provider.js';

const EVERY_ELEMENT = [
  'billing-balance',
  'billing-topup',
  'billing-subscription',
  'setup-payment-modal',
  'billing-history',
  'billing-portal-button',
  'billing-usage',
];

function elementsIn(root: ParentNode): BillingElement[] {
  return EVERY_ELEMENT.map((name) => root.querySelector<BillingElement>(name)!);
}

describe('<billing-provider>', () => {
  it('gives a page of every element one /summary request, even through a shadow root', async () => {
    const api = new FakeBillingApi();
    const provider =
      await fixture<BillingProvider>(html`<billing-provider api-base=${api.apiBase} token="jwt-1">
      <billing-balance></billing-balance>
      <billing-topup></billing-topup>
      <billing-subscription></billing-subscription>
      <setup-payment-modal></setup-payment-modal>
      <billing-history></billing-history>
      <billing-portal-button></billing-portal-button>
      <billing-usage></billing-usage>
      <div id="shadow-host"></div>
    </billing-provider>`);
    const host = provider.querySelector('#shadow-host')!;
    const nested = document.createElement('billing-balance');
    host.attachShadow({ mode: 'open' }).append(nested);
    const elements = [...elementsIn(provider), nested];
    await until(
      () => elements.every((el) => !inState(el, 'loading') || el.localName === 'setup-payment-modal'),
      'every element to load',
    );
    expect(api.count('summary')).to.equal(1);
    expect(api.count('transactions')).to.equal(0);
    expect(api.count('usage-summary')).to.equal(0);
    expect(api.requests[0]!.query.get('usage_days')).to.equal('30');
    expect(api.requests.every((r) => r.authorization === 'Bearer jwt-1')).to.equal(true);
    expect(elements.every((el) => el.store === provider.store)).to.equal(true);
    expect(part(nested, 'amount').textContent).to.equal('$12.50');
  });

  it('passes axe in the dark theme, every element loaded', async () => {
    const api = new FakeBillingApi(
      summaryFixture({
        credits_cents: 500,
        credits: '5.00',
        transactions: {
          data: [
            {
              id: 'le_1',
              kind: 'purchase',
              amount: '5.00',
              amount_cents: 500,
              description: 'Top-up',
              balance_after: '5.00',
              balance_after_cents: 500,
              created_at: '2026-03-14T12:00:00.000Z',
              stripe_object_id: null,
              feature: null,
            },
          ],
          next_cursor: 'more',
          limit: 20,
        },
        usage: usageFixture(30, (i) => ({ chat: 10 * i, images: i % 3 ? 5 : 0 })),
      }),
    );
    const provider = await fixture<BillingProvider>(html`<billing-provider api-base=${api.apiBase} token="t">
      <billing-balance theme="dark"></billing-balance>
      <billing-topup theme="dark"></billing-topup>
      <billing-subscription theme="dark"></billing-subscription>
      <setup-payment-modal theme="dark" open></setup-payment-modal>
      <billing-history theme="dark"></billing-history>
      <billing-portal-button theme="dark"></billing-portal-button>
      <billing-usage theme="dark"></billing-usage>
    </billing-provider>`);
    const elements = elementsIn(provider);
    await until(() => elements.every((el) => inState(el, 'loaded')), 'every element to load');
    for (const el of elements) await expect(el).to.be.accessible();
  });

  it('updates every element after an action anywhere', async () => {
    const active = summaryFixture({
      subscription: {
        status: 'active',
        plan_id: 'pro',
        current_period_end: '2026-04-30T00:00:00.000Z',
        cancel_at: null,
        stripe_subscription_id: 'sub_1',
      },
    });
    const api = new FakeBillingApi(active);
    api.on('post', 'cancel-subscription', () => {
      api.on('get', 'summary', () => ({
        ...active,
        credits: '99.00',
        credits_cents: 9900,
        subscription: { ...active.subscription, status: 'cancelling', cancel_at: '2026-04-30T00:00:00.000Z' },
      }));
      return { status: 'success', message: 'ok' };
    });
    const provider = await fixture<BillingProvider>(html`<billing-provider api-base=${api.apiBase} token="t">
      <billing-balance></billing-balance><billing-subscription></billing-subscription><billing-history></billing-history>
    </billing-provider>`);
    const [balance, subscription, history] = [
      'billing-balance',
      'billing-subscription',
      'billing-history',
    ].map((name) => provider.querySelector<BillingElement>(name)!);
    await until(() => hasPart(subscription, 'cancel') && !inState(history, 'loading'), 'the loaded page');
    const changes: Array<number | null> = [];
    provider.addEventListener('billing-change', (e) => changes.push(e.summary.credits_cents));
    part(subscription, 'cancel').click();
    await subscription.updateComplete;
    part(subscription, 'confirm').click();
    await until(() => part(balance, 'amount').textContent === '$99.00', 'the balance to update');
    expect(hasPart(subscription, 'resume')).to.equal(true);
    expect(api.count('summary')).to.equal(2);
    // The refreshed summary carries the history's first page: no request of its own.
    expect(api.count('transactions')).to.equal(0);
    expect(changes).to.deep.equal([9900]);
  });

  it('hands redirects to a navigate hook the host can replace', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'portal-session', () => ({ redirect_url: 'https://portal.test/x' }));
    const provider = await fixture<BillingProvider>(
      html`<billing-provider api-base=${api.apiBase}><billing-portal-button></billing-portal-button></billing-provider>`,
    );
    const navigated: string[] = [];
    provider.store.navigate = (url) => navigated.push(url);
    const button = provider.querySelector('billing-portal-button')!;
    await until(() => inState(button, 'loaded'), 'the button');
    part(button, 'button').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://portal.test/x']);
    expect(api.requests[0].authorization).to.equal(null);
  });
});
