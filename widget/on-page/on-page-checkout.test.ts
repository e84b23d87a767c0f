import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { BillingElement } from '../base/billing-element.js';
import { hasPart, part } from '../testing/dom.js';
import { FakeBillingApi, summaryFixture, until } from '../testing/fake-billing-api.js';

/**
 * Embedded mode against the fake API, with a stand-in `window.Stripe` (the same hook loadStripe
 * uses for the emulator's script): what the elements do around Stripe's frame. The real frame, the
 * emulator's checkout page and the server are tested end to end (e2e/flows/embedded.test.ts).
 */
interface FakeCheckout {
  clientSecret: string;
  complete: () => void;
  mountedIn: HTMLElement | undefined;
  destroyed: boolean;
}

const checkouts: FakeCheckout[] = [];
const keys: string[] = [];

// Set before the first on-page payment, so loadStripe finds it and loads no script.
(window as unknown as { Stripe: unknown }).Stripe = Object.assign(
  (key: string) => {
    keys.push(key);
    return {
      async createEmbeddedCheckoutPage(options: { clientSecret: string; onComplete: () => void }) {
        const checkout: FakeCheckout = {
          clientSecret: options.clientSecret,
          complete: options.onComplete,
          mountedIn: undefined,
          destroyed: false,
        };
        checkouts.push(checkout);
        return {
          mount(el: HTMLElement) {
            checkout.mountedIn = el;
            const field = document.createElement('input');
            field.setAttribute('aria-label', 'Card number');
            el.append(field);
          },
          destroy() {
            checkout.destroyed = true;
          },
        };
      },
    };
  },
  { version: 'endive' },
);

function embeddedApi(): FakeBillingApi {
  const api = new FakeBillingApi();
  api.on('get', 'config', () => ({ publishable_key: 'pk_test_fake', stripe_js_url: null }));
  api.on('post', 'create-checkout-session', () => ({
    client_secret: 'cs_test_1_secret_x',
    session_id: 'cs_test_1',
  }));
  api.on('post', 'create-customer-setup-session', () => ({
    client_secret: 'cs_test_2_secret_y',
    session_id: 'cs_test_2',
  }));
  api.on('post', 'close-checkout-session', () => ({ status: 'success', message: 'Closed.' }));
  return api;
}

async function topup(api: FakeBillingApi) {
  const wrapper = await fixture<HTMLDivElement>(html`<div>
    <billing-provider api-base=${api.apiBase} token="t" checkout-mode="embedded">
      <billing-topup presets="10"></billing-topup>
    </billing-provider>
  </div>`);
  const el = wrapper.querySelector('billing-topup')!;
  await until(() => hasPart(el, 'preset'), 'the presets');
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  return { el, navigated };
}

function checkoutDialog(el: BillingElement): HTMLDialogElement | null {
  return el.shadowRoot!.querySelector('dialog[open]');
}

function toastText(el: BillingElement): string {
  return part(el, 'toast').textContent!.replace('×', '').trim();
}

