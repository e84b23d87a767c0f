import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { hasPart, inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';
import type { BillingProvider } from '../billing-provider/billing-provider.js';
import type { BillingSubscription } from './billing-subscription.js';

describe('<billing-subscription> against the real server', () => {
  it('subscribes through Checkout, then cancels and resumes', async () => {
    const url = await stack.url();
    const token = await stack.token('subscriber');
    const first = await fixture<BillingSubscription>(
      html`<billing-subscription api-base=${url} token=${token}></billing-subscription>`,
    );
    await until(() => hasPart(first, 'subscribe'), 'the plans');
    const redirects: string[] = [];
    first.store!.navigate = (target) => redirects.push(target);
    part(first, 'subscribe').click();
    await until(() => redirects.length === 1, 'the redirect to Checkout');
    await stack.complete(redirects[0]);
    await stack.webhooks();

    const provider = await fixture<BillingProvider>(
      html`<billing-provider api-base=${url} token=${token}><billing-subscription></billing-subscription></billing-provider>`,
    );
    const el = provider.querySelector('billing-subscription')!;
    await until(() => hasPart(el, 'cancel'), 'the active subscription');
    expect(part(el, 'status').textContent).to.contain('Pro').and.contain('Renews on');
    await expect(el).to.be.accessible();

    part(el, 'cancel').click();
    await el.updateComplete;
    part(el, 'confirm').click();
    await until(() => hasPart(el, 'resume'), 'the cancelling subscription');
    expect(part(el, 'status').textContent).to.contain('Ends on');

    part(el, 'resume').click();
    await until(() => hasPart(el, 'cancel'), 'the resumed subscription');
    expect(inState(el, 'loaded')).to.equal(true);
  });
});
