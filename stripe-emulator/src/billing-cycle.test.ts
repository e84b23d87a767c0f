import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from './testing.ts';
import { createSubscriber, periodEndOf } from './testing-billing.ts';
import { startWebhookReceiver } from './testing-webhooks.ts';

const SECRET = 'whsec_billing_cycle_test';
const HOUR = 3600;
const DAY = 86_400;

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** Runs the test with its own emulator delivering every event to its own receiver. */
async function withEmulator(fn: (run: RunningEmulator, receiver: Receiver) => Promise<void>): Promise<void> {
  const receiver = await startWebhookReceiver();
  const run = await startEmulator({ webhooks: [{ url: receiver.url, secret: SECRET }] });
  try {
    await fn(run, receiver);
  } finally {
    await run.close();
    await receiver.close();
  }
}

/** Verified events delivered since `from` (an index into the receiver's log), in delivery order. */
async function deliveredSince(
  run: RunningEmulator,
  receiver: Receiver,
  from: number,
): Promise<Stripe.Event[]> {
  await run.emu.webhooks.drained();
  return receiver.deliveries
    .slice(from)
    .map((r) => run.stripe.webhooks.constructEvent(r.body, r.signature, SECRET));
}

async function mark(run: RunningEmulator, receiver: Receiver): Promise<number> {
  await run.emu.webhooks.drained();
  return receiver.deliveries.length;
}

async function advanceTo(run: RunningEmulator, time: number): Promise<void> {
  const res = await run.control('/_emulator/advance', { seconds: time - run.emu.now() });
  assert.equal(res.status, 200);
}

const RENEWAL_PAID = [
  'customer.subscription.updated',
  'invoice.created',
  'invoice.finalized',
  'payment_intent.created',
  'charge.succeeded',
  'payment_intent.succeeded',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice_payment.paid',
];

