import { expect, fixture, html } from '@open-wc/testing';
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js';
import '../index.js';
import type { BillingSummary, SubscriptionSummary } from '../client/types.js';
import type { BillingAction, BillingErrorEvent } from '../events/billing-error.js';
import { hasPart, inState, part, parts } from '../testing/dom.js';
import { errorResponse, FakeBillingApi, summaryFixture, until } from '../testing/fake-billing-api.js';
import type { BillingElement } from './billing-element.js';

const FAILURE = 'Stripe did not answer. Try again.';

function subscription(status: SubscriptionSummary['status']): BillingSummary {
  const end = '2026-04-30T12:00:00.000Z';
  return summaryFixture({
    subscription: {
      status,
      plan_id: status === 'none' ? null : 'pro',
      current_period_end: status === 'none' ? null : end,
      cancel_at: status === 'cancelling' ? end : null,
      stripe_subscription_id: status === 'none' ? null : 'sub_1',
    },
  });
}

/** A payment action: where it starts, what it sends, and what the page shows once it succeeds. */
interface ActionCase {
  action: BillingAction;
  /** What the case is, when the action has more than one way in. */
  via: string;
  tag: string;
  /** Attributes beyond api-base and token. */
  attributes?: string;
  summary: BillingSummary;
  path: string;
  /** Clicks the buttons that start the action. */
  start(el: BillingElement): Promise<void>;
  body: unknown;
  answer: unknown;
  /** The summary after the action succeeded (cancel and resume refresh it). */
  after?: BillingSummary;
  /** True once the page shows the action succeeded. */
  done(el: BillingElement, navigated: string[]): boolean;
}

const click = async (el: BillingElement, ...names: string[]) => {
  for (const name of names) {
    part(el, name).click();
    await el.updateComplete;
  }
};
const redirected = (_el: BillingElement, navigated: string[]) => navigated.length === 1;
const checkout = { redirect_url: 'https://checkout.test/c/pay/cs_1' };

const CASES: ActionCase[] = [
  {
    action: 'topup',
    via: 'a top-up',
    tag: 'billing-topup',
    summary: summaryFixture(),
    path: 'create-checkout-session',
    start: async (el) => {
      parts(el, 'preset')[1].click();
      await click(el, 'submit');
    },
    body: { amount: 25, return_url: location.href },
    answer: checkout,
    done: redirected,
  },
  {
    action: 'subscribe',
    via: 'Subscribe',
    tag: 'billing-subscription',
    summary: subscription('none'),
    path: 'subscription-checkout-session',
    start: (el) => click(el, 'subscribe'),
    body: { plan: 'pro', return_url: location.href },
    answer: checkout,
    done: redirected,
  },
  {
    action: 'setup',
    via: 'the setup modal',
    tag: 'setup-payment-modal',
    attributes: 'open',
    summary: summaryFixture(),
    path: 'create-customer-setup-session',
    start: (el) => click(el, 'proceed'),
    body: { return_url: location.href },
    answer: checkout,
    done: redirected,
  },
  {
    action: 'setup',
    via: 'Update card when past due',
    tag: 'billing-subscription',
    summary: subscription('past_due'),
    path: 'create-customer-setup-session',
    start: (el) => click(el, 'update-card'),
    body: { return_url: location.href },
    answer: checkout,
    done: redirected,
  },
  {
    action: 'cancel',
    via: 'a confirmed Cancel',
    tag: 'billing-subscription',
    summary: subscription('active'),
    path: 'cancel-subscription',
    start: (el) => click(el, 'cancel', 'confirm'),
    body: {},
    answer: { status: 'success', message: 'Subscription will cancel at period end.' },
    after: subscription('cancelling'),
    done: (el) => hasPart(el, 'resume'),
  },
  {
    action: 'resume',
    via: 'Resume',
    tag: 'billing-subscription',
    summary: subscription('cancelling'),
    path: 'resume-subscription',
    start: (el) => click(el, 'resume'),
    body: {},
    answer: { status: 'success', message: 'Subscription resumed.' },
    after: subscription('active'),
    done: (el) => hasPart(el, 'cancel'),
  },
  {
    action: 'portal',
    via: 'the portal button',
    tag: 'billing-portal-button',
    summary: summaryFixture(),
    path: 'portal-session',
    start: (el) => click(el, 'button'),
    body: { return_url: location.href },
    answer: { redirect_url: 'https://portal.test/p_1' },
    done: redirected,
  },
];

