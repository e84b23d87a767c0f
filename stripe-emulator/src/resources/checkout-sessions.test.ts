import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';

const SUCCESS = 'http://127.0.0.1:9/success?session_id={CHECKOUT_SESSION_ID}';

const credits: Stripe.Checkout.SessionCreateParams.LineItem = {
  price_data: { currency: 'usd', unit_amount: 500, product_data: { name: '500 credits' } },
  quantity: 2,
};

test('checkout sessions: payment mode with price ids and price_data; retrieve with expand; line items', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 1200,
    product_data: { name: 'Pack' },
  });
  const customer = await stripe.customers.create({ email: 'buyer@example.com' });
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }, credits],
    success_url: SUCCESS,
    cancel_url: 'http://127.0.0.1:9/cancel',
    client_reference_id: 'user_1',
    metadata: { account_id: 'a1', kind: 'topup' },
    payment_intent_data: { metadata: { account_id: 'a1' } },
  });
  assert.match(session.id, /^cs_test_/);
  assert.equal(session.object, 'checkout.session');
  assert.equal(session.status, 'open');
  assert.equal(session.payment_status, 'unpaid');
  assert.equal(session.ui_mode, 'hosted_page');
  assert.equal(session.url, `${run.url}/c/pay/${session.id}`);
  assert.equal(session.client_secret, null);
  assert.equal(session.amount_subtotal, 2200);
  assert.equal(session.amount_total, 2200);
  assert.equal(session.currency, 'usd');
  assert.equal(session.customer, customer.id);
  assert.equal(session.payment_intent, null);
  assert.equal(session.success_url, SUCCESS);
  assert.deepEqual(session.payment_method_types, ['card']);
  assert.equal(session.line_items, undefined);
  assert.ok(session.expires_at - session.created === 24 * 3600);

  const expanded = await stripe.checkout.sessions.retrieve(session.id, {
    expand: ['line_items', 'customer'],
  });
  assert.equal((expanded.customer as Stripe.Customer).email, 'buyer@example.com');
  const items = expanded.line_items!.data;
  assert.deepEqual(
    items.map((li) => [li.description, li.quantity, li.amount_total, li.price?.unit_amount]),
    [
      ['Pack', 1, 1200, 1200],
      ['500 credits', 2, 1000, 500],
    ],
  );
  const page = await stripe.checkout.sessions.listLineItems(session.id, { limit: 1 });
  assert.equal(page.data[0]!.description, 'Pack');
  assert.equal(page.has_more, true);
  // An inline price is single-use: archived, and not usable by another session.
  const inline = await stripe.prices.retrieve(items[1]!.price!.id);
  assert.equal(inline.active, false);
  await assert.rejects(
    stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: SUCCESS,
      line_items: [{ price: inline.id, quantity: 1 }],
    }),
    (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'line_items[0][price]',
  );
});

test('checkout sessions: setup, subscription and embedded sessions', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const setup = await stripe.checkout.sessions.create({
    mode: 'setup',
    currency: 'usd',
    success_url: SUCCESS,
  });
  assert.equal(setup.payment_status, 'no_payment_required');
  assert.equal(setup.amount_total, null);
  assert.equal(setup.currency, 'usd');

  const sub = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [
      {
        price_data: {
          currency: 'usd',
          unit_amount: 1500,
          recurring: { interval: 'month' },
          product_data: { name: 'Pro' },
        },
        quantity: 1,
      },
    ],
    subscription_data: { metadata: { account_id: 'a1' } },
    success_url: SUCCESS,
  });
  assert.equal(sub.amount_total, 1500);
  assert.equal(sub.customer_creation, null);
  const [item] = (await stripe.checkout.sessions.listLineItems(sub.id)).data;
  assert.equal(item!.price?.recurring?.interval, 'month');

  const embedded = await stripe.checkout.sessions.create({
    mode: 'payment',
    ui_mode: 'embedded_page',
    line_items: [credits],
    return_url: 'http://127.0.0.1:9/return?session_id={CHECKOUT_SESSION_ID}',
  });
  assert.equal(embedded.url, null);
  assert.match(embedded.client_secret!, new RegExp(`^${embedded.id}_secret_`));
  assert.equal(embedded.return_url, 'http://127.0.0.1:9/return?session_id={CHECKOUT_SESSION_ID}');
  assert.equal(embedded.redirect_on_completion, 'always');
});

test('checkout sessions: list filters; expire only while open, with checkout.session.expired', async (t) => {
  const receiver = await startWebhookReceiver();
  const run = await startEmulator();
  t.after(async () => {
    await run.close();
    await receiver.close();
  });
  const { stripe } = run;
  const endpoint = await stripe.webhookEndpoints.create({
    url: receiver.url,
    enabled_events: ['checkout.session.expired'],
  });
  const customer = await stripe.customers.create({ email: 'l@example.com' });
  const mine = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    line_items: [credits],
    success_url: SUCCESS,
  });
  const other = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [credits],
    success_url: SUCCESS,
  });
  const byCustomer = await stripe.checkout.sessions.list({ customer: customer.id });
  assert.deepEqual(
    byCustomer.data.map((s) => s.id),
    [mine.id],
  );
  const expired = await stripe.checkout.sessions.expire(other.id);
  assert.equal(expired.status, 'expired');
  assert.equal(expired.url, null);
  await assert.rejects(stripe.checkout.sessions.expire(other.id), (err: Stripe.errors.StripeError) => {
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(err.message, /status of "expired"/);
    return true;
  });
  const open = await stripe.checkout.sessions.list({ status: 'open' });
  assert.deepEqual(
    open.data.map((s) => s.id),
    [mine.id],
  );
  await receiver.waitFor((r) => r.length >= 1);
  const event = stripe.webhooks.constructEvent(
    receiver.deliveries[0]!.body,
    receiver.deliveries[0]!.signature,
    endpoint.secret!,
  );
  assert.equal(event.type, 'checkout.session.expired');
  assert.equal((event.data.object as Stripe.Checkout.Session).id, other.id);
  assert.notEqual(event.request?.id, null);
});

