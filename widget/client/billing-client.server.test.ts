import { expect } from '@open-wc/testing';
import { stack } from '../testing/billing-stack.js';
import type { BillingApiError } from './billing-api-error.js';
import { BillingClient } from './billing-client.js';

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('BillingClient against the real server', () => {
  it('reads the balance, the subscription access and the saved card as the server answers them', async () => {
    const url = await stack.url();
    await stack.grant('client-reads', 1250, 'Starter credit');
    const client = new BillingClient(url, await stack.token('client-reads'));
    expect(await client.credits()).to.deep.equal({ credits: '12.50' });
    expect(await client.subscriptionAccess()).to.equal(null);
    expect(await client.hasPaymentMethod()).to.equal(false);

    const { redirect_url } = await client.subscriptionCheckoutSession('pro', location.href);
    await stack.complete(redirect_url);
    await stack.webhooks();
    const access = await client.subscriptionAccess();
    expect(access).to.not.equal(null);
    expect(Object.keys(access!).sort()).to.deep.equal([
      'cancelled_at',
      'created_at',
      'end_at',
      'start_at',
      'stripe_subscription_id',
    ]);
    for (const instant of [access!.start_at, access!.end_at, access!.created_at]) {
      expect(instant).to.match(ISO_INSTANT);
    }
    expect(Date.parse(access!.end_at)).to.be.greaterThan(Date.now());
    expect(access!.cancelled_at).to.equal(null);
    expect(access!.stripe_subscription_id).to.match(/^sub_/);
    // The plan's included credit arrived with the first invoice.
    expect(await client.credits()).to.deep.equal({ credits: '22.50' });
    expect(await client.hasPaymentMethod()).to.equal(true);

    await client.cancelSubscription();
    await stack.webhooks();
    const cancelled = await client.subscriptionAccess();
    expect(cancelled!.cancelled_at).to.match(ISO_INSTANT);
    expect(cancelled!.end_at).to.equal(access!.end_at);
  });

  it("carries the server's X-Request-Id on a failure, read across origins", async () => {
    const client = new BillingClient(await stack.url(), 'not-a-jwt');
    const error = (await client.credits().catch((e) => e)) as BillingApiError;
    expect(error.status).to.equal(401);
    expect(error.requestId).to.match(/^[0-9a-f-]{36}$/);
  });
});
