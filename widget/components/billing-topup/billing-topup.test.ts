import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { BillingCheckoutEvent } from '../../events/billing-checkout.js';
import { cardText, inState, part, parts } from '../../testing/dom.js';
import {
  deferred,
  errorResponse,
  FakeBillingApi,
  summaryFixture,
  until,
} from '../../testing/fake-billing-api.js';
import type { BillingTopup } from './billing-topup.js';

async function mount(api: FakeBillingApi, presets = '10,25,50,100', lang = 'en') {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-topup api-base=${api.apiBase} token="t" presets=${presets}></billing-topup></div>`,
  );
  const el = wrapper.querySelector('billing-topup')!;
  await until(() => !inState(el, 'loading'), 'the summary');
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  return { el, navigated };
}

async function submit(el: BillingTopup, amount: string): Promise<void> {
  const input = part<HTMLInputElement>(el, 'input');
  input.value = amount;
  input.dispatchEvent(new InputEvent('input'));
  await el.updateComplete;
  part(el, 'submit').click();
  await el.updateComplete;
}

describe('<billing-topup>', () => {
  it('takes its accent button colours from --billing-color-accent and --billing-color-on-accent', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api);
    el.style.setProperty('--billing-color-accent', 'rgb(10, 120, 60)');
    el.style.setProperty('--billing-color-on-accent', 'rgb(250, 240, 0)');
    const button = part(el, 'submit');
    expect(getComputedStyle(button).backgroundColor).to.equal('rgb(10, 120, 60)');
    expect(getComputedStyle(button).color).to.equal('rgb(250, 240, 0)');
  });

  it('shows the presets inside the server bounds and the bounds themselves', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api, '1,10,25,2000');
    expect(inState(el, 'loaded')).to.equal(true);
    expect(parts(el, 'preset').map((b) => b.textContent)).to.deep.equal(['$10.00', '$25.00']);
    expect(part(el, 'hint').textContent!.trim()).to.equal('$5.00 – $1,000.00');
    await expect(el).to.be.accessible();
  });

  for (const [typed, message] of [
    ['', 'Choose an amount.'],
    ['abc', 'Enter an amount like 25 or 25.50.'],
    ['12.345', 'Enter an amount like 25 or 25.50.'],
    ['-5', 'Enter an amount like 25 or 25.50.'],
    ['4.99', 'The minimum is $5.00.'],
    ['1000.01', 'The maximum is $1,000.00.'],
  ]) {
    it(`refuses "${typed}" before any request`, async () => {
      const api = new FakeBillingApi();
      const { el, navigated } = await mount(api);
      await submit(el, typed);
      expect(part(el, 'hint').textContent!.trim()).to.equal(message);
      expect(part(el, 'input').getAttribute('aria-invalid')).to.equal('true');
      expect(api.count('create-checkout-session')).to.equal(0);
      expect(navigated).to.deep.equal([]);
      await expect(el).to.be.accessible();
    });
  }

  it('sends the amount in major units, disables the button while pending, then redirects', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('post', 'create-checkout-session', () =>
      held.promise.then(() => ({ redirect_url: 'https://checkout.test/pay/cs_1' })),
    );
    const { el, navigated } = await mount(api);
    const events: BillingCheckoutEvent[] = [];
    document.addEventListener('billing-checkout', (e) => events.push(e), { once: true });
    await submit(el, '25.50');
    await until(() => api.count('create-checkout-session') === 1, 'the checkout request');
    expect(part<HTMLButtonElement>(el, 'submit').disabled).to.equal(true);
    part(el, 'submit').click();
    expect(api.count('create-checkout-session')).to.equal(1);
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://checkout.test/pay/cs_1']);
    expect(api.requests.at(-1)!.body).to.deep.equal({ amount: 25.5, return_url: location.href });
    expect(events[0].kind).to.equal('topup');
    expect(events[0].amountCents).to.equal(2550);
    expect(events[0].url).to.equal('https://checkout.test/pay/cs_1');
    await until(() => !part<HTMLButtonElement>(el, 'submit').disabled, 'the button to come back');
  });

  it('stays on the page when the host prevents billing-checkout', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () => ({ redirect_url: 'https://checkout.test/pay/cs_2' }));
    const { el, navigated } = await mount(api);
    const prevent = (e: Event) => e.preventDefault();
    document.addEventListener('billing-checkout', prevent);
    try {
      parts(el, 'preset')[1].click();
      await el.updateComplete;
      expect(part(el, 'preset').getAttribute('aria-pressed')).to.equal('false');
      expect(parts(el, 'preset')[1].getAttribute('aria-pressed')).to.equal('true');
      expect(part(el, 'submit').textContent!.trim()).to.equal('Add $25.00');
      part(el, 'submit').click();
      await until(() => api.count('create-checkout-session') === 1, 'the checkout request');
      await until(() => !el.pending, 'the request to settle');
      expect(navigated).to.deep.equal([]);
      expect(api.requests.at(-1)!.body).to.deep.equal({ amount: 25, return_url: location.href });
    } finally {
      document.removeEventListener('billing-checkout', prevent);
    }
  });

  it("shows the server's refusal of an amount next to the field", async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () =>
      errorResponse(400, 'amount_too_large', 'The maximum top-up is $500.00.', 'amount'),
    );
    const { el, navigated } = await mount(api);
    await submit(el, '600');
    await until(() => part(el, 'hint').textContent!.includes('$500.00'), 'the server message');
    expect(part(el, 'hint').textContent!.trim()).to.equal('The maximum top-up is $500.00.');
    expect(part(el, 'toast').textContent).to.contain('The maximum top-up is $500.00.');
    expect(navigated).to.deep.equal([]);
  });

  it('is empty when billing is off', async () => {
    const api = new FakeBillingApi(summaryFixture({ billing_enabled: false }));
    const { el } = await mount(api);
    expect(inState(el, 'empty')).to.equal(true);
    expect(cardText(el)).to.contain('Billing is turned off.');
    await expect(el).to.be.accessible();
  });

  it('shows loading, then the error, and Retry retries', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('get', 'summary', () =>
      held.promise.then(() => errorResponse(502, 'stripe_failed', 'Stripe failed.')),
    );
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><billing-topup api-base=${api.apiBase} token="t"></billing-topup></div>`,
    );
    const el = wrapper.querySelector('billing-topup')!;
    await el.updateComplete;
    expect(inState(el, 'loading')).to.equal(true);
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => inState(el, 'error'), 'the error state');
    expect(part(el, 'error').textContent).to.equal('Stripe failed.');
    await expect(el).to.be.accessible();
    api.on('get', 'summary', () => summaryFixture());
    part(el, 'retry').click();
    await until(() => inState(el, 'loaded'), 'the loaded state');
    // The first load was sent three times (the client retries a 502 read twice), Retry once more.
    expect(api.count('summary')).to.equal(4);
  });

  it('speaks Simplified Chinese with zh-CN money', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api, '10', 'zh-CN');
    await until(() => part(el, 'heading').textContent === '充值', 'the Chinese messages');
    expect(part(el, 'preset').textContent).to.equal('US$10.00');
    await submit(el, '1');
    expect(part(el, 'hint').textContent!.trim()).to.equal('最低金额为 US$5.00。');
    await expect(el).to.be.accessible();
  });

  it('with a negative balance, says what is owed and that a top-up pays it first', async () => {
    const api = new FakeBillingApi(summaryFixture({ credits: '-10.00', credits_cents: -1000 }));
    const { el } = await mount(api);
    expect(part(el, 'owes').textContent).to.equal('You owe $10.00. A top-up pays it first.');
    await expect(el).to.be.accessible();
    const plain = await mount(new FakeBillingApi(summaryFixture({ credits: '5.00', credits_cents: 500 })));
    expect(plain.el.shadowRoot!.querySelector('[part~="owes"]')).to.equal(null);
  });
});
