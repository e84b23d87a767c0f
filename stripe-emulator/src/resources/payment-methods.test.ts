import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';

test('payment methods: attach test cards, list and retrieve them per customer', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const ada = await stripe.customers.create({ email: 'ada@example.com' });
  const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: ada.id });
  const master = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: ada.id });
  // Each use of a pm_card_* token makes a new PaymentMethod, as at Stripe.
  const again = await stripe.paymentMethods.attach('pm_card_visa', { customer: ada.id });
  assert.notEqual(again.id, visa.id);
  assert.match(visa.id, /^pm_/);
  assert.equal(visa.customer, ada.id);
  assert.equal(visa.type, 'card');
  assert.equal(visa.card?.brand, 'visa');
  assert.equal(visa.card?.last4, '4242');
  assert.equal(master.card?.brand, 'mastercard');
  assert.equal(again.card?.fingerprint, visa.card?.fingerprint);

  const listed = await stripe.customers.listPaymentMethods(ada.id, { type: 'card' });
  assert.deepEqual(
    listed.data.map((pm) => pm.id),
    [again.id, master.id, visa.id],
  );
  const viaList = await stripe.paymentMethods.list({ customer: ada.id, type: 'card', limit: 2 });
  assert.equal(viaList.data.length, 2);
  assert.equal(viaList.has_more, true);
  assert.equal((await stripe.customers.retrievePaymentMethod(ada.id, master.id)).id, master.id);
  assert.equal((await stripe.paymentMethods.retrieve(master.id)).card?.last4, '4444');

  const bob = await stripe.customers.create({ email: 'bob@example.com' });
  await assert.rejects(
    stripe.customers.retrievePaymentMethod(bob.id, master.id),
    (err: Stripe.errors.StripeError) => err.statusCode === 404 && err.code === 'resource_missing',
  );
  await assert.rejects(
    stripe.paymentMethods.attach(master.id, { customer: bob.id }),
    (err: Stripe.errors.StripeError) => err instanceof Stripe.errors.StripeInvalidRequestError,
  );
  assert.equal((await stripe.customers.listPaymentMethods(bob.id)).data.length, 0);
  const types = (await stripe.events.list({ type: 'payment_method.attached' })).data.length;
  assert.equal(types, 3);
});

test('payment methods: detaching clears the customer and its default for invoices', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 'd@example.com' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const detached = await stripe.paymentMethods.detach(pm.id);
  assert.equal(detached.customer, null);
  const after = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
  assert.equal(after.invoice_settings.default_payment_method, null);
  assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0);
  await assert.rejects(
    stripe.paymentMethods.detach(pm.id),
    (err: Stripe.errors.StripeError) => err.statusCode === 400,
  );
  const event = (await stripe.events.list({ type: 'payment_method.detached' })).data[0]!;
  assert.deepEqual(event.data.previous_attributes, { customer: customer.id });
});

test('payment methods: create from a test card number; other numbers and past expiry are refused', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const year = new Date().getUTCFullYear() + 2;
  const pm = await stripe.paymentMethods.create({
    type: 'card',
    card: { number: '4000 0000 0000 0341', exp_month: 4, exp_year: year, cvc: '123' },
    billing_details: { name: 'Grace', email: 'grace@example.com' },
  });
  assert.equal(pm.card?.last4, '0341');
  assert.equal(pm.card?.exp_year, year);
  assert.equal(pm.billing_details.name, 'Grace');
  assert.equal(pm.customer, null);

  await assert.rejects(
    stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4111111111111111', exp_month: 4, exp_year: year },
    }),
    (err: Stripe.errors.StripeError) => {
      assert.equal(err.statusCode, 400);
      assert.equal(err.rawType, 'card_error');
      assert.equal(err.code, 'invalid_number');
      return true;
    },
  );
  await assert.rejects(
    stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 1, exp_year: 2001 },
    }),
    (err: Stripe.errors.StripeError) =>
      err instanceof Stripe.errors.StripeCardError && err.code === 'invalid_expiry_year',
  );
  await assert.rejects(
    stripe.paymentMethods.create({
      type: 'card',
      card: { number: '4242424242424242', exp_month: 13, exp_year: year },
    }),
    (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'card[exp_month]',
  );
  await assert.rejects(
    stripe.paymentMethods.attach('pm_missing', { customer: 'cus_missing' }),
    (err: Stripe.errors.StripeError) =>
      err.statusCode === 400 && err.code === 'resource_missing' && err.param === 'customer',
  );
  await assert.rejects(
    stripe.paymentMethods.list({ customer: 'cus_missing' }),
    (err: Stripe.errors.StripeError) =>
      err.statusCode === 400 && err.code === 'resource_missing' && err.param === 'customer',
  );
});
