import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/** POST /has-payment-method asks Stripe and refreshes the account's copy the summary shows. */
describe('has-payment-method follows Stripe', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const hasCard = async (user: string) =>
    (await h.api('POST', '/api/billing/has-payment-method', { token: h.tokenFor(user) })).body;
  const summaryHasCard = async (user: string) =>
    (await h.api('GET', '/api/billing/summary', { token: h.tokenFor(user) })).body.has_payment_method;

  test('a card removed in Stripe (e.g. in the portal) turns it false; a card added there turns it true', async () => {
    const created = await h.api('POST', '/api/billing/create-customer-setup-session', {
      token: h.tokenFor('dora'),
      body: { return_url: `${HOST_ORIGIN}/billing` },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(created.body.redirect_url)![0];
    assert.equal((await h.completeCheckout(created.body.redirect_url)).status, 200);
    await h.visit((await h.returnLinks(sessionId)).success);
    await h.webhooksDelivered();
    assert.equal(await hasCard('dora'), true);
    assert.equal(await summaryHasCard('dora'), true);

    const session = await h.stripe.checkout.sessions.retrieve(sessionId, { expand: ['setup_intent'] });
    const customerId = session.customer as string;
    await h.stripe.paymentMethods.detach(
      (session.setup_intent as Stripe.SetupIntent).payment_method as string,
    );
    assert.equal(await hasCard('dora'), false);
    assert.equal(await summaryHasCard('dora'), false);

    // Attached but not made the default: any saved card counts.
    const card = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' },
    } as Stripe.PaymentMethodCreateParams);
    await h.stripe.paymentMethods.attach(card.id, { customer: customerId });
    assert.equal(await hasCard('dora'), true);
    const row = await h.store.sql.run('SELECT default_payment_method_id FROM accounts WHERE id = ?', [
      'user:dora',
    ]);
    assert.equal(row.rows[0]!.default_payment_method_id, card.id);
    // Another account's card never shows here.
    assert.equal(await hasCard('eve'), false);
  });
});
