import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../index.js';
import { cardText, hasPart, inState, part } from '../../testing/dom.js';
import {
  deferred,
  errorResponse,
  FakeBillingApi,
  summaryFixture,
  until,
} from '../../testing/fake-billing-api.js';
import type { SetupPaymentModal } from './setup-payment-modal.js';

async function mount(api: FakeBillingApi, autoOpen = false) {
  const wrapper = await fixture<HTMLDivElement>(html`<div>
    <button id="opener">Set up billing</button>
    <setup-payment-modal api-base=${api.apiBase} token="t" ?auto-open=${autoOpen}></setup-payment-modal>
  </div>`);
  const el = wrapper.querySelector<SetupPaymentModal>('setup-payment-modal')!;
  const opener = wrapper.querySelector<HTMLButtonElement>('#opener')!;
  await until(() => el.store?.summary || el.store?.error, 'the summary');
  await el.updateComplete;
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  return { el, opener, navigated };
}

function dialog(el: SetupPaymentModal): HTMLDialogElement {
  return el.shadowRoot!.querySelector('dialog')!;
}

describe('<setup-payment-modal>', () => {
  it('names the card on file, "Visa •••• 4242, expires 12/34", with Replace, in English and Chinese', async () => {
    const card = { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 };
    const api = new FakeBillingApi(summaryFixture({ has_payment_method: true, payment_method: card }));
    const { el } = await mount(api);
    el.show();
    await el.updateComplete;
    expect(part(el, 'heading').textContent).to.equal('Payment method');
    expect(part(el, 'card-on-file').textContent).to.equal('Visa •••• 4242, expires 12/34');
    expect(part(el, 'proceed').textContent!.trim()).to.equal('Replace');
    expect(hasPart(el, 'offer')).to.equal(false);
    await expect(el).to.be.accessible();

    const wrapper = await fixture<HTMLDivElement>(html`<div lang="zh-CN">
      <setup-payment-modal api-base=${api.apiBase} token="t" open></setup-payment-modal>
    </div>`);
    const zh = wrapper.querySelector<SetupPaymentModal>('setup-payment-modal')!;
    await until(
      () => hasPart(zh, 'card-on-file') && part(zh, 'heading').textContent === '付款方式',
      'Chinese',
    );
    expect(part(zh, 'card-on-file').textContent).to.equal('Visa •••• 4242，有效期至 12/34');
    expect(part(zh, 'proceed').textContent!.trim()).to.equal('更换');
  });

  it('stays closed until shown, then offers the welcome credit with "Powered by Stripe"', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api);
    expect(dialog(el).open).to.equal(false);
    el.show();
    await el.updateComplete;
    expect(dialog(el).open).to.equal(true);
    expect(el.hasAttribute('open')).to.equal(true);
    expect(part(el, 'offer').textContent).to.equal('Get $50.00 of free credits.');
    expect(part(el, 'powered-by').textContent).to.equal('Powered by Stripe');
    await expect(el).to.be.accessible();
  });

  it('moves focus in, closes on Escape and puts focus back', async () => {
    const api = new FakeBillingApi();
    const { el, opener } = await mount(api);
    opener.focus();
    opener.addEventListener('click', () => el.show());
    await sendKeys({ press: 'Enter' });
    await until(() => dialog(el).open, 'the dialog to open');
    expect(dialog(el).contains(el.shadowRoot!.activeElement)).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await until(() => !el.open, 'the dialog to close');
    expect(dialog(el).open).to.equal(false);
    expect(document.activeElement).to.equal(opener);
  });

  it('closes with Not now and with close()', async () => {
    const api = new FakeBillingApi();
    const { el } = await mount(api);
    el.open = true;
    await el.updateComplete;
    part(el, 'dismiss').click();
    await until(() => !dialog(el).open, 'the dialog to close');
    expect(el.open).to.equal(false);
    el.show();
    await el.updateComplete;
    el.close();
    await el.updateComplete;
    expect(dialog(el).open).to.equal(false);
  });

  it('opens by itself when asked to and the account has no card, and not otherwise', async () => {
    const withoutCard = await mount(new FakeBillingApi(), true);
    await until(() => dialog(withoutCard.el).open, 'the dialog to open');
    const withCard = await mount(new FakeBillingApi(summaryFixture({ has_payment_method: true })), true);
    expect(dialog(withCard.el).open).to.equal(false);
  });

  it('starts setup through Checkout', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('post', 'create-customer-setup-session', () =>
      held.promise.then(() => ({ redirect_url: 'https://checkout.test/setup' })),
    );
    const { el, navigated } = await mount(api);
    el.show();
    await el.updateComplete;
    part(el, 'proceed').click();
    await el.updateComplete;
    expect(part<HTMLButtonElement>(el, 'proceed').disabled).to.equal(true);
    held.resolve(undefined);
    await until(() => navigated.length === 1, 'the redirect');
    expect(navigated).to.deep.equal(['https://checkout.test/setup']);
    expect(api.requests.at(-1)!.body).to.deep.equal({ return_url: location.href });
  });

  it('shows no offer once the welcome credit was granted', async () => {
    const api = new FakeBillingApi(summaryFixture({ welcome_granted: true, has_payment_method: true }));
    const { el } = await mount(api);
    el.show();
    await el.updateComplete;
    expect(hasPart(el, 'offer')).to.equal(false);
    expect(inState(el, 'loaded')).to.equal(true);
  });

  it('shows loading, error with Retry, and empty inside the open dialog', async () => {
    const api = new FakeBillingApi();
    const held = deferred();
    api.on('get', 'summary', () =>
      held.promise.then(() => errorResponse(503, 'store_unavailable', 'Try later.')),
    );
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><setup-payment-modal open api-base=${api.apiBase} token="t"></setup-payment-modal></div>`,
    );
    const el = wrapper.querySelector<SetupPaymentModal>('setup-payment-modal')!;
    await el.updateComplete;
    expect(dialog(el).open).to.equal(true);
    expect(inState(el, 'loading')).to.equal(true);
    await expect(el).to.be.accessible();
    held.resolve(undefined);
    await until(() => inState(el, 'error'), 'the error state');
    await expect(el).to.be.accessible();
    api.on('get', 'summary', () => summaryFixture({ billing_enabled: false }));
    part(el, 'retry').click();
    await until(() => inState(el, 'empty'), 'the empty state');
    expect(cardText(el)).to.contain('Billing is turned off.');
    await expect(el).to.be.accessible();
  });

  it('holds the toast inside the open dialog, above the backdrop, with its × inside the toast', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-customer-setup-session', () =>
      errorResponse(503, 'stripe_unavailable', 'Try again.'),
    );
    const { el } = await mount(api);
    el.show();
    await el.updateComplete;
    part(el, 'proceed').click();
    await until(() => hasPart(el, 'toast'), 'the toast');
    const toast = part(el, 'toast');
    expect(toast.parentElement).to.equal(dialog(el));
    const close = toast.querySelector('button')!;
    expect(getComputedStyle(close).position).to.equal('static');
    const box = toast.getBoundingClientRect();
    expect(toast.contains(el.shadowRoot!.elementFromPoint(box.x + 4, box.y + box.height / 2))).to.equal(true);
    el.close();
    await el.updateComplete;
    expect(part(el, 'toast').parentElement).to.not.equal(dialog(el));
  });
});