test('checkout sessions: an open session expires when the emulator time passes expires_at', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const now = Math.floor(Date.now() / 1000);
  const short = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [credits],
    success_url: SUCCESS,
    expires_at: now + 31 * 60,
  });
  const long = await stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [credits],
    success_url: SUCCESS,
  });
  assert.equal((await run.control('/_emulator/advance', { seconds: 32 * 60 })).status, 200);
  const expiredEvents = await stripe.events.list({ type: 'checkout.session.expired' });
  assert.equal(expiredEvents.data.length, 1);
  assert.equal(expiredEvents.data[0]!.request?.id, null);
  assert.equal((await stripe.checkout.sessions.retrieve(short.id)).status, 'expired');
  assert.equal((await stripe.checkout.sessions.retrieve(long.id)).status, 'open');
  const completed = await run.control(`/_emulator/checkout/sessions/${short.id}/complete`, {
    card: '4242424242424242',
  });
  assert.equal(completed.status, 400);
});

test('checkout sessions: bad input is a 400 naming the param and creates nothing', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const monthly = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 900,
    recurring: { interval: 'month' },
    product_data: { name: 'Monthly' },
  });
  const once = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 900,
    product_data: { name: 'Once' },
  });
  const customer = await stripe.customers.create({ email: 'c@example.com' });
  const now = Math.floor(Date.now() / 1000);
  type Params = Stripe.Checkout.SessionCreateParams;
  const pay: Params = { mode: 'payment', line_items: [credits], success_url: SUCCESS };
  const cases: Array<[Params, string]> = [
    [{ line_items: [credits], success_url: SUCCESS }, 'mode'],
    [{ ...pay, mode: 'donation' as 'payment' }, 'mode'],
    [{ mode: 'payment', success_url: SUCCESS }, 'line_items'],
    [
      {
        ...pay,
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 10.5, product_data: { name: 'x' } }, quantity: 1 },
        ],
      },
      'line_items[0][price_data][unit_amount]',
    ],
    [{ ...pay, line_items: [{ price: once.id }] }, 'line_items[0][quantity]'],
    [{ ...pay, line_items: [{ price: 'price_missing', quantity: 1 }] }, 'line_items[0][price]'],
    [{ ...pay, line_items: [{ price: monthly.id, quantity: 1 }] }, 'line_items[0][price]'],
    [{ ...pay, payment_method_types: ['card'] } as Params, 'payment_method_types'],
    [{ ...pay, success_url: undefined }, 'success_url'],
    [{ ...pay, success_url: 'not a url' }, 'success_url'],
    [{ ...pay, ui_mode: 'embedded_page' }, 'success_url'],
    [{ ...pay, ui_mode: 'hosted' as 'hosted_page' }, 'ui_mode'],
    [{ ...pay, expires_at: now + 60 }, 'expires_at'],
    [{ ...pay, expires_at: now + 3 * 86400 }, 'expires_at'],
    [{ ...pay, customer: customer.id, customer_email: 'x@example.com' }, 'customer_email'],
    [{ ...pay, customer: 'cus_missing' }, 'customer'],
    [{ ...pay, customer_email: 'nope' }, 'customer_email'],
    [{ ...pay, subscription_data: { metadata: { a: 'b' } } }, 'subscription_data'],
    [{ ...pay, line_items: [{ ...credits, quantity: 0 }] }, 'line_items[0][quantity]'],
    [
      {
        ...pay,
        line_items: [
          { price_data: { currency: 'usd', unit_amount: 10, product_data: { name: 'x' } }, quantity: 1 },
        ],
      },
      'line_items',
    ],
    [{ ...pay, discounts: [{ coupon: 'c' }] }, 'discounts'],
    [{ mode: 'setup', success_url: SUCCESS }, 'currency'],
    [{ mode: 'setup', currency: 'usd', success_url: SUCCESS, line_items: [credits] }, 'line_items'],
    [
      { mode: 'subscription', success_url: SUCCESS, line_items: [{ price: once.id, quantity: 1 }] },
      'line_items[0][price]',
    ],
    [
      {
        mode: 'subscription',
        success_url: SUCCESS,
        line_items: [{ price: monthly.id, quantity: 1 }],
        customer_creation: 'always',
      },
      'customer_creation',
    ],
    [
      {
        mode: 'subscription',
        success_url: SUCCESS,
        line_items: [{ price: monthly.id, quantity: 1 }],
        subscription_data: { trial_period_days: 7 },
      },
      'subscription_data[trial_period_days]',
    ],
  ];
  for (const [params, param] of cases) {
    await assert.rejects(stripe.checkout.sessions.create(params), (err: Stripe.errors.StripeError) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, `${param}: ${err.message}`);
      assert.equal(err.statusCode, 400, `${param}: ${err.message}`);
      assert.equal(err.param, param, err.message);
      assert.ok(err.message.length > 10);
      return true;
    });
  }
  assert.equal((await stripe.checkout.sessions.list()).data.length, 0);
  // Inline prices of refused sessions are not saved either.
  assert.equal((await stripe.prices.list()).data.length, 2);
});
