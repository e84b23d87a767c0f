import { expect, fixture, html } from '@open-wc/testing';
import '../../index.js';
import { stack } from '../../testing/billing-stack.js';
import { hasPart, inState, part } from '../../testing/dom.js';
import { until } from '../../testing/fake-billing-api.js';
import type { BillingProvider } from '../billing-provider/billing-provider.js';
import type { SetupPaymentModal } from './setup-payment-modal.js';

describe('<setup-payment-modal> against the real server', () => {
  afterEach(() =>
    history.replaceState(null, '', location.pathname + location.search.replace(/[?&]setup=\w+/, '')),
  );

  it('offers the welcome credit, saves a card through Checkout, and the credit arrives', async () => {
    const url = await stack.url();
    const token = await stack.token('card-saver');
    const modal = await fixture<SetupPaymentModal>(
      html`<setup-payment-modal auto-open api-base=${url} token=${token}></setup-payment-modal>`,
    );
    await until(() => modal.open && inState(modal, 'loaded'), 'the dialog to open by itself');
    expect(part(modal, 'offer').textContent).to.equal('Get $50.00 of free credits.');
    await expect(modal).to.be.accessible();
    const redirects: string[] = [];
    modal.store!.navigate = (target) => redirects.push(target);
    part(modal, 'proceed').click();
    await until(() => redirects.length === 1, 'the redirect to Checkout');

    const callback = await stack.visit(await stack.complete(redirects[0]));
    const back = new URL(callback.location!);
    expect(back.searchParams.get('setup')).to.equal('success');
    history.replaceState(null, '', back.pathname + back.search);
    const provider = await fixture<BillingProvider>(html`<billing-provider api-base=${url} token=${token}>
      <billing-balance></billing-balance><setup-payment-modal auto-open></setup-payment-modal>
    </billing-provider>`);
    const balance = provider.querySelector('billing-balance')!;
    await until(() => inState(balance, 'loaded') && hasPart(balance, 'toast'), 'the welcome credit');
    expect(part(balance, 'amount').textContent).to.equal('$50.00');
    expect(part(balance, 'toast').textContent).to.contain('Card saved.');
    expect(provider.querySelector('setup-payment-modal')!.open).to.equal(false);
  });
});
