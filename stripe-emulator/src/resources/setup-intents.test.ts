import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';

test('setup intents: confirming with a customer saves the card to it', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 's@example.com' });
  const si = await stripe.setupIntents.create({ customer: customer.id, metadata: { account_id: 'a1' } });
  assert.match(si.id, /^seti_/);
  assert.equal(si.status, 'requires_payment_method');
  assert.match(si.client_secret!, new RegExp(`^${si.id}_secret_`));
  const confirmed = await stripe.setupIntents.confirm(si.id, {
    payment_method: 'pm_card_chargeCustomerFail',
  });
  assert.equal(confirmed.status, 'succeeded');
  assert.equal(confirmed.usage, 'off_session');
  const methods = await stripe.customers.listPaymentMethods(customer.id);
  assert.deepEqual(
    methods.data.map((pm) => pm.id),
    [confirmed.payment_method],
  );
  const retrieved = await stripe.setupIntents.retrieve(si.id, { expand: ['payment_method'] });
  assert.equal((retrieved.payment_method as Stripe.PaymentMethod).card?.last4, '0341');
  const types = (await stripe.events.list({ limit: 10 })).data.map((e) => e.type).reverse();
  assert.deepEqual(types.slice(-3), [
    'setup_intent.created',
    'payment_method.attached',
    'setup_intent.succeeded',
  ]);
  assert.equal((await stripe.setupIntents.list({ customer: customer.id })).data.length, 1);
});

test('setup intents: a declining card fails the setup and saves nothing', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 'f@example.com' });
  const failed = await stripe.setupIntents
    .create({ customer: customer.id, payment_method: 'pm_card_visa_chargeDeclined', confirm: true })
    .then(
      () => assert.fail('the setup should fail'),
      (err: unknown) => err,
    );
  assert.ok(failed instanceof Stripe.errors.StripeCardError);
  assert.equal(failed.decline_code, 'generic_decline');
  const si = failed.setup_intent!;
  assert.equal(si.status, 'requires_payment_method');
  assert.equal((await stripe.setupIntents.retrieve(si.id)).last_setup_error?.decline_code, 'generic_decline');
  assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0);
  // The same intent can be confirmed again with a good card.
  const retried = await stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_visa' });
  assert.equal(retried.status, 'succeeded');
  assert.equal(retried.last_setup_error, null);
});

test('setup intents: a card that needs 3D Secure waits for it; payment_method_types is refused', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 'x@example.com' });
  const si = await stripe.setupIntents.create({
    customer: customer.id,
    payment_method: 'pm_card_authenticationRequired',
    confirm: true,
  });
  assert.equal(si.status, 'requires_action');
  assert.equal(si.next_action?.type, 'use_stripe_sdk');
  const done = await stripe.setupIntents.confirm(si.id);
  assert.equal(done.status, 'succeeded');

  const open = await stripe.setupIntents.create({ customer: customer.id });
  assert.equal((await stripe.setupIntents.cancel(open.id)).status, 'canceled');
  await assert.rejects(
    stripe.setupIntents.confirm(open.id, { payment_method: 'pm_card_visa' }),
    (err: Stripe.errors.StripeError) => err.statusCode === 400,
  );
  await assert.rejects(
    stripe.setupIntents.create({
      customer: customer.id,
      payment_method_types: ['card'],
    } as Stripe.SetupIntentCreateParams),
    (err: Stripe.errors.StripeError) => {
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'payment_method_types_no_longer_supported');
      assert.equal(err.param, 'payment_method_types');
      return true;
    },
  );
  await assert.rejects(
    stripe.setupIntents.create({ customer: 'cus_missing' }),
    (err: Stripe.errors.StripeError) =>
      err.statusCode === 400 && err.code === 'resource_missing' && err.param === 'customer',
  );
});
