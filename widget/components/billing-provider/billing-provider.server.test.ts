import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import type { BillingElement } from '../../base/billing-element.js';
import { stack } from '../../testing/billing-stack.js';
import { inState } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';

describe('<billing-provider> against the real server', () => {
  it('loads a page of every element with one /summary request', async () => {
    const url = await stack.url();
    const token = await stack.token('whole-page');
    const seen: string[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      seen.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return realFetch(input, init);
    };
    try {
      const provider = await fixture(html`<billing-provider api-base=${url} token=${token}>
        <billing-balance></billing-balance>
        <billing-topup></billing-topup>
        <billing-subscription></billing-subscription>
        <setup-payment-modal></setup-payment-modal>
        <billing-history></billing-history>
        <billing-portal-button></billing-portal-button>
      </billing-provider>`);
      const elements = [...provider.children] as BillingElement[];
      await until(
        () => elements.every((el) => inState(el, 'loaded') || inState(el, 'empty')),
        'every element to load',
      );
      expect(seen.filter((path) => path === '/api/billing/summary')).to.have.length(1);
      expect(seen).to.deep.equal(['/api/billing/summary']);
    } finally {
      window.fetch = realFetch;
    }
  });
});