async function mount(api: FakeBillingApi, tag: string, attributes = '') {
  const wrapper = await fixture<HTMLDivElement>(
    staticHtml`<div><${unsafeStatic(tag)} api-base=${api.apiBase} token="t" ${unsafeStatic(attributes)}></${unsafeStatic(tag)}></div>`,
  );
  const el = wrapper.firstElementChild as BillingElement;
  await until(() => inState(el, 'loaded'), `<${tag}> loaded`);
  const navigated: string[] = [];
  el.store!.navigate = (url) => navigated.push(url);
  return { el, navigated };
}

/** Records `billing-error` events and the elements' console lines while `body` runs. */
async function watching(body: (events: BillingErrorEvent[], lines: string[]) => Promise<void>) {
  const events: BillingErrorEvent[] = [];
  const lines: string[] = [];
  const record = (e: BillingErrorEvent) => events.push(e);
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (String(args[0]).startsWith('[billing]')) lines.push(args.join(' '));
    else warn(...args);
  };
  document.addEventListener('billing-error', record);
  try {
    await body(events, lines);
  } finally {
    document.removeEventListener('billing-error', record);
    console.warn = warn;
  }
}

describe('a failed payment action', () => {
  for (const c of CASES) {
    it(`${c.action} (${c.via}): shows the failure with Retry, reports it, and Retry re-sends it`, async () => {
      const api = new FakeBillingApi(c.summary);
      api.on('post', c.path, () => errorResponse(503, 'stripe_unavailable', FAILURE));
      const { el, navigated } = await mount(api, c.tag, c.attributes);
      await watching(async (events, lines) => {
        await c.start(el);
        await until(() => hasPart(el, 'retry'), 'Retry');
        const failed = api.requests.at(-1)!;
        expect(failed.path).to.equal(c.path);

        expect(part(el, 'error').textContent).to.equal(FAILURE);
        expect(inState(el, 'loaded')).to.equal(true);
        const retry = part<HTMLButtonElement>(el, 'retry');
        expect(retry.localName).to.equal('button');
        expect(retry.textContent!.trim()).to.equal('Retry');
        expect(retry.getAttribute('aria-describedby')).to.equal(part(el, 'error').id);
        retry.focus();
        expect(el.shadowRoot!.activeElement).to.equal(retry);
        await until(() => hasPart(el, 'toast'), 'the toast');
        const toast = part(el, 'toast');
        expect(toast.textContent).to.contain(FAILURE);
        // On top, not behind a modal dialog's backdrop.
        const box = toast.getBoundingClientRect();
        expect(toast.contains(el.shadowRoot!.elementFromPoint(box.x + 4, box.y + box.height / 2))).to.equal(
          true,
        );
        await expect(el).to.be.accessible();

        expect(events.length).to.equal(1);
        const [event] = events;
        expect(event.action).to.equal(c.action);
        expect(event.target).to.equal(el);
        expect([event.error.status, event.error.code, event.error.message]).to.deep.equal([
          503,
          'stripe_unavailable',
          FAILURE,
        ]);
        expect(event.error.requestId).to.equal(failed.requestId);
        expect(lines).to.deep.equal([
          `[billing] ${c.action} failed: 503 stripe_unavailable ${FAILURE} (X-Request-Id ${failed.requestId})`,
        ]);

        api.on('post', c.path, () => {
          if (c.after) api.on('get', 'summary', () => c.after);
          return c.answer;
        });
        retry.click();
        await until(() => c.done(el, navigated), 'the action to succeed');
        const sent = api.requests.filter((r) => r.path === c.path);
        expect(sent.length).to.equal(2);
        expect(sent[1].body).to.deep.equal(sent[0].body);
        expect(sent[1].body).to.deep.equal(c.body);
        expect(hasPart(el, 'retry')).to.equal(false);
        expect(events.length).to.equal(1);
      });
    });
  }

  it('preventDefault() on billing-error silences the console line and the toast; Retry stays', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'portal-session', () => errorResponse(502, 'stripe_error', FAILURE));
    const { el } = await mount(api, 'billing-portal-button');
    const prevent = (e: Event) => e.preventDefault();
    document.addEventListener('billing-error', prevent);
    try {
      await watching(async (events, lines) => {
        part(el, 'button').click();
        await until(() => hasPart(el, 'retry'), 'Retry');
        await new Promise((r) => setTimeout(r, 50));
        expect(events.map((e) => [e.action, e.defaultPrevented])).to.deep.equal([['portal', true]]);
        expect(lines).to.deep.equal([]);
        expect(hasPart(el, 'toast')).to.equal(false);
        expect(part(el, 'error').textContent).to.equal(FAILURE);
      });
    } finally {
      document.removeEventListener('billing-error', prevent);
    }
  });

  it('says the server could not be reached when no answer came, and Retry tries again', async () => {
    const api = new FakeBillingApi(subscription('cancelling'));
    api.on('post', 'resume-subscription', () => Promise.reject(new TypeError('Failed to fetch')));
    const { el } = await mount(api, 'billing-subscription');
    await watching(async (events, lines) => {
      part(el, 'resume').click();
      await until(() => hasPart(el, 'retry'), 'Retry');
      expect(part(el, 'error').textContent).to.equal('Could not reach the billing server.');
      expect([events[0].action, events[0].error.status, events[0].error.code]).to.deep.equal([
        'resume',
        0,
        'network_error',
      ]);
      expect(events[0].error.requestId).to.equal(undefined);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^\[billing\] resume failed: 0 network_error /);
    });
    api.on('post', 'resume-subscription', () => ({ status: 'success', message: 'Resumed.' }));
    part(el, 'retry').click();
    await until(() => !hasPart(el, 'retry') && api.count('summary') === 2, 'the retried resume');
    expect(api.count('resume-subscription')).to.equal(2);
  });

  it('offers no Retry when the server refused the amount itself (the field shows why)', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () =>
      errorResponse(400, 'amount_too_large', 'The maximum top-up is $500.00.', 'amount'),
    );
    const { el } = await mount(api, 'billing-topup');
    await watching(async (events) => {
      part(el, 'preset').click();
      await click(el, 'submit');
      await until(() => events.length === 1, 'the billing-error event');
      await el.updateComplete;
      expect(events[0].action).to.equal('topup');
      expect(events[0].error.field).to.equal('amount');
      expect(hasPart(el, 'retry')).to.equal(false);
    });
  });

  it('is forgotten when the amount changes, so Retry never sends an amount no longer shown', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () => errorResponse(503, 'stripe_unavailable', FAILURE));
    const { el } = await mount(api, 'billing-topup');
    await watching(async () => {
      part(el, 'preset').click();
      await click(el, 'submit');
      await until(() => hasPart(el, 'retry'), 'Retry');
      parts(el, 'preset')[2].click();
      await el.updateComplete;
      expect(hasPart(el, 'retry')).to.equal(false);
    });
  });
});