describe('renewals with /_emulator/advance', () => {
  test('a period end renews: new item period, a subscription_cycle invoice finalized an hour later and paid', async () => {
    await withEmulator(async (run, receiver) => {
      const { subscription, price } = await createSubscriber(run, { amount: 2500 });
      const end = periodEndOf(subscription);
      const from = await mark(run, receiver);
      await advanceTo(run, end + HOUR + 60);

      const events = await deliveredSince(run, receiver, from);
      assert.deepEqual(
        events.map((e) => e.type),
        RENEWAL_PAID,
      );
      const [updated, created, finalized] = events;
      assert.equal(updated!.created, end, 'state changes carry the period end time');
      assert.equal(updated!.request?.id, null, 'automatic events have no request');
      const renewed = updated!.data.object as Stripe.Subscription;
      assert.equal(renewed.items.data[0]!.current_period_start, end);
      const previous = updated!.data.previous_attributes as {
        items: Stripe.ApiList<Stripe.SubscriptionItem>;
      };
      assert.equal(previous.items.data[0]!.current_period_end, end);
      const draft = created!.data.object as Stripe.Invoice;
      assert.equal(draft.status, 'draft');
      assert.equal(draft.billing_reason, 'subscription_cycle');
      assert.equal(draft.automatically_finalizes_at, end + HOUR);
      assert.equal(finalized!.created, end + HOUR);

      const paid = events.find((e) => e.type === 'invoice.paid')!.data.object as Stripe.Invoice;
      assert.equal(paid.status, 'paid');
      assert.equal(paid.amount_paid, 2500);
      assert.equal(paid.parent?.subscription_details?.subscription, subscription.id);
      assert.deepEqual(paid.lines.data[0]!.period, {
        start: end,
        end: renewed.items.data[0]!.current_period_end,
      });
      assert.equal(paid.lines.data[0]!.pricing?.price_details?.price, price.id);
      assert.equal(paid.period_end, end, 'the invoice window is the period that ended');

      const now = await run.stripe.subscriptions.retrieve(subscription.id);
      assert.equal(now.status, 'active');
      assert.equal(now.latest_invoice, paid.id);
      const invoices = await run.stripe.invoices.list({ subscription: subscription.id });
      assert.deepEqual(
        invoices.data.map((i) => [i.billing_reason, i.status]),
        [
          ['subscription_cycle', 'paid'],
          ['subscription_create', 'paid'],
        ],
      );
    });
  });

  test('before the hour is up the renewal invoice stays a draft; the next advance finalizes and charges it', async () => {
    await withEmulator(async (run) => {
      const { subscription } = await createSubscriber(run);
      const end = periodEndOf(subscription);
      await advanceTo(run, end + 60);
      const [draft] = (await run.stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
      assert.equal(draft!.status, 'draft');
      assert.equal(draft!.number, null);
      await advanceTo(run, end + HOUR + 1);
      const paid = await run.stripe.invoices.retrieve(draft!.id, { expand: ['payments'] });
      assert.equal(paid.status, 'paid');
      assert.equal(paid.status_transitions.finalized_at, end + HOUR);
      assert.equal(paid.payments!.data[0]!.status, 'paid');
    });
  });

  test('a jump over several periods renews each one, in order, with contiguous paid periods', async () => {
    await withEmulator(async (run) => {
      const { subscription } = await createSubscriber(run, { interval: 'day', amount: 100 });
      const end = periodEndOf(subscription);
      await advanceTo(run, end + 4 * DAY + HOUR + 5);
      const invoices = (await run.stripe.invoices.list({ subscription: subscription.id })).data.reverse();
      assert.equal(invoices.length, 6);
      assert.ok(invoices.every((i) => i.status === 'paid'));
      for (let i = 1; i < invoices.length; i++) {
        assert.equal(invoices[i]!.lines.data[0]!.period.start, invoices[i - 1]!.lines.data[0]!.period.end);
        assert.equal(invoices[i]!.lines.data[0]!.period.end - invoices[i]!.lines.data[0]!.period.start, DAY);
      }
      const numbers = invoices.map((i) => i.number);
      assert.equal(new Set(numbers).size, 6);
      const sub = await run.stripe.subscriptions.retrieve(subscription.id);
      assert.equal(sub.items.data[0]!.current_period_start, end + 4 * DAY);
    });
  });

  test('cancel at period end: deleted at the period end, with no renewal invoice', async () => {
    await withEmulator(async (run, receiver) => {
      const { subscription } = await createSubscriber(run);
      const end = periodEndOf(subscription);
      await run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      const from = await mark(run, receiver);
      await advanceTo(run, end - 10);
      assert.equal((await run.stripe.subscriptions.retrieve(subscription.id)).status, 'active');
      await advanceTo(run, end + 2 * DAY);
      const events = await deliveredSince(run, receiver, from);
      assert.deepEqual(
        events.map((e) => e.type),
        ['customer.subscription.deleted'],
      );
      assert.equal(events[0]!.created, end);
      const ended = await run.stripe.subscriptions.retrieve(subscription.id);
      assert.equal(ended.status, 'canceled');
      assert.equal(ended.ended_at, end);
      assert.equal(ended.cancellation_details?.reason, 'cancellation_requested');
      assert.equal((await run.stripe.invoices.list({ subscription: subscription.id })).data.length, 1);
    });
  });

  test('resuming before the period end keeps it active and it renews', async () => {
    await withEmulator(async (run) => {
      const { subscription } = await createSubscriber(run);
      const end = periodEndOf(subscription);
      await run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      await advanceTo(run, end - DAY);
      await run.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: false });
      await advanceTo(run, end + 2 * HOUR);
      const sub = await run.stripe.subscriptions.retrieve(subscription.id);
      assert.equal(sub.status, 'active');
      assert.equal(sub.items.data[0]!.current_period_start, end);
      assert.equal(
        (await run.stripe.invoices.list({ subscription: subscription.id, status: 'paid' })).data.length,
        2,
      );
    });
  });

  test('an unpaid first invoice expires the subscription after 23 hours', async () => {
    await withEmulator(async (run) => {
      const { customer, price } = await createSubscriber(run);
      const declining = await run.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
        customer: customer.id,
      });
      const sub = await run.stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        default_payment_method: declining.id,
      });
      assert.equal(sub.status, 'incomplete');
      await advanceTo(run, sub.created + 22 * HOUR);
      assert.equal((await run.stripe.subscriptions.retrieve(sub.id)).status, 'incomplete');
      await advanceTo(run, sub.created + 24 * HOUR);
      const expired = await run.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
      assert.equal(expired.status, 'incomplete_expired');
      assert.equal(expired.ended_at, sub.created + 23 * HOUR);
      assert.equal((expired.latest_invoice as Stripe.Invoice).status, 'void');
    });
  });
});

