import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { createSubscriber, periodEndOf } from '../testing-billing.ts';
import { createSubscriptionFromCheckout } from './subscriptions.ts';

/** Event types recorded for one customer's objects, oldest first. */
async function eventTypesFor(run: RunningEmulator, customer: string): Promise<string[]> {
  const events = await run.stripe.events.list({ limit: 100 });
  const invoices = new Set((await run.stripe.invoices.list({ customer, limit: 100 })).data.map((i) => i.id));
  return events.data
    .filter((e) => {
      const obj = e.data.object as { id?: string; customer?: unknown; invoice?: unknown };
      return obj.customer === customer || obj.id === customer || invoices.has(obj.invoice as string);
    })
    .map((e) => e.type)
    .reverse();
}

function rejectsWith(status: number, param: string, code?: string) {
  return (err: Stripe.errors.StripeError) => {
    assert.equal(err.statusCode, status, err.message);
    assert.equal(err.param, param);
    if (code) assert.equal(err.code, code);
    assert.ok(err.message.length > 0);
    return true;
  };
}

describe('subscriptions through the official SDK', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('create charges the first invoice and answers an active subscription with item periods', async () => {
    const { customer, price, subscription } = await createSubscriber(run, { amount: 1500 });
    assert.match(subscription.id, /^sub_/);
    assert.equal(subscription.status, 'active');
    assert.equal(subscription.customer, customer.id);
    assert.deepEqual(subscription.metadata, { account_id: 'acct_test' });
    assert.equal('current_period_end' in subscription, false, 'endive has no period on the subscription');
    const [item] = subscription.items.data;
    assert.match(item!.id, /^si_/);
    assert.equal(item!.price.id, price.id);
    assert.equal(item!.plan.id, price.id);
    assert.equal(item!.quantity, 1);
    assert.equal(item!.current_period_start, subscription.start_date);
    // One calendar month later, at the same time of day.
    const start = new Date(item!.current_period_start * 1000);
    const end = new Date(item!.current_period_end * 1000);
    assert.equal((end.getUTCMonth() - start.getUTCMonth() + 12) % 12, 1);
    assert.equal(end.getUTCHours(), start.getUTCHours());

    const full = await run.stripe.subscriptions.retrieve(subscription.id, {
      expand: ['latest_invoice.payments', 'customer', 'default_payment_method'],
    });
    assert.equal((full.customer as Stripe.Customer).id, customer.id);
    const invoice = full.latest_invoice as Stripe.Invoice;
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.billing_reason, 'subscription_create');
    assert.equal(invoice.amount_due, 1500);
    assert.equal(invoice.amount_paid, 1500);
    assert.equal(invoice.amount_remaining, 0);
    assert.equal(invoice.attempt_count, 1);
    assert.match(invoice.number!, /-0001$/);
    assert.equal(invoice.parent?.subscription_details?.subscription, subscription.id);
    assert.deepEqual(invoice.lines.data[0]!.period, {
      start: item!.current_period_start,
      end: item!.current_period_end,
    });
    const items = await run.stripe.subscriptionItems.list({ subscription: subscription.id });
    assert.deepEqual(
      items.data.map((i) => i.id),
      [item!.id],
    );
    assert.equal(
      (await run.stripe.subscriptionItems.retrieve(item!.id)).current_period_end,
      item!.current_period_end,
    );
    const payments = invoice.payments!.data;
    assert.equal(payments.length, 1);
    assert.equal(payments[0]!.status, 'paid');
    assert.equal(payments[0]!.amount_paid, 1500);
    const pi = await run.stripe.paymentIntents.retrieve(payments[0]!.payment.payment_intent as string);
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount, 1500);

    assert.deepEqual(
      (await eventTypesFor(run, customer.id)).filter(
        (t) => !t.startsWith('customer.') || t.includes('subscription'),
      ),
      [
        'payment_method.attached',
        'customer.subscription.created',
        'invoice.created',
        'invoice.finalized',
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
        'invoice.paid',
        'invoice.payment_succeeded',
        'invoice_payment.paid',
        'customer.subscription.updated',
      ],
    );
  });

  test('cancel_at_period_end sets and clears cancel_at / canceled_at with previous_attributes', async () => {
    const { subscription } = await createSubscriber(run);
    const cancelling = await run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    assert.equal(cancelling.cancel_at_period_end, true);
    assert.equal(cancelling.cancel_at, periodEndOf(subscription));
    assert.ok(cancelling.canceled_at! >= subscription.created);
    assert.equal(cancelling.cancellation_details?.reason, 'cancellation_requested');
    assert.equal(cancelling.status, 'active');

    const resumed = await run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
    assert.equal(resumed.cancel_at_period_end, false);
    assert.equal(resumed.cancel_at, null);
    assert.equal(resumed.canceled_at, null);

    const updates = await run.stripe.events.list({ type: 'customer.subscription.updated', limit: 100 });
    const mine = updates.data.filter((e) => (e.data.object as Stripe.Subscription).id === subscription.id);
    const [undo, schedule] = mine;
    assert.deepEqual(schedule!.data.previous_attributes, {
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    });
    assert.equal(
      (undo!.data.previous_attributes as { cancel_at_period_end?: boolean }).cancel_at_period_end,
      true,
    );
    assert.ok(schedule!.request?.id?.startsWith('req_'));
  });

  test('update changes the default card and metadata; a card of another customer is refused', async () => {
    const { customer, subscription } = await createSubscriber(run);
    const second = await run.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    const updated = await run.stripe.subscriptions.update(subscription.id, {
      default_payment_method: second.id,
      metadata: { plan: 'pro' },
    });
    assert.equal(updated.default_payment_method, second.id);
    assert.deepEqual(updated.metadata, { account_id: 'acct_test', plan: 'pro' });

    const stranger = await createSubscriber(run);
    await assert.rejects(
      run.stripe.subscriptions.update(subscription.id, { default_payment_method: stranger.card.id }),
      rejectsWith(400, 'default_payment_method'),
    );
    assert.equal(
      (await run.stripe.subscriptions.retrieve(subscription.id)).default_payment_method,
      second.id,
    );
  });

  test('cancel ends it at once with customer.subscription.deleted; a second cancel is refused', async () => {
    const { subscription } = await createSubscriber(run);
    const canceled = await run.stripe.subscriptions.cancel(subscription.id);
    assert.equal(canceled.status, 'canceled');
    assert.ok(canceled.ended_at);
    assert.equal(canceled.canceled_at, canceled.ended_at);
    assert.equal(canceled.cancellation_details?.reason, 'cancellation_requested');
    const deleted = await run.stripe.events.list({ type: 'customer.subscription.deleted' });
    assert.equal((deleted.data[0]!.data.object as Stripe.Subscription).id, subscription.id);
    await assert.rejects(run.stripe.subscriptions.cancel(subscription.id), rejectsWith(400, 'id'));
    await assert.rejects(
      run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }),
      rejectsWith(400, 'cancel_at_period_end'),
    );
  });

  test('list filters by customer, status (default hides canceled, all shows them) and price', async () => {
    const a = await createSubscriber(run);
    const second = await run.stripe.subscriptions.create({
      customer: a.customer.id,
      items: [{ price: a.price.id, quantity: 2 }],
    });
    await run.stripe.subscriptions.cancel(a.subscription.id);
    const live = await run.stripe.subscriptions.list({ customer: a.customer.id });
    assert.deepEqual(
      live.data.map((s) => s.id),
      [second.id],
    );
    const all = await run.stripe.subscriptions.list({ customer: a.customer.id, status: 'all' });
    assert.deepEqual(
      all.data.map((s) => s.id),
      [second.id, a.subscription.id],
    );
    const canceled = await run.stripe.subscriptions.list({ customer: a.customer.id, status: 'canceled' });
    assert.deepEqual(
      canceled.data.map((s) => s.id),
      [a.subscription.id],
    );
    const byPrice = await run.stripe.subscriptions.list({ price: a.price.id, status: 'all' });
    assert.equal(byPrice.data.length, 2);
    assert.equal(second.items.data[0]!.quantity, 2);
    assert.equal((await run.stripe.invoices.retrieve(second.latest_invoice as string)).amount_paid, 4000);
  });

  test('bad input is a 400 naming the param and creates nothing', async () => {
    const { customer, price } = await createSubscriber(run);
    const before = (await run.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data
      .length;
    const oneTime = await run.stripe.prices.create({
      currency: 'usd',
      unit_amount: 500,
      product_data: { name: 'Credits' },
    });
    await assert.rejects(
      run.stripe.subscriptions.create({ items: [{ price: price.id }] } as Stripe.SubscriptionCreateParams),
      rejectsWith(400, 'customer', 'parameter_missing'),
    );
    await assert.rejects(
      run.stripe.subscriptions.create({ customer: customer.id, items: [{ price: oneTime.id }] }),
      rejectsWith(400, 'items[0][price]'),
    );
    await assert.rejects(
      run.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 0 }] }),
      rejectsWith(400, 'items[0][quantity]'),
    );
    await assert.rejects(
      run.stripe.subscriptions.create({ customer: customer.id, items: [] }),
      rejectsWith(400, 'items'),
    );
    await assert.rejects(
      run.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        trial_period_days: 7,
      }),
      rejectsWith(400, 'trial_period_days', 'parameter_unknown'),
    );
    await assert.rejects(
      run.stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_missing' }] }),
      (err: Stripe.errors.StripeError) => err.param === 'items[0][price]' && err.code === 'resource_missing',
    );
    await assert.rejects(
      run.stripe.subscriptions.update(customer.id.replace('cus_', 'sub_'), { metadata: { a: 'b' } }),
      rejectsWith(404, 'id', 'resource_missing'),
    );
    await assert.rejects(
      run.stripe.subscriptions.list({ status: 'sleeping' as 'active' }),
      rejectsWith(400, 'status'),
    );
    const bare = await run.stripe.customers.create({ email: 'nocard@example.com' });
    await assert.rejects(
      run.stripe.subscriptions.create({ customer: bare.id, items: [{ price: price.id }] }),
      rejectsWith(400, 'default_payment_method'),
    );
    const after = (await run.stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data.length;
    assert.equal(after, before);
    assert.equal((await run.stripe.subscriptions.list({ customer: bare.id, status: 'all' })).data.length, 0);
  });

  test('a declined first charge leaves the subscription incomplete, or with error_if_incomplete a 402', async () => {
    const { customer, price } = await createSubscriber(run);
    const declining = await run.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: customer.id,
    });
    const incomplete = await run.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: declining.id,
      expand: ['latest_invoice'],
    });
    assert.equal(incomplete.status, 'incomplete');
    const invoice = incomplete.latest_invoice as Stripe.Invoice;
    assert.equal(invoice.status, 'open');
    assert.equal(invoice.attempt_count, 1);
    assert.equal(invoice.amount_paid, 0);

    await assert.rejects(
      run.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        default_payment_method: declining.id,
        payment_behavior: 'error_if_incomplete',
      }),
      (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeCardError);
        assert.equal(err.code, 'card_declined');
        return true;
      },
    );
    const expired = await run.stripe.subscriptions.list({
      customer: customer.id,
      status: 'incomplete_expired',
    });
    assert.equal(expired.data.length, 1);
    assert.equal(expired.data[0]!.ended_at !== null, true);
  });
});