describe('a failed load', () => {
  it('is reported as action load with the status, code and request id, and logged once', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(503, 'store_unavailable', 'Down.'));
    await watching(async (events, lines) => {
      const wrapper = await fixture<HTMLDivElement>(
        html`<div><billing-balance api-base=${api.apiBase} token="t"></billing-balance></div>`,
      );
      const el = wrapper.querySelector('billing-balance')!;
      await until(() => inState(el, 'error'), 'the error state');
      // The last of the three attempts (a 503 read is retried twice) is the one reported.
      expect(api.count('summary')).to.equal(3);
      const { requestId } = api.requests[2];
      expect(events.map((e) => [e.action, e.error.status, e.error.code, e.error.requestId])).to.deep.equal([
        ['load', 503, 'store_unavailable', requestId],
      ]);
      expect(lines).to.deep.equal([
        `[billing] load failed: 503 store_unavailable Down. (X-Request-Id ${requestId})`,
      ]);
    });
  });
});

describe('the page language', () => {
  const TAGS = [
    'billing-balance',
    'billing-topup',
    'billing-subscription',
    'billing-history',
    'billing-portal-button',
    'billing-usage',
  ];

  it('is followed at run time: every element switches when a lang above it changes, and back', async () => {
    const api = new FakeBillingApi();
    const wrapper = await fixture<HTMLDivElement>(
      staticHtml`<div lang="en"><billing-provider api-base=${api.apiBase} token="t">${unsafeStatic(
        TAGS.map((tag) => `<${tag}></${tag}>`).join(''),
      )}</billing-provider></div>`,
    );
    const elements = TAGS.map((tag) => wrapper.querySelector(tag)!);
    const headings = () => elements.map((el) => part(el, 'heading').textContent);
    await until(() => elements.every((el) => !inState(el, 'loading')), 'every element loaded');
    expect(headings()).to.deep.equal([
      'Credit balance',
      'Add credits',
      'Subscription',
      'Transactions',
      'Manage billing',
      'Usage',
    ]);
    wrapper.lang = 'zh-CN';
    await until(() => headings()[0] === '余额', 'Chinese after the lang change');
    expect(headings()).to.deep.equal(['余额', '充值', '订阅', '交易记录', '管理账单', '用量']);
    expect(part(elements[0]!, 'amount').textContent).to.equal('US$12.50');
    // The document element's lang counts too, when nothing nearer sets one.
    wrapper.removeAttribute('lang');
    const before = document.documentElement.lang;
    document.documentElement.lang = 'en-GB';
    try {
      await until(() => headings()[0] === 'Credit balance', 'English again from <html lang>');
      expect(part(elements[0]!, 'amount').textContent).to.equal('US$12.50');
    } finally {
      document.documentElement.lang = before;
    }
  });
});
