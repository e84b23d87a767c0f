import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { createSubscriber, periodEndOf } from '../testing-billing.ts';

describe('invoices and invoice payments through the official SDK', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('list by customer, subscription and status; lines; payments by invoice', async () => {
    const a = await createSubscriber(run, { amount: 1200 });
    const b = await createSubscriber(run, { amount: 3400 });
    const fail = await run.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: b.customer.id,
    });
    await run.stripe.customers.update(b.customer.id, {
      invoice_settings: { default_payment_method: fail.id },
    });
    await run.control('/_emulator/advance', { seconds: periodEndOf(b.subscription) - run.emu.now() + 3700 });

    const ofA = await run.stripe.invoices.list({ customer: a.customer.id });
    assert.deepEqual(
      ofA.data.map((i) => [i.billing_reason, i.status, i.total]),
      [
        ['subscription_cycle', 'paid', 1200],
        ['subscription_create', 'paid', 1200],
      ],
    );
    const openOfB = await run.stripe.invoices.list({ subscription: b.subscription.id, status: 'open' });
    assert.equal(openOfB.data.length, 1);
    const open = openOfB.data[0]!;
    assert.equal(open.amount_remaining, 3400);
    assert.equal(open.attempted, true);
    assert.ok(open.next_payment_attempt! > open.created);
    assert.equal(open.customer_email, 'subscriber@example.com');

    const lines = await run.stripe.invoices.listLineItems(open.id);
    assert.equal(lines.data.length, 1);
    const line = lines.data[0]!;
    assert.match(line.id, /^il_/);
    assert.equal(line.amount, 3400);
    assert.equal(line.quantity, 1);
    assert.equal(line.parent?.subscription_item_details?.subscription, b.subscription.id);
    assert.equal(line.period.start, periodEndOf(b.subscription));

    const payments = await run.stripe.invoicePayments.list({ invoice: open.id });
    assert.equal(payments.data.length, 1);
    const payment = await run.stripe.invoicePayments.retrieve(payments.data[0]!.id);
    assert.equal(payment.invoice, open.id);
    assert.equal(payment.status, 'open');
    assert.equal(payment.amount_requested, 3400);
    const pi = await run.stripe.paymentIntents.retrieve(payment.payment.payment_intent as string);
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal(pi.last_payment_error?.code, 'card_declined');
  });

  test('bad input is a 400 naming the param; unknown ids are 404', async () => {
    await assert.rejects(
      run.stripe.invoices.list({ status: 'lost' as 'paid' }),
      (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'status',
    );
    await assert.rejects(
      run.stripe.invoices.list({ limit: 1000 }),
      (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'limit',
    );
    await assert.rejects(
      run.stripe.invoices.retrieve('in_missing'),
      (err: Stripe.errors.StripeError) =>
        err.statusCode === 404 && err.param === 'id' && err.code === 'resource_missing',
    );
    await assert.rejects(
      run.stripe.invoicePayments.retrieve('inpay_missing'),
      (err: Stripe.errors.StripeError) => err.statusCode === 404 && err.code === 'resource_missing',
    );
  });
});
