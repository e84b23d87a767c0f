import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';

async function paid(stripe: Stripe, card: string, amount = 5000) {
  const customer = await stripe.customers.create({ email: 'payer@example.com' });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  const pi = await stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer: customer.id,
    payment_method: pm.id,
    confirm: true,
    off_session: true,
  });
  return { pi, charge: pi.latest_charge as string, customer: customer.id };
}

/** An emulator sending every event to a receiver that records them; both close after the test. */
async function emulatorWithReceiver(t: TestContext) {
  const receiver = await startWebhookReceiver();
  const run = await startEmulator();
  t.after(async () => {
    await run.close();
    await receiver.close();
  });
  await run.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  return { receiver, run };
}

async function refused(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, String(err));
  assert.equal(err.code, code);
}

test('refunds: partial then the rest, on a charge and on a PaymentIntent, with Stripe’s events in order', async (t) => {
  const { receiver, run } = await emulatorWithReceiver(t);
  const { stripe } = run;
  const { pi, charge } = await paid(stripe, 'pm_card_visa');
  await run.emu.webhooks.drained();
  const before = receiver.deliveries.length;

  const first = await stripe.refunds.create({ charge, amount: 2000, reason: 'requested_by_customer' });
  assert.match(first.id, /^re_/);
  assert.equal(first.status, 'succeeded');
  assert.equal(first.amount, 2000);
  assert.equal(first.payment_intent, pi.id);
  const second = await stripe.refunds.create({ payment_intent: pi.id });
  assert.equal(second.amount, 3000, 'without an amount, the rest of the charge is refunded');
  await run.emu.webhooks.drained();

  const events = receiver.deliveries.slice(before).map((d) => d.event);
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'charge.refunded',
      'refund.created',
      'refund.updated',
      'charge.refunded',
      'refund.created',
      'refund.updated',
    ],
  );
  const refunded = events
    .filter((e) => e.type === 'charge.refunded')
    .map((e) => e.data.object as Stripe.Charge);
  assert.deepEqual(
    refunded.map((c) => [c.amount_refunded, c.refunded]),
    [
      [2000, false],
      [5000, true],
    ],
    'charge.refunded carries the cumulative amount refunded',
  );
  assert.equal((events[0]!.data.previous_attributes as { amount_refunded?: number }).amount_refunded, 0);
  assert.equal((events[2]!.data.object as Stripe.Refund).balance_transaction !== null, true);

  const ch = await stripe.charges.retrieve(charge);
  assert.equal(ch.amount_refunded, 5000);
  assert.equal(ch.refunded, true);
  assert.equal((await stripe.refunds.retrieve(first.id)).amount, 2000);
  const listed = await stripe.refunds.list({ charge });
  assert.deepEqual(
    listed.data.map((r) => r.id),
    [second.id, first.id],
  );
  await refused(stripe.refunds.create({ charge }), 'charge_already_refunded');

  const other = await paid(stripe, 'pm_card_visa', 1000);
  await refused(stripe.refunds.create({ charge: other.charge, amount: 1001 }), 'amount_too_large');
  await refused(stripe.refunds.create({ charge: 'ch_missing' }), 'resource_missing');
  await refused(stripe.refunds.create({}), 'parameter_missing');
  assert.equal(
    (await stripe.charges.retrieve(other.charge)).amount_refunded,
    0,
    'a refused refund changes nothing',
  );
});

test('disputes: 4000 0000 0000 0259 pays, then a dispute opens with funds withdrawn; evidence wins or loses it', async (t) => {
  const { receiver, run } = await emulatorWithReceiver(t);
  const { stripe } = run;

  const won = await paid(stripe, 'pm_card_createDispute');
  assert.equal(won.pi.status, 'succeeded', 'the payment itself succeeds');
  await run.emu.webhooks.drained();
  const types = receiver.types();
  const created = types.indexOf('charge.dispute.created');
  assert.ok(created > types.indexOf('payment_intent.succeeded'), types.join());
  assert.equal(types[created + 1], 'charge.dispute.funds_withdrawn');

  const [dispute] = (await stripe.disputes.list({ charge: won.charge })).data;
  assert.ok(dispute);
  assert.equal(dispute.status, 'needs_response');
  assert.equal(dispute.amount, 5000);
  assert.equal(dispute.balance_transactions.length, 1);
  assert.equal(dispute.balance_transactions[0]!.amount, -5000);
  assert.equal(dispute.balance_transactions[0]!.fee, 1500);
  assert.equal((await stripe.charges.retrieve(won.charge)).disputed, true);
  await refused(stripe.refunds.create({ charge: won.charge }), 'charge_disputed');

  const before = receiver.deliveries.length;
  const closed = await stripe.disputes.update(dispute.id, {
    evidence: { uncategorized_text: 'winning_evidence' },
  });
  assert.equal(closed.status, 'won');
  await run.emu.webhooks.drained();
  assert.deepEqual(receiver.types().slice(before), [
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_reinstated',
  ]);
  assert.equal((await stripe.disputes.retrieve(dispute.id)).balance_transactions.length, 2);
  const refund = await stripe.refunds.create({ charge: won.charge, amount: 1000 });
  assert.equal(refund.status, 'succeeded', 'a won dispute’s charge can be refunded');
  await refused(
    stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'x' } }),
    'charge_dispute_closed',
  );

  // Typed on Checkout's page: the dispute opens after the session's completion.
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Credit' } }, quantity: 1 },
    ],
    success_url: 'http://127.0.0.1:9/ok',
  });
  const beforeCheckout = receiver.deliveries.length;
  await run.control(`/_emulator/checkout/sessions/${session.id}/complete`, { card: '4000 0000 0000 0259' });
  await run.emu.webhooks.drained();
  const checkoutTypes = receiver.types().slice(beforeCheckout);
  assert.ok(
    checkoutTypes.indexOf('checkout.session.completed') < checkoutTypes.indexOf('charge.dispute.created'),
    checkoutTypes.join(),
  );
  const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
  const lost = { charge: (await stripe.paymentIntents.retrieve(pi)).latest_charge as string };
  const [lostDispute] = (await stripe.disputes.list({ payment_intent: pi })).data;
  assert.equal(lostDispute?.amount, 2500);
  const beforeLost = receiver.deliveries.length;
  const lostNow = await stripe.disputes.update(lostDispute!.id, {
    evidence: { uncategorized_text: 'losing_evidence' },
  });
  assert.equal(lostNow.status, 'lost');
  await run.emu.webhooks.drained();
  assert.deepEqual(receiver.types().slice(beforeLost), ['charge.dispute.updated', 'charge.dispute.closed']);
  await refused(stripe.refunds.create({ charge: lost.charge }), 'charge_disputed');

  const kept = await paid(stripe, 'pm_card_createDispute');
  const [open] = (await stripe.disputes.list({ charge: kept.charge })).data;
  const saved = await stripe.disputes.update(open!.id, {
    evidence: { uncategorized_text: 'notes for later' },
    submit: false,
  });
  assert.equal(saved.status, 'needs_response', 'evidence saved without submitting keeps it open');
  assert.equal(saved.evidence.uncategorized_text, 'notes for later');
});

