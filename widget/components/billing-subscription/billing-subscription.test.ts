import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { SubscriptionSummary } from '../../client/types.js';
import { cardText, hasPart, inState, part } from '../../testing/dom.js';
import { errorResponse, FakeBillingApi, summaryFixture, until } from '../../testing/fake-billing-api.js';

const PERIOD_END = '2026-04-30T12:00:00.000Z';

function subscription(status: SubscriptionSummary['status'], extra: Partial<SubscriptionSummary> = {}) {
  return summaryFixture({
    subscription: {
      status,
      plan_id: status === 'none' ? null : 'pro',
      current_period_end: status === 'none' ? null : PERIOD_END,
      cancel_at: status === 'cancelling' ? PERIOD_END : null,
      stripe_subscription_id: status === 'none' ? null : 'sub_1',
      ...extra,
    },
  });
}

async function mount(api: FakeBillingApi, lang = 'en') {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-subscription api-base=${api.apiBase} token="t"></billing-subscription></div>`,
  );
  const el = wrapper.querySelector('billing-subscription')!;
  await until(() => !inState(el, 'loading'), 'the summary');
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  return { el, navigated };
}

describe('<billing-subscription>', () => {
  it('offers the plans when there is no subscription, and subscribes through Checkout', async () => {
    const api = new FakeBillingApi(subscription('none'));
    api.on('post', 'subscription-checkout-session', () => ({ redirect_url: 'https://checkout.test/sub' }));
    const { el, navigated } = await mount(api);
    expect(inState(el, 'loaded')).to.equal(true);
    expect(cardText(el)).to.contain('No subscription.').and.contain('Pro · $20.00 a month');
    await expect(el).to.be.accessible();
    part(el, 'subscribe').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://checkout.test/sub']);
    expect(api.requests.at(-1)!.body).to.deep.equal({ plan: 'pro', return_url: location.href });
  });

  it('shows the renewal date when active, and cancels only after confirmation', async () => {
    const api = new FakeBillingApi(subscription('active'));
    const { el } = await mount(api);
    expect(part(el, 'status').textContent!.trim()).to.equal('Pro · Renews on Apr 30, 2026.');
    await expect(el).to.be.accessible();
    part(el, 'cancel').click();
    await el.updateComplete;
    expect(api.count('cancel-subscription')).to.equal(0);
    expect(cardText(el)).to.contain('Cancel? Access lasts until Apr 30, 2026.');
    await expect(el).to.be.accessible();
    part(el, 'keep').click();
    await el.updateComplete;
    expect(hasPart(el, 'confirm')).to.equal(false);

    part(el, 'cancel').click();
    await el.updateComplete;
    api.on('post', 'cancel-subscription', () => {
      api.on('get', 'summary', () => subscription('cancelling'));
      return { status: 'success', message: 'Subscription will cancel at period end.' };
    });
    part(el, 'confirm').click();
    await until(() => hasPart(el, 'resume'), 'the cancelling state');
    expect(api.count('cancel-subscription')).to.equal(1);
    expect(api.count('summary')).to.equal(2);
    expect(part(el, 'status').textContent!.trim()).to.equal('Pro · Ends on Apr 30, 2026.');
  });

  it('resumes a cancelling subscription', async () => {
    const api = new FakeBillingApi(subscription('cancelling'));
    api.on('post', 'resume-subscription', () => {
      api.on('get', 'summary', () => subscription('active'));
      return { status: 'success', message: 'Resumed.' };
    });
    const { el } = await mount(api);
    await expect(el).to.be.accessible();
    part(el, 'resume').click();
    await until(() => hasPart(el, 'cancel'), 'the active state');
    expect(api.count('resume-subscription')).to.equal(1);
  });

  it('asks for a new card when past due', async () => {
    const api = new FakeBillingApi(subscription('past_due'));
    api.on('post', 'create-customer-setup-session', () => ({ redirect_url: 'https://checkout.test/setup' }));
    const { el, navigated } = await mount(api);
    expect(cardText(el)).to.contain('Your last payment failed.');
    await expect(el).to.be.accessible();
    part(el, 'update-card').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://checkout.test/setup']);
  });

  it('says when the subscription ended and offers the plans again', async () => {
    const api = new FakeBillingApi(subscription('ended'));
    const { el } = await mount(api);
    expect(cardText(el)).to.contain('Your subscription ended.');
    expect(hasPart(el, 'subscribe')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('is empty when no plan is offered', async () => {
    const api = new FakeBillingApi({ ...subscription('none'), plans: [] });
    const { el } = await mount(api);
    expect(inState(el, 'empty')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('reports a failed cancel with a toast and keeps the subscription shown', async () => {
    const api = new FakeBillingApi(subscription('active'));
    api.on('post', 'cancel-subscription', () => errorResponse(404, 'not_found', 'No active subscription.'));
    const { el } = await mount(api);
    part(el, 'cancel').click();
    await el.updateComplete;
    part(el, 'confirm').click();
    await until(() => hasPart(el, 'toast'), 'the toast');
    expect(part(el, 'toast').textContent).to.contain('No active subscription.');
    expect(part(el, 'toast').getAttribute('role')).to.equal('alert');
    expect(api.count('summary')).to.equal(1);
  });

  it('shows the error and Retry retries', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(500, 'internal', 'Something broke.'));
    const { el } = await mount(api);
    expect(inState(el, 'error')).to.equal(true);
    await expect(el).to.be.accessible();
    api.on('get', 'summary', () => subscription('active'));
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the loaded state');
  });

  it('speaks Simplified Chinese', async () => {
    const api = new FakeBillingApi(subscription('active'));
    const { el } = await mount(api, 'zh-CN');
    await until(() => part(el, 'heading').textContent === '订阅', 'the Chinese messages');
    expect(part(el, 'status').textContent!.trim()).to.equal('Pro · 将于 2026年4月30日 续订。');
  });
});
