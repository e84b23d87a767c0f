import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';

const SUCCESS = 'http://127.0.0.1:9/success?session_id={CHECKOUT_SESSION_ID}';

const topUp: Stripe.Checkout.SessionCreateParams.LineItem = {
  price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: '$25 of credits' } },
  quantity: 1,
};

const monthly: Stripe.Checkout.SessionCreateParams.LineItem = {
  price_data: {
    currency: 'usd',
    unit_amount: 1500,
    recurring: { interval: 'month' },
    product_data: { name: 'Pro' },
  },
  quantity: 1,
};

/** An emulator whose every event goes, signed, to a local receiver; events are verified with the SDK. */
async function emulatorWithWebhooks(t: { after: (fn: () => Promise<void>) => void }) {
  const receiver = await startWebhookReceiver();
  const run = await startEmulator();
  t.after(async () => {
    await run.close();
    await receiver.close();
  });
  const endpoint = await run.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  /** The verified events received once `last` has arrived, oldest first. */
  async function eventsUntil(last: string, from = 0): Promise<Stripe.Event[]> {
    await receiver.waitFor((r) => r.slice(from).some((w) => w.event.type === last));
    await run.emu.webhooks.drained();
    return receiver.deliveries
      .slice(from)
      .map((w) => run.stripe.webhooks.constructEvent(w.body, w.signature, endpoint.secret!));
  }
  return { run, receiver, eventsUntil };
}

function complete(run: RunningEmulator, id: string, card: string, extra: Record<string, string> = {}) {
  return run.control(`/_emulator/checkout/sessions/${id}/complete`, { card, ...extra });
}

test('payment mode: the card pays, a customer is created, events arrive in Stripe order', async (t) => {
  const { run, eventsUntil } = await emulatorWithWebhooks(t);
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer_creation: 'always',
    line_items: [topUp],
    success_url: SUCCESS,
    metadata: { account_id: 'a1' },
    payment_intent_data: { metadata: { purpose: 'topup' } },
  });
  const done = await complete(run, session.id, '4242 4242 4242 4242', {
    email: 'payer@example.com',
    name: 'Payer',
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'complete');

  const events = await eventsUntil('charge.updated');
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'customer.created',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'charge.updated',
    ],
  );
  const completed = events[4]!.data.object as Stripe.Checkout.Session;
  assert.equal(completed.payment_status, 'paid');
  assert.equal(completed.amount_subtotal, 2500);
  assert.equal(completed.customer_details?.email, 'payer@example.com');

  const fetched = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['payment_intent', 'customer'],
  });
  assert.equal(fetched.status, 'complete');
  assert.equal(fetched.payment_status, 'paid');
  assert.equal(fetched.amount_total, 2500);
  assert.equal(fetched.url, null);
  const pi = fetched.payment_intent as Stripe.PaymentIntent;
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.amount_received, 2500);
  // Session metadata is not copied to the intent; payment_intent_data.metadata is.
  assert.deepEqual(pi.metadata, { purpose: 'topup' });
  assert.equal((fetched.customer as Stripe.Customer).email, 'payer@example.com');
  assert.deepEqual(
    (await stripe.checkout.sessions.list({ payment_intent: pi.id })).data.map((s) => s.id),
    [session.id],
  );
});

test('payment mode with setup_future_usage saves the card to the customer', async (t) => {
  const { run, eventsUntil } = await emulatorWithWebhooks(t);
  const { stripe } = run;
  const customer = await stripe.customers.create({ email: 'saver@example.com' });
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    line_items: [topUp],
    success_url: SUCCESS,
    payment_intent_data: { setup_future_usage: 'off_session' },
  });
  assert.equal((await complete(run, session.id, '4242424242424242')).status, 200);
  const events = await eventsUntil('charge.updated', 1);
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'payment_intent.created',
      'charge.succeeded',
      'payment_method.attached',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'charge.updated',
    ],
  );
  const methods = await stripe.customers.listPaymentMethods(customer.id);
  assert.equal(methods.data.length, 1);
  assert.equal(methods.data[0]!.billing_details.email, 'saver@example.com');
});

test('payment mode: a decline answers 402 with the card error and leaves the session open for another card', async (t) => {
  const { run } = await emulatorWithWebhooks(t);
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [topUp],
    success_url: SUCCESS,
  });
  for (const [card, declineCode] of [
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000000341', 'generic_decline'],
  ] as const) {
    const res = await complete(run, session.id, card);
    assert.equal(res.status, 402, card);
    assert.equal(res.body.error.type, 'card_error');
    assert.equal(res.body.error.code, 'card_declined');
    assert.equal(res.body.error.decline_code, declineCode);
    assert.equal(res.body.error.payment_intent.status, 'requires_payment_method');
  }
  const open = await stripe.checkout.sessions.retrieve(session.id);
  assert.equal(open.status, 'open');
  assert.equal(open.payment_status, 'unpaid');
  const ok = await complete(run, session.id, '4242424242424242');
  assert.equal(ok.status, 200);
  // The attempts share the session's one PaymentIntent, as at Stripe.
  assert.equal(ok.body.payment_intent, open.payment_intent);
  const charges = await stripe.charges.list({ payment_intent: ok.body.payment_intent });
  assert.deepEqual(
    charges.data.map((c) => c.status),
    ['succeeded', 'failed', 'failed', 'failed'],
  );
  assert.equal((await stripe.paymentIntents.list()).data.length, 1);
});

