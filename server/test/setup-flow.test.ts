import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import {
  type BillingHarness,
  balanceOf,
  HOST_ORIGIN,
  setUpCard as setUpCardWith,
  startBillingHarness,
} from './harness.ts';

describe('saving a card through Checkout setup mode', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const setUpCard = (user: string, card?: string) => setUpCardWith(h, user, card);

  test('the card becomes the default and the welcome credit is granted once', async () => {
    const token = h.tokenFor('alice');
    assert.equal((await h.api('POST', '/api/billing/has-payment-method', { token })).body, false);

    const sessionId = await setUpCard('alice');
    const back = await h.visit((await h.returnLinks(sessionId)).success);
    assert.equal(back.status, 302);
    assert.equal(back.location, `${HOST_ORIGIN}/settings?setup=success`);
    await h.webhooksDelivered();

    const session = await h.stripe.checkout.sessions.retrieve(sessionId, { expand: ['setup_intent'] });
    const paymentMethod = (session.setup_intent as Stripe.SetupIntent).payment_method as string;
    const customer = (await h.stripe.customers.retrieve(session.customer as string)) as Stripe.Customer;
    assert.equal(customer.invoice_settings.default_payment_method, paymentMethod);
    assert.equal((await h.api('POST', '/api/billing/has-payment-method', { token })).body, true);
    assert.equal(await balanceOf(h, 'alice'), 5000);
    const summary = await h.api('GET', '/api/billing/summary', { token });
    assert.equal(summary.body.welcome_granted, true);
    assert.equal(summary.body.has_payment_method, true);

    // A second card replaces the default; the welcome credit is not granted again.
    const second = await setUpCard('alice', '5555555555554444');
    await h.visit((await h.returnLinks(second)).success);
    await h.webhooksDelivered();
    const secondSession = await h.stripe.checkout.sessions.retrieve(second, { expand: ['setup_intent'] });
    const secondMethod = (secondSession.setup_intent as Stripe.SetupIntent).payment_method as string;
    assert.notEqual(secondMethod, paymentMethod);
    const updated = (await h.stripe.customers.retrieve(session.customer as string)) as Stripe.Customer;
    assert.equal(updated.invoice_settings.default_payment_method, secondMethod);
    assert.equal(await balanceOf(h, 'alice'), 5000);
    const rows = await h.store.sql.run(
      "SELECT source_id FROM ledger_entries WHERE account_id = 'user:alice'",
    );
    assert.deepEqual(
      rows.rows.map((r) => r.source_id),
      ['welcome:user:alice'],
    );
  });

  test('the webhook alone saves the card when the user never returns', async () => {
    await setUpCard('bob');
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 5000);
    assert.equal(
      (await h.api('POST', '/api/billing/has-payment-method', { token: h.tokenFor('bob') })).body,
      true,
    );
  });

  test('no welcome credit when the deployment offers none', async () => {
    const plain = await startBillingHarness({ BILLING_WELCOME_CREDIT: '0' });
    try {
      const res = await plain.api('POST', '/api/billing/create-customer-setup-session', {
        token: plain.tokenFor('carol'),
        body: {},
      });
      assert.equal(res.status, 200);
      await plain.completeCheckout(res.body.redirect_url);
      await plain.webhooksDelivered();
      assert.equal(await balanceOf(plain, 'carol'), 0);
      assert.equal(
        (await plain.api('POST', '/api/billing/has-payment-method', { token: plain.tokenFor('carol') })).body,
        true,
      );
    } finally {
      await plain.close();
    }
  });
});
