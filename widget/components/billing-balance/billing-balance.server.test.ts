import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';

describe('<billing-balance> against the real server', () => {
  it('shows the balance the ledger holds, and zero for a new account', async () => {
    const url = await stack.url();
    await stack.grant('balance-rich', 1250, 'Welcome bonus');
    const root = await fixture<HTMLDivElement>(html`<div>
      <billing-balance api-base=${url} token=${await stack.token('balance-rich')}></billing-balance>
      <billing-balance api-base=${url} token=${await stack.token('balance-new')}></billing-balance>
    </div>`);
    const [rich, fresh] = [...root.querySelectorAll('billing-balance')];
    await until(() => inState(rich, 'loaded') && inState(fresh, 'empty'), 'both balances');
    expect(part(rich, 'amount').textContent).to.equal('$12.50');
    expect(part(fresh, 'amount').textContent).to.equal('$0.00');
    await expect(rich).to.be.accessible();
  });

  it('shows the server refusing a bad token as an error', async () => {
    const url = await stack.url();
    const el = await fixture(html`<billing-balance api-base=${url} token="not-a-jwt"></billing-balance>`);
    await until(() => inState(el, 'error'), 'the error state');
    expect(part(el, 'error').textContent).to.not.equal('');
  });
});