describe('on-page (embedded) Checkout', () => {
  it('mounts Stripe in a dialog; on completion closes it, refreshes once, toasts, and never navigates', async () => {
    const api = embeddedApi();
    const { el, navigated } = await topup(api);
    const changes: unknown[] = [];
    el.addEventListener('billing-change', (e) => changes.push(e));
    part(el, 'preset').click();
    part(el, 'submit').click();
    await until(
      () => checkouts.at(-1)?.mountedIn && checkouts.at(-1)?.clientSecret === 'cs_test_1_secret_x',
      'the mount',
    );
    const dialog = checkoutDialog(el)!;
    expect(dialog.querySelector('[part~="heading"]')!.textContent).to.equal('Add credits');
    expect(dialog.contains(checkouts.at(-1)!.mountedIn!)).to.equal(true);
    expect(keys.at(-1)).to.equal('pk_test_fake');
    expect(api.requests.find((r) => r.path === 'create-checkout-session')!.body).to.deep.include({
      amount: 10,
      ui_mode: 'embedded',
    });
    await expect(el).to.be.accessible();

    api.on('get', 'summary', () => summaryFixture({ credits: '22.50', credits_cents: 2250 }));
    checkouts.at(-1)!.complete();
    await until(() => hasPart(el, 'toast'), 'the toast');
    expect(toastText(el)).to.equal('Payment received.');
    expect(checkoutDialog(el)).to.equal(null);
    expect(checkouts.at(-1)!.destroyed).to.equal(true);
    expect(api.requests.filter((r) => r.path === 'close-checkout-session').map((r) => r.body)).to.deep.equal([
      { session_id: 'cs_test_1' },
    ]);
    expect(api.count('summary')).to.equal(2);
    expect(changes).to.have.length(1);
    expect(navigated).to.deep.equal([]);
  });

  it('Escape closes the dialog: the session is closed at the server, nothing refreshed, focus back', async () => {
    const api = embeddedApi();
    const { el } = await topup(api);
    part(el, 'preset').click();
    part(el, 'submit').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => checkoutDialog(el) && checkouts.at(-1)?.mountedIn?.isConnected, 'the mount');
    await sendKeys({ press: 'Tab' });
    expect(checkoutDialog(el)!.contains(el.shadowRoot!.activeElement)).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await until(() => hasPart(el, 'toast'), 'the toast');
    expect(toastText(el)).to.equal('Checkout cancelled.');
    expect(checkoutDialog(el)).to.equal(null);
    expect(el.shadowRoot!.querySelector('dialog')).to.equal(null);
    expect(api.count('close-checkout-session')).to.equal(1);
    expect(api.count('summary')).to.equal(1);
    await until(() => el.shadowRoot!.activeElement === part(el, 'submit'), 'focus back on the button');
  });

  it('the close button cancels too, and an element can ask for redirect inside an embedded provider', async () => {
    const api = embeddedApi();
    const { el } = await topup(api);
    part(el, 'preset').click();
    part(el, 'submit').click();
    await until(() => checkouts.at(-1)?.mountedIn?.isConnected, 'the mount');
    checkoutDialog(el)!.querySelector<HTMLButtonElement>('[part~="close"]')!.click();
    await until(() => api.count('close-checkout-session') === 1, 'the close call');

    api.on('post', 'create-checkout-session', () => ({ redirect_url: 'https://checkout.test/pay' }));
    el.checkoutMode = 'redirect';
    const { navigated } = { navigated: [] as string[] };
    el.store!.navigate = (url) => navigated.push(url);
    part(el, 'submit').click();
    await until(() => navigated.length === 1, 'the redirect');
    expect(api.requests.at(-1)!.body).to.deep.equal({ amount: 10, return_url: location.href });
  });

  it('the setup modal collects the card inside itself and closes when it is saved', async () => {
    const api = embeddedApi();
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <setup-payment-modal api-base=${api.apiBase} token="t" checkout-mode="embedded"></setup-payment-modal>
    </div>`);
    const el = wrapper.querySelector('setup-payment-modal')!;
    await until(() => el.store?.summary, 'the summary');
    el.show();
    await el.updateComplete;
    part(el, 'proceed').click();
    await until(
      () => checkouts.at(-1)?.clientSecret === 'cs_test_2_secret_y' && checkouts.at(-1)?.mountedIn,
      'the mount',
    );
    const own = el.shadowRoot!.querySelector('dialog')!;
    expect(own.contains(checkouts.at(-1)!.mountedIn!)).to.equal(true);
    expect(el.shadowRoot!.querySelectorAll('dialog')).to.have.length(1);
    expect(part(el, 'proceed').checkVisibility()).to.equal(false);
    expect(part(el, 'heading').checkVisibility()).to.equal(true);
    await expect(el).to.be.accessible();
    checkouts.at(-1)!.complete();
    await until(() => !el.open, 'the modal to close');
    await until(() => hasPart(el, 'toast'), 'the toast');
    expect(toastText(el)).to.equal('Card saved.');
    expect(hasPart(el, 'checkout')).to.equal(false);
  });
});