describe('failed renewals (card 4000 0000 0000 0341 made the default)', () => {
  let run: RunningEmulator;
  let receiver: Receiver;
  before(async () => {
    receiver = await startWebhookReceiver();
    run = await startEmulator({ webhooks: [{ url: receiver.url, secret: SECRET }] });
  });
  after(async () => {
    await run.close();
    await receiver.close();
  });

  async function failingSubscriber() {
    const s = await createSubscriber(run);
    const failing = await run.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', {
      customer: s.customer.id,
    });
    await run.stripe.customers.update(s.customer.id, {
      invoice_settings: { default_payment_method: failing.id },
    });
    return s;
  }

  test('past_due with invoice.payment_failed, retries at +3, +5, +7 days, then deleted (payment_failed)', async () => {
    const { subscription } = await failingSubscriber();
    const end = periodEndOf(subscription);
    const firstFailure = end + HOUR;
    let from = await mark(run, receiver);
    await advanceTo(run, firstFailure + 60);
    let events = await deliveredSince(run, receiver, from);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'customer.subscription.updated',
        'invoice.created',
        'invoice.finalized',
        'payment_intent.created',
        'charge.failed',
        'payment_intent.payment_failed',
        'invoice.payment_failed',
        'invoice.updated',
        'customer.subscription.updated',
      ],
    );
    const failed = events[6]!.data.object as Stripe.Invoice;
    assert.equal(failed.status, 'open');
    assert.equal(failed.attempt_count, 1);
    assert.equal(failed.next_payment_attempt, firstFailure + 3 * DAY);
    const pastDue = events[8]!;
    assert.equal((pastDue.data.object as Stripe.Subscription).status, 'past_due');
    assert.deepEqual(pastDue.data.previous_attributes, { status: 'active' });

    const expected = [
      { at: 3, attempt: 2, next: firstFailure + 5 * DAY },
      { at: 5, attempt: 3, next: firstFailure + 7 * DAY },
    ];
    for (const step of expected) {
      from = await mark(run, receiver);
      await advanceTo(run, firstFailure + step.at * DAY + 1);
      events = await deliveredSince(run, receiver, from);
      assert.deepEqual(
        events.map((e) => e.type),
        [
          'payment_intent.created',
          'charge.failed',
          'payment_intent.payment_failed',
          'invoice.payment_failed',
          'invoice.updated',
        ],
      );
      assert.equal(events[3]!.created, firstFailure + step.at * DAY);
      const invoice = events[3]!.data.object as Stripe.Invoice;
      assert.equal(invoice.attempt_count, step.attempt);
      assert.equal(invoice.next_payment_attempt, step.next);
      assert.equal((await run.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
    }

    from = await mark(run, receiver);
    await advanceTo(run, firstFailure + 7 * DAY + 1);
    events = await deliveredSince(run, receiver, from);
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'payment_intent.created',
        'charge.failed',
        'payment_intent.payment_failed',
        'invoice.payment_failed',
        'invoice.updated',
        'customer.subscription.deleted',
      ],
    );
    const last = events[3]!.data.object as Stripe.Invoice;
    assert.equal(last.attempt_count, 4);
    assert.equal(last.next_payment_attempt, null);
    const ended = events[5]!.data.object as Stripe.Subscription;
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.ended_at, firstFailure + 7 * DAY);
    assert.equal(ended.cancellation_details?.reason, 'payment_failed');
    const invoice = await run.stripe.invoices.retrieve(last.id, { expand: ['payments'] });
    assert.equal(invoice.status, 'open');
    assert.equal(invoice.amount_paid, 0);
    assert.deepEqual(
      invoice.payments!.data.map((p) => p.status),
      ['open', 'canceled', 'canceled', 'canceled'],
    );
  });

  test('a retry after the customer fixes the card pays the invoice and the subscription is active again', async () => {
    const { customer, subscription } = await failingSubscriber();
    const end = periodEndOf(subscription);
    await advanceTo(run, end + HOUR + 60);
    assert.equal((await run.stripe.subscriptions.retrieve(subscription.id)).status, 'past_due');
    const good = await run.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await run.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: good.id } });
    const from = await mark(run, receiver);
    await advanceTo(run, end + HOUR + 3 * DAY + 1);
    const events = await deliveredSince(run, receiver, from);
    const mine = events.filter((e) => {
      const obj = e.data.object as { customer?: string; id: string };
      return obj.customer === customer.id || obj.id.startsWith('inpay_');
    });
    assert.deepEqual(
      mine.map((e) => e.type),
      [
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.succeeded',
        'invoice.paid',
        'invoice.payment_succeeded',
        'invoice_payment.paid',
        'customer.subscription.updated',
      ],
    );
    const back = mine[6]!;
    assert.equal((back.data.object as Stripe.Subscription).status, 'active');
    assert.deepEqual(back.data.previous_attributes, { status: 'past_due' });
    const [renewal] = (await run.stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
    assert.equal(renewal!.status, 'paid');
    assert.equal(renewal!.attempt_count, 2);
    assert.equal(renewal!.next_payment_attempt, null);
  });
});