test('events.list filters by created range and types[], and pages with starting_after', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe, control } = run;
  await stripe.customers.create({ email: 'a@example.com' });
  const t0 = run.emu.now();
  await control('/_emulator/advance', { seconds: 100 });
  const c2 = await stripe.customers.create({ email: 'b@example.com' });
  await stripe.customers.update(c2.id, { name: 'B' });
  await stripe.customers.create({ email: 'c@example.com' });

  const recent = await stripe.events.list({ created: { gt: t0 + 50 } });
  assert.deepEqual(
    recent.data.map((e) => e.type),
    ['customer.created', 'customer.updated', 'customer.created'],
  );
  const old = await stripe.events.list({ created: { lte: t0 } });
  assert.deepEqual(
    old.data.map((e) => e.type),
    ['customer.created'],
  );
  const typed = await stripe.events.list({ types: ['customer.updated'] });
  assert.deepEqual(
    typed.data.map((e) => e.type),
    ['customer.updated'],
  );
  const all: string[] = [];
  for await (const e of stripe.events.list({ limit: 1, created: { gte: t0 } })) all.push(e.id);
  assert.equal(all.length, 4, 'auto-pagination walks every page');
  assert.equal(new Set(all).size, 4);
  const bad = await fetch(`${run.url}/v1/events?created[gt]=soon`, {
    headers: { authorization: 'Bearer sk_test_emulator' },
  });
  assert.equal(bad.status, 400);
});

test('drop_webhooks: deliveries are given up and recorded as failed, never retried, until switched off', async (t) => {
  const { receiver, run } = await emulatorWithReceiver(t);
  const { stripe, control } = run;
  const on = await control('/_emulator/faults', { drop_webhooks: true });
  assert.equal(on.body.drop_webhooks, true);
  const lost = await stripe.customers.create({ email: 'lost@example.com' });
  await run.emu.webhooks.drained();
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(receiver.deliveries.length, 0, 'nothing is sent while dropping');
  const failed = await stripe.events.list({ delivery_success: false });
  assert.deepEqual(
    failed.data.map((e) => (e.data.object as Stripe.Customer).id),
    [lost.id],
  );

  await control('/_emulator/faults', { drop_webhooks: false });
  const kept = await stripe.customers.create({ email: 'kept@example.com' });
  await receiver.waitFor((d) => d.length >= 1);
  await run.emu.webhooks.drained();
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(
    receiver.deliveries.map((d) => (d.event.data.object as Stripe.Customer).id),
    [kept.id],
    'the dropped delivery is never retried',
  );
  assert.equal((await control('/_emulator/faults', { drop_webhooks: 'yes' })).status, 400);
});

test('a Checkout for a customer without an email sets the email the payer typed on the customer', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe, control } = run;
  const customer = await stripe.customers.create({ name: 'No email' });
  const open = () =>
    stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Credit' } }, quantity: 1 },
      ],
      success_url: 'http://127.0.0.1:9/ok',
    });
  const first = await open();
  const done = await control(`/_emulator/checkout/sessions/${first.id}/complete`, {
    card: '4242424242424242',
    email: 'typed@example.com',
  });
  assert.equal(done.status, 200);
  assert.equal(
    ((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).email,
    'typed@example.com',
  );
  const updated = await stripe.events.list({ type: 'customer.updated' });
  assert.deepEqual(updated.data[0]?.data.previous_attributes, { email: null });
  const page = await fetch((await open()).url!).then((r) => r.text());
  assert.match(page, /typed@example\.com/, 'the next Checkout knows the email');
});
