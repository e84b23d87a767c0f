import { expect, fixture, html } from '@open-wc/testing';
import '../index.js';
import type { BillingElement } from '../base/billing-element.js';
import { hasPart, inState, part } from '../testing/dom.js';
import { errorResponse, FakeBillingApi, summaryFixture, until } from '../testing/fake-billing-api.js';

/** Every element of the page, configured alike by attributes (no provider). */
async function page(api: FakeBillingApi, token = 't') {
  const root = await fixture<HTMLDivElement>(html`<div>
    <billing-balance api-base=${api.apiBase} token=${token}></billing-balance>
    <billing-topup api-base=${api.apiBase} token=${token}></billing-topup>
    <billing-subscription api-base=${api.apiBase} token=${token}></billing-subscription>
    <setup-payment-modal api-base=${api.apiBase} token=${token}></setup-payment-modal>
    <billing-history api-base=${api.apiBase} token=${token}></billing-history>
    <billing-portal-button api-base=${api.apiBase} token=${token}></billing-portal-button>
  </div>`);
  const elements = [...root.children] as BillingElement[];
  await until(() => elements.every((el) => el.store?.summary || el.store?.error), 'the summary');
  return { root, elements };
}

function toasts(elements: Element[]): Element[] {
  return elements.filter((el) => hasPart(el, 'toast')).map((el) => part(el, 'toast'));
}

describe('the shared store', () => {
  afterEach(() => history.replaceState(null, '', location.pathname));

  it('makes one /summary request for every element configured alike, and one more per other token', async () => {
    const api = new FakeBillingApi();
    const { elements } = await page(api);
    expect(api.count('summary')).to.equal(1);
    expect(new Set(elements.map((el) => el.store)).size).to.equal(1);
    await page(api, 'someone-else');
    expect(api.count('summary')).to.equal(2);
  });

  for (const [query, message, role] of [
    ['checkout=success', 'Payment received.', 'status'],
    ['checkout=cancel', 'Checkout cancelled.', 'status'],
    [
      'checkout=error',
      'We could not confirm that payment. If you were charged, your balance will update shortly.',
      'alert',
    ],
    ['setup=success', 'Card saved.', 'status'],
  ]) {
    it(`on return with ?${query}: one toast, one refresh, and the parameter gone`, async () => {
      history.replaceState(null, '', `${location.pathname}?keep=1&${query}`);
      const api = new FakeBillingApi();
      const { elements } = await page(api);
      await until(() => toasts(elements).length > 0, 'the toast');
      await new Promise((r) => setTimeout(r, 50));
      expect(toasts(elements).map((toast) => toast.textContent!.replace('×', '').trim())).to.deep.equal([
        message,
      ]);
      expect(toasts(elements)[0].getAttribute('role')).to.equal(role);
      expect(api.count('summary')).to.equal(1);
      expect(location.search).to.equal('?keep=1');
      await expect(elements.find((el) => hasPart(el, 'toast'))).to.be.accessible();
    });
  }

  it('on return with ?checkout=error in Simplified Chinese: the error toast in Chinese, and the parameter gone', async () => {
    history.replaceState(null, '', `${location.pathname}?checkout=error`);
    const api = new FakeBillingApi();
    const wrapper = await fixture<HTMLDivElement>(
      html`<div lang="zh-CN"><billing-balance api-base=${api.apiBase} token="t"></billing-balance></div>`,
    );
    const el = wrapper.querySelector('billing-balance')!;
    await until(() => hasPart(el, 'toast') && inState(el, 'loaded'), 'the toast and the balance');
    expect(part(el, 'toast').textContent!.replace('×', '').trim()).to.equal(
      '无法确认这笔付款。如已扣款，余额稍后会自动更新。',
    );
    expect(part(el, 'toast').getAttribute('role')).to.equal('alert');
    expect(api.count('summary')).to.equal(1);
    expect(location.search).to.equal('');
  });

  it('leaves other parameters and unknown values alone', async () => {
    history.replaceState(null, '', `${location.pathname}?checkout=maybe`);
    const api = new FakeBillingApi();
    const { elements } = await page(api);
    expect(toasts(elements)).to.deep.equal([]);
    expect(location.search).to.equal('?checkout=maybe');
  });

  it('reports a load failure once with a cancelable billing-error; a host that prevents it gets no toast', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(503, 'store_unavailable', 'Down.'));
    const codes: string[] = [];
    const prevent = (e: Event & { error?: { code: string } }) => {
      codes.push(e.error!.code);
      e.preventDefault();
    };
    document.addEventListener('billing-error', prevent);
    try {
      const { elements } = await page(api);
      await until(
        () => elements.every((el) => el.localName === 'setup-payment-modal' || inState(el, 'error')),
        'errors',
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(codes).to.deep.equal(['store_unavailable']);
      expect(toasts(elements)).to.deep.equal([]);
    } finally {
      document.removeEventListener('billing-error', prevent);
    }
  });

  it('shows a toast for an error nobody handled, in an element on the page', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(503, 'store_unavailable', 'Down.'));
    const { elements } = await page(api);
    await until(() => toasts(elements).length === 1, 'the toast');
    expect(toasts(elements)[0].getAttribute('role')).to.equal('alert');
  });

  it('uses a tokenProvider set right after the element is created, and refreshes it once on a 401', async () => {
    const api = new FakeBillingApi();
    let issued = 0;
    api.on('get', 'summary', (request) =>
      request.authorization === 'Bearer jwt-2'
        ? summaryFixture()
        : errorResponse(401, 'token_expired', 'Expired.'),
    );
    const el = document.createElement('billing-balance');
    el.apiBase = api.apiBase;
    el.tokenProvider = async () => `jwt-${++issued}`;
    document.body.append(el);
    try {
      await until(() => inState(el, 'loaded'), 'the balance');
      expect(issued).to.equal(2);
      expect(api.requests.map((r) => r.authorization)).to.deep.equal(['Bearer jwt-1', 'Bearer jwt-2']);
      expect(api.count('summary')).to.equal(2);
    } finally {
      el.remove();
    }
  });

  it('says the server could not be reached when the network fails', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => Promise.reject(new TypeError('Failed to fetch')));
    const { elements } = await page(api);
    await until(() => inState(elements[0], 'error'), 'the error state');
    expect(part(elements[0], 'error').textContent).to.equal('Could not reach the billing server.');
  });
});