describe('renewals on a test clock', () => {
  test('advancing the clock renews its subscriptions at the clock’s time and leaves other objects alone', async () => {
    await withEmulator(async (run, receiver) => {
      const frozen = Date.parse('2026-01-31T12:00:00Z') / 1000;
      const clock = await run.stripe.testHelpers.testClocks.create({ frozen_time: frozen, name: 'renewal' });
      const onClock = await createSubscriber(run, { testClock: clock.id });
      const offClock = await createSubscriber(run);
      assert.equal(onClock.subscription.test_clock, clock.id);
      assert.equal(onClock.subscription.start_date, frozen);
      const end = periodEndOf(onClock.subscription);
      assert.equal(new Date(end * 1000).toISOString(), '2026-02-28T12:00:00.000Z');

      const from = await mark(run, receiver);
      const advancing = await run.stripe.testHelpers.testClocks.advance(clock.id, {
        frozen_time: end + 2 * HOUR,
      });
      assert.equal(advancing.status, 'advancing');
      const ready = await run.stripe.testHelpers.testClocks.retrieve(clock.id);
      assert.equal(ready.status, 'ready');
      assert.equal(ready.frozen_time, end + 2 * HOUR);

      const events = await deliveredSince(run, receiver, from);
      assert.deepEqual(
        events.map((e) => e.type),
        ['test_helpers.test_clock.advancing', ...RENEWAL_PAID, 'test_helpers.test_clock.ready'],
      );
      const finalized = events.find((e) => e.type === 'invoice.finalized')!;
      assert.equal(finalized.created, end + HOUR);
      const paid = events.find((e) => e.type === 'invoice.paid')!.data.object as Stripe.Invoice;
      assert.equal(paid.test_clock, clock.id);
      assert.equal(paid.customer, onClock.customer.id);
      assert.equal(paid.lines.data[0]!.period.start, end);
      assert.equal(new Date(paid.lines.data[0]!.period.end * 1000).toISOString(), '2026-03-31T12:00:00.000Z');

      // The emulator's own time did not move, so the subscription on no clock did not renew.
      assert.equal(
        (await run.stripe.invoices.list({ subscription: offClock.subscription.id })).data.length,
        1,
      );
      // And moving the emulator's own time does not move the clock's objects.
      await advanceTo(run, periodEndOf(offClock.subscription) + 2 * HOUR);
      assert.equal(
        (await run.stripe.invoices.list({ subscription: offClock.subscription.id })).data.length,
        2,
      );
      assert.equal(
        (await run.stripe.invoices.list({ subscription: onClock.subscription.id })).data.length,
        2,
      );
    });
  });
});

describe('renewals after a restart', () => {
  test('a subscription saved in the data dir renews when the restarted emulator’s time passes its period end', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emulator-billing-'));
    try {
      const first = await startEmulator({ dataDir });
      const { subscription } = await createSubscriber(first);
      await first.close();

      const second = await startEmulator({ dataDir });
      try {
        await advanceTo(second, periodEndOf(subscription) + HOUR + 1);
        const invoices = await second.stripe.invoices.list({ subscription: subscription.id });
        assert.deepEqual(
          invoices.data.map((i) => [i.billing_reason, i.status]),
          [
            ['subscription_cycle', 'paid'],
            ['subscription_create', 'paid'],
          ],
        );
      } finally {
        await second.close();
      }
      const third = await startEmulator({ dataDir });
      try {
        const sub = await third.stripe.subscriptions.retrieve(subscription.id);
        assert.equal(sub.items.data[0]!.current_period_start, periodEndOf(subscription));
        assert.ok(third.emu.now() >= periodEndOf(subscription), 'the moved time is kept too');
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
