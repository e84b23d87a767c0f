import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { BillingSummary } from '../../client/types.js';
import type { BillingCheckoutEvent } from '../../events/billing-checkout.js';
import { cardText, hasPart, inState, part, parts } from '../../testing/dom.js';
import {
  autoRechargeOn,
  errorResponse,
  FakeBillingApi,
  summaryFixture,
  until,
} from '../../testing/fake-billing-api.js';
import type { BillingAutoRecharge } from './billing-auto-recharge.js';

const ON = autoRechargeOn();

function withCard(overrides: Partial<BillingSummary> = {}): BillingSummary {
  return summaryFixture({ has_payment_method: true, ...overrides });
}

async function mount(api: FakeBillingApi, lang = 'en') {
  const wrapper = await fixture<HTMLDivElement>(
    html`<div lang=${lang}><billing-auto-recharge api-base=${api.apiBase} token="t"></billing-auto-recharge></div>`,
  );
  const el = wrapper.querySelector('billing-auto-recharge') as BillingAutoRecharge;
  await until(
    () => !inState(el, 'loading') && !!el.shadowRoot?.querySelector('[part~=heading]'),
    'the summary',
  );
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  await el.updateComplete;
  return { el, navigated };
}

function type(el: BillingAutoRecharge, field: string, value: string) {
  const input = el.shadowRoot!.querySelector<HTMLInputElement>(`input[name=${field}]`)!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input'));
}

