import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { hasPart, inState, part, parts } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';
import type { BillingProvider } from '../billing-provider/billing-provider.js';
import type { BillingTopup } from './billing-topup.js';

describe('<billing-topup> against the real server', () => {
  afterEach(() =>
    history.replaceState(null, '', location.pathname + location.search.replace(/[?&]checkout=\w+/, '')),
  );

  it('tops up through Stripe Checkout and shows the new balance on return', async () => {
    const url = await stack.url();
    const token = await stack.token('topup-user');
    const topup = await fixture<BillingTopup>(
      html`<billing-topup api-base=${url} token=${token}></billing-topup>`,
    );
    await until(() => inState(topup, 'loaded'), 'the top-up form');
    const redirects: string[] = [];
    topup.store!.navigate = (target) => redirects.push(target);
    parts(topup, 'preset')[1].click();
    await topup.updateComplete;
    part(topup, 'submit').click();
    await until(() => redirects.length === 1, 'the redirect to Checkout');

    const successUrl = await stack.complete(redirects[0]);
    const callback = await stack.visit(successUrl);
    expect(callback.status).to.equal(302);
    const back = new URL(callback.location!);
    expect(back.origin).to.equal(location.origin);
    expect(back.searchParams.get('checkout')).to.equal('success');

    // The browser lands back on this page: a new page load, so a new provider and store.
    history.replaceState(null, '', back.pathname + back.search);
    const provider = await fixture<BillingProvider>(
      html`<billing-provider api-base=${url} token=${token}><billing-balance></billing-balance></billing-provider>`,
    );
    const balance = provider.querySelector('billing-balance')!;
    await until(() => inState(balance, 'loaded') && hasPart(balance, 'toast'), 'the refreshed balance');
    expect(part(balance, 'amount').textContent).to.equal('$25.00');
    expect(part(balance, 'toast').textContent).to.contain('Payment received.');
    expect(new URL(location.href).searchParams.has('checkout')).to.equal(false);
  });

  it("shows the server's own refusal when the amount is over its maximum", async () => {
    const url = await stack.url();
    const topup = await fixture<BillingTopup>(
      html`<billing-topup api-base=${url} token=${await stack.token('topup-refused')}></billing-topup>`,
    );
    await until(() => inState(topup, 'loaded'), 'the top-up form');
    topup.store!.summary!.topup.max_cents = 10_000_000;
    const input = part<HTMLInputElement>(topup, 'input');
    input.value = '5000';
    input.dispatchEvent(new InputEvent('input'));
    await topup.updateComplete;
    part(topup, 'submit').click();
    await until(() => part(topup, 'hint').classList.contains('error'), 'the refusal');
    expect(part(topup, 'hint').textContent).to.contain('at most 1000.00');
    expect(part(topup, 'input').getAttribute('aria-invalid')).to.equal('true');
  });
});
