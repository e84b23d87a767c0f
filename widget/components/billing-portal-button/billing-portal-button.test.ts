import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { cardText, inState, part } from '../../testing/dom.js';
import { errorResponse, FakeBillingApi, summaryFixture, until } from '../../testing/fake-billing-api.js';

async function mount(api: FakeBillingApi) {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div><billing-portal-button api-base=${api.apiBase} token="t"></billing-portal-button></div>`,
  );
  const el = wrapper.querySelector('billing-portal-button')!;
  await el.updateComplete;
  return el;
}

describe('<billing-portal-button>', () => {
  it('shows loading, then opens the Customer Portal', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'portal-session', () => ({ redirect_url: 'https://portal.test/p_1' }));
    const el = await mount(api);
    expect(inState(el, 'loading')).to.equal(true);
    await expect(el).to.be.accessible();
    await until(() => inState(el, 'loaded'), 'the loaded state');
    await expect(el).to.be.accessible();
    const navigated: string[] = [];
    el.store!.navigate = (url) => navigated.push(url);
    const kinds: string[] = [];
    el.addEventListener('billing-checkout', (e) => kinds.push(e.kind));
    part(el, 'button').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://portal.test/p_1']);
    expect(kinds).to.deep.equal(['portal']);
    expect(api.requests.at(-1)!.body).to.deep.equal({ return_url: location.href });
  });

  it('is empty when billing is off', async () => {
    const el = await mount(new FakeBillingApi(summaryFixture({ billing_enabled: false })));
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.contain('Billing is turned off.');
    await expect(el).to.be.accessible();
  });

  it('shows the error and Retry retries', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(401, 'unauthorized', 'Sign in again.'));
    const el = await mount(api);
    await until(() => inState(el, 'error'), 'the error state');
    expect(part(el, 'error').textContent).to.equal('Sign in again.');
    await expect(el).to.be.accessible();
    api.on('get', 'summary', () => summaryFixture());
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the loaded state');
  });
});