describe('createSubscriptionFromCheckout (used by Checkout completion)', () => {
  test('emits Stripe’s order and sets the checkout card as the default', async () => {
    const run = await startEmulator();
    try {
      const customer = await run.stripe.customers.create({ email: 'checkout@example.com' });
      const card = await run.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      const price = await run.stripe.prices.create({
        currency: 'usd',
        unit_amount: 900,
        recurring: { interval: 'month' },
        product_data: { name: 'Basic' },
      });
      const { subscription, invoice } = createSubscriptionFromCheckout(run.emu, {
        customer: customer.id,
        paymentMethod: card.id,
        items: [{ price: price.id, quantity: 1 }],
        metadata: { user_id: 'u_1' },
        request: { id: 'req_checkout', idempotency_key: null },
      });
      assert.equal(subscription.status, 'active');
      assert.equal(subscription.default_payment_method, card.id);
      assert.deepEqual(subscription.metadata, { user_id: 'u_1' });
      assert.equal(invoice.status, 'paid');
      assert.equal(invoice.billing_reason, 'subscription_create');
      const types = (await eventTypesFor(run, customer.id)).filter(
        (t) => t !== 'payment_method.attached' && t !== 'customer.created',
      );
      assert.deepEqual(types, [
        'customer.subscription.created',
        'invoice.created',
        'invoice.finalized',
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
        'invoice.paid',
        'invoice.payment_succeeded',
        'invoice_payment.paid',
        'customer.subscription.updated',
      ]);
      const created = await run.stripe.events.list({ type: 'customer.subscription.created' });
      assert.equal((created.data[0]!.data.object as Stripe.Subscription).status, 'incomplete');
      assert.equal(created.data[0]!.request?.id, 'req_checkout');
    } finally {
      await run.close();
    }
  });

  test('a failing first charge throws the card error and leaves nothing active', async () => {
    const run = await startEmulator();
    try {
      const customer = await run.stripe.customers.create({ email: 'declined@example.com' });
      const card = await run.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
        customer: customer.id,
      });
      const price = await run.stripe.prices.create({
        currency: 'usd',
        unit_amount: 900,
        recurring: { interval: 'month' },
        product_data: { name: 'Basic' },
      });
      assert.throws(
        () =>
          createSubscriptionFromCheckout(run.emu, {
            customer: customer.id,
            paymentMethod: card.id,
            items: [{ price: price.id, quantity: 1 }],
            metadata: {},
            request: null,
          }),
        (err: { status?: number; body?: { code?: string } }) =>
          err.status === 402 && err.body?.code === 'card_declined',
      );
      const subs = await run.stripe.subscriptions.list({ customer: customer.id, status: 'all' });
      assert.deepEqual(
        subs.data.map((s) => s.status),
        ['incomplete_expired'],
      );
      const invoices = await run.stripe.invoices.list({ customer: customer.id });
      assert.deepEqual(
        invoices.data.map((i) => i.status),
        ['void'],
      );
      assert.equal((await run.stripe.subscriptions.list({ customer: customer.id })).data.length, 1);
      assert.equal(
        (await run.stripe.subscriptions.list({ customer: customer.id, status: 'active' })).data.length,
        0,
      );
    } finally {
      await run.close();
    }
  });
});
