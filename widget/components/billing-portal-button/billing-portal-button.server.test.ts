import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';
import type { BillingPortalButton } from './billing-portal-button.js';

describe('<billing-portal-button> against the real server', () => {
  it("opens the emulator's Customer Portal", async () => {
    const url = await stack.url();
    const el = await fixture<BillingPortalButton>(
      html`<billing-portal-button api-base=${url} token=${await stack.token('portal-user')}></billing-portal-button>`,
    );
    await until(() => inState(el, 'loaded'), 'the button');
    const redirects: string[] = [];
    el.store!.navigate = (target) => redirects.push(target);
    part(el, 'button').click();
    await until(() => redirects.length === 1 || !el.pending, 'the portal session');
    expect(redirects).to.have.length(1);
    expect((await stack.visit(redirects[0])).status).to.equal(200);
  });
});
