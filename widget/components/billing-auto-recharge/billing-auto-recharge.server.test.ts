import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';
import type { BillingAutoRecharge } from './billing-auto-recharge.js';

describe('<billing-auto-recharge> against the real server', () => {
  it('needs a saved card, then turns on and off with a cross-origin PUT', async () => {
    const url = await stack.url();
    const token = await stack.token('recharger');
    const mount = async () => {
      const el = await fixture<BillingAutoRecharge>(
        html`<billing-auto-recharge api-base=${url} token=${token}></billing-auto-recharge>`,
      );
      await until(() => inState(el, 'loaded'), 'the summary');
      return el;
    };
    const before = await mount();
    expect(part(before, 'empty').textContent).to.contain('Save a card first');

    // Save a card through Checkout's setup mode, as the setup modal does.
    const setup = await fetch(`${url}/api/billing/create-customer-setup-session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { redirect_url } = (await setup.json()) as { redirect_url: string };
    await stack.visit(await stack.complete(redirect_url));
    await stack.webhooks();

    const el = await mount();
    // The page's shared store still holds the summary from before the card: refresh it.
    await el.store!.refresh(el, true);
    await el.updateComplete;
    expect(part(el, 'status').textContent).to.contain('Off.');
    part(el, 'submit').click();
    await until(() => part(el, 'status').textContent!.includes('On.'), 'turned on');
    expect(el.store!.summary!.auto_recharge).to.include({
      enabled: true,
      status: 'ready',
      threshold: '10.00',
      amount: '25.00',
      monthly_cap: '100.00',
    });
    await expect(el).to.be.accessible();
    part(el, 'disable').click();
    await until(() => part(el, 'status').textContent!.includes('Off.'), 'turned off');
    expect(el.store!.summary!.auto_recharge.enabled).to.equal(false);
  });
});