describe('<billing-auto-recharge>', () => {
  it('asks for a saved card first, with no request beyond the summary', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api);
    expect(part(el, 'empty').textContent!.trim()).to.equal('Save a card first to use auto-recharge.');
    expect(api.requests.map((r) => r.path)).to.deep.equal(['summary']);
    await expect(el).to.be.accessible();
  });

  it('shows the consent with the suggested amounts, and turns on with the amounts typed', async () => {
    const api = new FakeBillingApi(withCard());
    api.on('put', 'auto-recharge', () => ON);
    const { el } = await mount(api);
    expect(part(el, 'status').textContent).to.contain('Off.');
    expect(part(el, 'consent').textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'When usage takes your balance below $10.00, your saved card is charged $25.00 without asking again, at most $100.00 per calendar month. Turn it off here at any time.',
    );
    expect(part(el, 'submit').textContent!.trim()).to.equal('Turn on auto-recharge');
    expect(part(el, 'submit').getAttribute('aria-describedby')).to.equal('consent');
    await expect(el).to.be.accessible();

    type(el, 'amount', '30');
    await el.updateComplete;
    expect(part(el, 'consent').textContent).to.contain('$30.00');
    part(el, 'submit').click();
    await until(() => api.count('auto-recharge') === 1, 'the PUT');
    const put = api.requests.find((r) => r.path === 'auto-recharge')!;
    expect(put.method).to.equal('PUT');
    expect(put.body).to.deep.equal({ enabled: true, threshold: 10, amount: 30, monthly_cap: 100 });
    await until(() => api.count('summary') === 2, 'the refresh');
  });

  for (const [field, value, message] of [
    ['threshold', 'abc', 'Enter an amount like 10 or 10.50.'],
    ['amount', '0', 'Enter an amount like 10 or 10.50.'],
    ['amount', '4.99', 'The minimum is $5.00.'],
    ['amount', '1000.01', 'The maximum is $1,000.00.'],
    ['monthly_cap', '20', 'The monthly cap must be at least the amount.'],
    ['monthly_cap', '2000.01', 'The maximum is $2,000.00.'],
  ]) {
    it(`refuses ${field} "${value}" before any request`, async () => {
      const api = new FakeBillingApi(withCard());
      const { el } = await mount(api);
      type(el, field!, value!);
      await el.updateComplete;
      part(el, 'submit').click();
      await el.updateComplete;
      expect(part(el, 'hint').textContent!.trim()).to.equal(message);
      const input = el.shadowRoot!.querySelector(`input[name=${field}]`)!;
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(input.getAttribute('aria-describedby')).to.equal('hint');
      expect(api.count('auto-recharge')).to.equal(0);
      await expect(el).to.be.accessible();
    });
  }

  it('shows a field the server refused under the fields', async () => {
    const api = new FakeBillingApi(withCard());
    api.on('put', 'auto-recharge', () =>
      errorResponse(400, 'amount_too_large', 'threshold must be at most $500.00.', 'threshold'),
    );
    const { el } = await mount(api);
    part(el, 'submit').click();
    await until(() => part(el, 'hint').textContent!.includes('$500.00'), 'the refusal');
    expect(el.shadowRoot!.querySelector('input[name=threshold]')!.getAttribute('aria-invalid')).to.equal(
      'true',
    );
    expect(hasPart(el, 'retry')).to.equal(false);
  });

  it('when on: the saved amounts, this month, Save changes and Turn off', async () => {
    const api = new FakeBillingApi(withCard({ auto_recharge: ON }));
    api.on('put', 'auto-recharge', () => ({ ...ON, enabled: false, status: 'off' }));
    const { el } = await mount(api);
    expect(part(el, 'status').textContent).to.contain('On.');
    expect(cardText(el)).to.contain('Charged this month: $25.00.');
    expect(parts<HTMLInputElement>(el, 'input').map((i) => i.value)).to.deep.equal([
      '10.00',
      '25.00',
      '100.00',
    ]);
    expect(part(el, 'submit').textContent!.trim()).to.equal('Save changes');
    await expect(el).to.be.accessible();
    part(el, 'disable').click();
    await until(() => api.count('auto-recharge') === 1, 'the PUT');
    expect(
      (api.requests.find((r) => r.path === 'auto-recharge')!.body as { enabled: boolean }).enabled,
    ).to.equal(false);
  });

  it('a decline: failed, with the reason', async () => {
    const api = new FakeBillingApi(
      withCard({
        auto_recharge: {
          ...ON,
          enabled: false,
          status: 'failed',
          last_error: { code: 'card_declined', message: 'Your card was declined.' },
        },
      }),
    );
    const { el } = await mount(api);
    const status = part(el, 'status');
    expect(status.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'Turned off: the last charge failed. Your card was declined.',
    );
    expect(status.classList.contains('error')).to.equal(true);
    expect(part(el, 'submit').textContent!.trim()).to.equal('Turn on auto-recharge');
    await expect(el).to.be.accessible();
  });

  it('the cap reached: still on, and says a recharge was skipped', async () => {
    const api = new FakeBillingApi(
      withCard({
        auto_recharge: { ...ON, last_error: { code: 'monthly_cap_reached', message: 'A recharge …' } },
      }),
    );
    const { el } = await mount(api);
    expect(cardText(el)).to.contain("Skipped a recharge: it would pass this month's cap.");
    await expect(el).to.be.accessible();
  });

  it('needs the bank: Confirm the payment opens the page the server names', async () => {
    const api = new FakeBillingApi(
      withCard({
        auto_recharge: {
          ...ON,
          status: 'action_required',
          last_error: {
            code: 'authentication_required',
            message: 'This transaction requires authentication.',
          },
        },
      }),
    );
    api.on('post', 'auto-recharge/complete', () => ({ redirect_url: 'https://bank.test/3d_secure/pi_1' }));
    const { el, navigated } = await mount(api);
    expect(part(el, 'status').textContent).to.contain('Your bank asks you to confirm the last charge.');
    await expect(el).to.be.accessible();
    const kinds: string[] = [];
    el.addEventListener('billing-checkout', (e) => kinds.push((e as BillingCheckoutEvent).kind));
    part(el, 'complete').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://bank.test/3d_secure/pi_1']);
    expect(kinds).to.deep.equal(['authenticate']);
    expect(
      (api.requests.find((r) => r.path === 'auto-recharge/complete')!.body as { return_url: string })
        .return_url,
    ).to.equal(location.href);
  });

  it('while charging, reloads the summary until the charge has landed', async () => {
    let charging = true;
    const api = new FakeBillingApi();
    api.on('get', 'summary', () =>
      withCard({
        auto_recharge: charging ? { ...ON, status: 'charging' } : ON,
        credits: charging ? '9.00' : '34.00',
      }),
    );
    const { el } = await mount(api);
    expect(part(el, 'status').textContent).to.contain('Charging your card…');
    charging = false;
    await until(() => part(el, 'status').textContent!.includes('On.'), 'the reload');
    expect(api.count('summary')).to.equal(2);
  });

  it('reads Chinese', async () => {
    const api = new FakeBillingApi(withCard({ auto_recharge: ON }));
    const { el } = await mount(api, 'zh-CN');
    await until(() => part(el, 'heading').textContent === '自动充值', 'the Chinese text');
    expect(part(el, 'status').textContent).to.contain('已开启');
    expect(part(el, 'consent').textContent).to.contain('每个自然月最多');
    await expect(el).to.be.accessible();
  });

  it('a failed save shows Retry, which sends the same request again', async () => {
    const api = new FakeBillingApi(withCard());
    let calls = 0;
    api.on('put', 'auto-recharge', () =>
      ++calls === 1
        ? errorResponse(409, 'no_payment_method', 'Save a card before turning on auto-recharge.')
        : ON,
    );
    const { el } = await mount(api);
    part(el, 'submit').click();
    await until(() => hasPart(el, 'retry'), 'the failure');
    expect(cardText(el)).to.contain('Save a card before turning on auto-recharge.');
    part(el, 'retry').click();
    await until(() => calls === 2, 'the retry');
  });
});