test('setup mode: the card is saved to the customer (created when asked); no charge', async (t) => {
  const { run, eventsUntil } = await emulatorWithWebhooks(t);
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    customer_creation: 'always',
    customer_email: 'setup@example.com',
    success_url: SUCCESS,
    setup_intent_data: { metadata: { account_id: 'a1' } },
  });
  // The card whose later charges fail still sets up fine.
  const done = await complete(run, session.id, '4000000000000341');
  assert.equal(done.status, 200, JSON.stringify(done.body));
  const events = await eventsUntil('checkout.session.completed');
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'customer.created',
      'setup_intent.created',
      'payment_method.attached',
      'setup_intent.succeeded',
      'checkout.session.completed',
    ],
  );
  const fetched = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
  assert.equal(fetched.status, 'complete');
  assert.equal(fetched.payment_status, 'no_payment_required');
  assert.equal(fetched.payment_intent, null);
  const si = fetched.setup_intent as Stripe.SetupIntent;
  assert.equal(si.status, 'succeeded');
  assert.deepEqual(si.metadata, { account_id: 'a1' });
  const customer = (await stripe.customers.retrieve(fetched.customer as string)) as Stripe.Customer;
  assert.equal(customer.email, 'setup@example.com');
  // Stripe does not make the saved card the default; the integration does that itself.
  assert.equal(customer.invoice_settings.default_payment_method, null);
  const methods = await stripe.customers.listPaymentMethods(customer.id);
  assert.deepEqual(
    methods.data.map((pm) => pm.id),
    [si.payment_method],
  );
  assert.equal((await stripe.charges.list()).data.length, 0);

  const declining = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    success_url: SUCCESS,
  });
  const refused = await complete(run, declining.id, '4000000000000002');
  assert.equal(refused.status, 402);
  assert.equal(refused.body.error.decline_code, 'generic_decline');
  assert.equal((await stripe.checkout.sessions.retrieve(declining.id)).status, 'open');
  assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 1);
});

test('subscription mode: a subscription paid by its first invoice, checkout.session.completed last', async (t) => {
  const { run, eventsUntil } = await emulatorWithWebhooks(t);
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [monthly],
    success_url: SUCCESS,
    client_reference_id: 'user_7',
    subscription_data: { metadata: { account_id: 'a7' } },
  });
  const done = await complete(run, session.id, '4242424242424242', { email: 'sub@example.com' });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  const events = await eventsUntil('checkout.session.completed');
  const types: string[] = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 3), [
    'customer.created',
    'payment_method.attached',
    'customer.subscription.created',
  ]);
  assert.equal(types.at(-1), 'checkout.session.completed');
  for (const expected of ['invoice.created', 'invoice.finalized', 'charge.succeeded', 'invoice.paid']) {
    assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
  }
  assert.ok(types.indexOf('invoice.paid') < types.indexOf('customer.subscription.updated'));

  const fetched = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['subscription', 'invoice'],
  });
  assert.equal(fetched.status, 'complete');
  assert.equal(fetched.payment_status, 'paid');
  assert.equal(fetched.amount_total, 1500);
  assert.equal(fetched.client_reference_id, 'user_7');
  const sub = fetched.subscription as Stripe.Subscription;
  assert.equal(sub.status, 'active');
  assert.deepEqual(sub.metadata, { account_id: 'a7' });
  assert.equal(sub.customer, fetched.customer);
  assert.equal((fetched.invoice as Stripe.Invoice).status, 'paid');
  assert.equal((fetched.invoice as Stripe.Invoice).amount_paid, 1500);
  const pm = await stripe.paymentMethods.retrieve(sub.default_payment_method as string);
  assert.equal(pm.customer, fetched.customer);
});

test('subscription mode: a card whose charges fail is declined before anything is created', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [monthly],
    success_url: SUCCESS,
  });
  const res = await complete(run, session.id, '4000000000000341');
  assert.equal(res.status, 402);
  assert.equal(res.body.error.type, 'card_error');
  assert.equal(res.body.error.decline_code, 'generic_decline');
  assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
  assert.equal((await stripe.subscriptions.list()).data.length, 0);
  assert.equal((await stripe.customers.list()).data.length, 0);
});

test('completion refuses unknown sessions, bad cards and sessions that are not open', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [topUp],
    success_url: SUCCESS,
  });
  const missing = await complete(run, 'cs_test_missing', '4242424242424242');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'resource_missing');
  const noCard = await run.control(`/_emulator/checkout/sessions/${session.id}/complete`, {});
  assert.equal(noCard.status, 400);
  assert.equal(noCard.body.error.param, 'card');
  const badCard = await complete(run, session.id, '4111111111111111');
  assert.equal(badCard.status, 400);
  assert.equal(badCard.body.error.code, 'invalid_number');
  const badEmail = await complete(run, session.id, '4242424242424242', { email: 'not-an-email' });
  assert.equal(badEmail.status, 400);
  assert.equal(badEmail.body.error.param, 'email');
  assert.equal((await stripe.paymentIntents.list()).data.length, 0);
  assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');

  assert.equal((await complete(run, session.id, '4242424242424242')).status, 200);
  const again = await complete(run, session.id, '4242424242424242');
  assert.equal(again.status, 400);
  assert.match(again.body.error.message, /complete/);
  assert.equal((await stripe.charges.list()).data.length, 1);
});
