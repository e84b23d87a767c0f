import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { idPrefixes } from '../ids.ts';
import { startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';
import { collectObjects, type Fixtures, fixtureKey, shapeDifferences } from './fixture-shapes.ts';

// Stripe's example objects live beside the repository (../shared from its root); they are never copied in.
const fixturesPath = fileURLToPath(
  new URL('../../../../shared/stripe-fixtures/fixtures3.json', import.meta.url),
);
const missingFixtures = existsSync(fixturesPath)
  ? false
  : `Stripe's example objects are not at ${fixturesPath}; the shape check needs them`;

test('every object the emulator answers has every key of Stripe’s example, with the same JSON type or null', {
  skip: missingFixtures,
}, async () => {
  const fixtures = (JSON.parse(readFileSync(fixturesPath, 'utf8')) as { resources: Fixtures }).resources;
  const receiver = await startWebhookReceiver();
  const run = await startEmulator();
  const seen: Array<{ path: string; obj: Record<string, unknown> & { object: string } }> = [];
  /** Records everything an answer holds, nested and expanded objects included. */
  const keep = <T>(label: string, value: T): T => {
    collectObjects(value, seen, label);
    return value;
  };
  const { stripe, control } = run;
  try {
    await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    const endpoint = keep(
      'webhook_endpoints.create',
      await stripe.webhookEndpoints.create({
        url: 'http://127.0.0.1:9/other',
        enabled_events: ['invoice.paid'],
      }),
    );
    keep('webhook_endpoints.retrieve', await stripe.webhookEndpoints.retrieve(endpoint.id));
    keep('webhook_endpoints.update', await stripe.webhookEndpoints.update(endpoint.id, { description: 'x' }));
    keep('webhook_endpoints.list', await stripe.webhookEndpoints.list());
    keep('webhook_endpoints.del', await stripe.webhookEndpoints.del(endpoint.id));

    // Customers.
    const customer = keep(
      'customers.create',
      await stripe.customers.create({
        email: 'shape@example.com',
        name: 'Shape',
        metadata: { account_id: 'a1' },
      }),
    );
    keep('customers.update', await stripe.customers.update(customer.id, { phone: '+15555550100' }));
    keep('customers.retrieve', await stripe.customers.retrieve(customer.id));
    keep('customers.list', await stripe.customers.list({ limit: 3 }));
    keep('customers.search', await stripe.customers.search({ query: "metadata['account_id']:'a1'" }));
    const doomed = await stripe.customers.create({ email: 'doomed@example.com' });
    keep('customers.del', await stripe.customers.del(doomed.id));

    // Catalogue.
    const product = keep('products.create', await stripe.products.create({ name: 'Shape plan' }));
    keep('products.update', await stripe.products.update(product.id, { description: 'Monthly' }));
    keep('products.retrieve', await stripe.products.retrieve(product.id));
    keep('products.list', await stripe.products.list());
    const monthly = keep(
      'prices.create',
      await stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: 1500,
        recurring: { interval: 'month' },
      }),
    );
    keep(
      'prices.create one-time',
      await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 900 }),
    );
    keep('prices.update', await stripe.prices.update(monthly.id, { nickname: 'Monthly' }));
    keep('prices.retrieve', await stripe.prices.retrieve(monthly.id, { expand: ['product'] }));
    keep('prices.list', await stripe.prices.list());
    const spareProduct = await stripe.products.create({ name: 'Spare' });
    keep('products.del', await stripe.products.del(spareProduct.id));

    // Payment methods, setup and payment intents, charges.
    const pm = keep(
      'paymentMethods.attach',
      await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id }),
    );
    keep('paymentMethods.retrieve', await stripe.paymentMethods.retrieve(pm.id));
    keep('paymentMethods.update', await stripe.paymentMethods.update(pm.id, { metadata: { k: 'v' } }));
    keep('paymentMethods.list', await stripe.paymentMethods.list({ customer: customer.id, type: 'card' }));
    keep('customers.listPaymentMethods', await stripe.customers.listPaymentMethods(customer.id));
    keep('customers.retrievePaymentMethod', await stripe.customers.retrievePaymentMethod(customer.id, pm.id));
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const spare = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    keep('paymentMethods.detach', await stripe.paymentMethods.detach(spare.id));

    const setup = keep('setupIntents.create', await stripe.setupIntents.create({ customer: customer.id }));
    keep(
      'setupIntents.confirm',
      await stripe.setupIntents.confirm(setup.id, {
        payment_method: 'pm_card_visa',
        expand: ['payment_method'],
      }),
    );
    keep('setupIntents.retrieve', await stripe.setupIntents.retrieve(setup.id));
    keep('setupIntents.list', await stripe.setupIntents.list({ customer: customer.id }));

    const paid = keep(
      'paymentIntents.create',
      await stripe.paymentIntents.create({
        amount: 700,
        currency: 'usd',
        customer: customer.id,
        payment_method: pm.id,
        confirm: true,
        off_session: true,
      }),
    );
    keep(
      'paymentIntents.retrieve',
      await stripe.paymentIntents.retrieve(paid.id, { expand: ['latest_charge'] }),
    );
    keep('paymentIntents.list', await stripe.paymentIntents.list({ customer: customer.id }));
    const open = await stripe.paymentIntents.create({ amount: 800, currency: 'usd', customer: customer.id });
    keep('paymentIntents.cancel', await stripe.paymentIntents.cancel(open.id));
    const declined = await stripe.paymentIntents
      .create({
        amount: 900,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa_chargeDeclined',
        confirm: true,
        off_session: true,
      })
      .then(
        () => assert.fail('a declining card must throw'),
        (err: Stripe.errors.StripeError) => err,
      );
    assert.ok(declined instanceof Stripe.errors.StripeCardError);
    keep('card error payment_intent', declined.raw);
    keep('charges.list', await stripe.charges.list({ limit: 5 }));
    const charge = typeof paid.latest_charge === 'string' ? paid.latest_charge : paid.latest_charge!.id;
    keep('charges.retrieve', await stripe.charges.retrieve(charge));
    const refund = keep('refunds.create', await stripe.refunds.create({ charge, amount: 200 }));
    keep('refunds.retrieve', await stripe.refunds.retrieve(refund.id));
    keep('refunds.list', await stripe.refunds.list({ charge }));
    const disputed = await stripe.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_createDispute',
      confirm: true,
      off_session: true,
    });
    const dispute = keep('disputes.list', await stripe.disputes.list({ payment_intent: disputed.id }))
      .data[0]!;
    keep('disputes.retrieve', await stripe.disputes.retrieve(dispute.id));
    keep(
      'disputes.update',
      await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } }),
    );

    // Checkout in each mode, completed as the hosted page would.
    const success = 'http://127.0.0.1:9/success?session_id={CHECKOUT_SESSION_ID}';
    const payment = keep(
      'checkout.sessions.create payment',
      await stripe.checkout.sessions.create({
        mode: 'payment',
        customer: customer.id,
        success_url: success,
        cancel_url: 'http://127.0.0.1:9/cancel',
        metadata: { account_id: 'a1', kind: 'topup' },
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: '$25 credit' } },
            quantity: 1,
          },
        ],
      }),
    );
    const setupSession = keep(
      'checkout.sessions.create setup',
      await stripe.checkout.sessions.create({
        mode: 'setup',
        currency: 'usd',
        customer: customer.id,
        success_url: success,
      }),
    );
    const subscriptionSession = keep(
      'checkout.sessions.create subscription',
      await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        success_url: success,
        line_items: [{ price: monthly.id, quantity: 1 }],
        subscription_data: { metadata: { account_id: 'a1' } },
      }),
    );
    // On-page (embedded) Checkout, as the billing server opens it: no URLs, completion told to the page.
    const embedded = keep(
      'checkout.sessions.create embedded_page',
      await stripe.checkout.sessions.create({
        mode: 'payment',
        ui_mode: 'embedded_page',
        redirect_on_completion: 'never',
        customer: customer.id,
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: '$10 credit' } },
            quantity: 1,
          },
        ],
      }),
    );
    assert.equal(embedded.url, null);
    assert.equal(embedded.success_url, null);
    assert.match(embedded.client_secret!, new RegExp(`^${embedded.id}_secret_`));
    for (const session of [payment, setupSession, subscriptionSession, embedded]) {
      const done = await control(`/_emulator/checkout/sessions/${session.id}/complete`, {
        card: '4242424242424242',
      });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      keep(`complete ${session.mode} ${session.ui_mode}`, done.body);
      keep(
        `checkout.sessions.retrieve ${session.mode} ${session.ui_mode}`,
        await stripe.checkout.sessions.retrieve(session.id, {
          expand: ['line_items', 'payment_intent', 'setup_intent', 'subscription', 'invoice'],
        }),
      );
    }
    keep('checkout.sessions.listLineItems', await stripe.checkout.sessions.listLineItems(payment.id));
    keep('checkout.sessions.list', await stripe.checkout.sessions.list({ limit: 5 }));
    const abandoned = await stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'usd',
      customer: customer.id,
      success_url: success,
    });
    keep('checkout.sessions.expire', await stripe.checkout.sessions.expire(abandoned.id));

    // Subscriptions, their items and invoices.
    const subId = (await stripe.checkout.sessions.retrieve(subscriptionSession.id)).subscription as string;
    keep(
      'subscriptions.retrieve',
      await stripe.subscriptions.retrieve(subId, {
        expand: ['latest_invoice.payments', 'default_payment_method', 'customer'],
      }),
    );
    keep('subscriptions.update', await stripe.subscriptions.update(subId, { cancel_at_period_end: true }));
    keep(
      'subscriptions.update back',
      await stripe.subscriptions.update(subId, { cancel_at_period_end: false }),
    );
    keep('subscriptions.list', await stripe.subscriptions.list({ customer: customer.id }));
    const items = keep(
      'subscriptionItems.list',
      await stripe.subscriptionItems.list({ subscription: subId }),
    );
    keep('subscriptionItems.retrieve', await stripe.subscriptionItems.retrieve(items.data[0]!.id));
    // A renewal a month later: a subscription_cycle invoice and its payment.
    await control('/_emulator/advance', { seconds: 32 * 86_400 });
    const invoices = keep('invoices.list', await stripe.invoices.list({ customer: customer.id }));
    assert.ok(invoices.data.length >= 2, 'the renewal made a second invoice');
    const invoice = keep(
      'invoices.retrieve',
      await stripe.invoices.retrieve(invoices.data[0]!.id, { expand: ['payments'] }),
    );
    keep('invoices.listLineItems', await stripe.invoices.listLineItems(invoice.id));
    const payments = keep('invoicePayments.list', await stripe.invoicePayments.list({ invoice: invoice.id }));
    keep('invoicePayments.retrieve', await stripe.invoicePayments.retrieve(payments.data[0]!.id));
    const direct = keep(
      'subscriptions.create',
      await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: monthly.id }],
        default_payment_method: pm.id,
      }),
    );
    keep('subscriptions.cancel', await stripe.subscriptions.cancel(direct.id));

    // Test clocks.
    const clock = keep(
      'testClocks.create',
      await stripe.testHelpers.testClocks.create({
        frozen_time: Math.floor(Date.now() / 1000),
        name: 'shape',
      }),
    );
    keep(
      'customers.create on clock',
      await stripe.customers.create({ email: 'clock@example.com', test_clock: clock.id }),
    );
    keep(
      'testClocks.advance',
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 3600 }),
    );
    keep('testClocks.retrieve', await stripe.testHelpers.testClocks.retrieve(clock.id));
    keep('testClocks.list', await stripe.testHelpers.testClocks.list());
    keep('testClocks.del', await stripe.testHelpers.testClocks.del(clock.id));

    // The portal and events.
    keep(
      'billingPortal.sessions.create',
      await stripe.billingPortal.sessions.create({
        customer: customer.id,
        return_url: 'http://127.0.0.1:9/billing',
      }),
    );
    const events = keep(
      'events.list',
      await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 2000 }),
    );
    keep('events.retrieve', await stripe.events.retrieve(events[0]!.id));
    await run.emu.webhooks.drained();
    keep(
      'webhook payloads',
      receiver.deliveries.map((d) => JSON.parse(d.body)),
    );

    // Check every collected object against Stripe's example for its type.
    const includable = (type: string) => new Set(Object.keys(run.emu.includables.get(type) ?? {}));
    const byType = new Map<string, { count: number; problems: Set<string> }>();
    for (const { path, obj } of seen) {
      const key = fixtureKey(obj);
      const entry = byType.get(key) ?? { count: 0, problems: new Set<string>() };
      byType.set(key, entry);
      entry.count++;
      const example = fixtures[key];
      if (!example) {
        entry.problems.add(`no Stripe example for object '${key}' (seen at ${path})`);
        continue;
      }
      for (const problem of shapeDifferences(example, obj, includable(obj.object))) {
        entry.problems.add(`${problem} (e.g. at ${path})`);
      }
    }
    const lines = [...byType.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([type, { count, problems }]) =>
          `${problems.size === 0 ? 'ok  ' : 'FAIL'} ${type}: ${count} objects${problems.size ? `\n       ${[...problems].slice(0, 12).join('\n       ')}` : ''}`,
      );
    console.log(`fixture shapes per resource:\n  ${lines.join('\n  ')}`);

    // Every type of object the emulator stores was met along the way (the clock was deleted above).
    const stored = new Set<string>(['test_helpers.test_clock']);
    for (const [, name] of idPrefixes) {
      for (const obj of run.emu.store.collection(name).values()) stored.add(obj.object);
    }
    const unchecked = [...stored].filter((type) => !byType.has(type));
    assert.deepEqual(unchecked, [], 'stored object types the walk never checked');

    const failing = [...byType.entries()].filter(([, e]) => e.problems.size > 0).map(([type]) => type);
    assert.deepEqual(failing, [], 'resources whose objects miss keys of Stripe’s example or differ in type');
  } finally {
    await run.close();
    await receiver.close();
  }
});

test('the shape check itself flags a missing key, a wrong type and a nested difference, and accepts ids for objects', () => {
  const example = {
    id: 'cus_1',
    object: 'customer',
    email: 'a@example.com',
    balance: 0,
    address: null,
    invoice_settings: { default_payment_method: null, footer: 'x' },
    test_clock: { id: 'clock_1', object: 'test_helpers.test_clock' },
    metadata: { order_id: '6735' },
    preferred_locales: ['en'],
  };
  const ours = {
    id: 'cus_2',
    object: 'customer',
    email: null,
    balance: '0',
    address: { city: 'x' },
    invoice_settings: { default_payment_method: 'pm_1' },
    test_clock: 'clock_2',
    metadata: {},
    preferred_locales: [1],
  };
  assert.deepEqual(shapeDifferences(example, ours).sort(), [
    'balance: string where Stripe has number',
    'invoice_settings.footer: missing',
    'preferred_locales[0]: number where Stripe has string',
  ]);
  const { email: _email, ...withoutEmail } = ours;
  assert.deepEqual(shapeDifferences({ email: 'a' }, withoutEmail), ['email: missing']);
  assert.deepEqual(shapeDifferences({ line_items: {} }, {}, new Set(['line_items'])), []);
  assert.equal(fixtureKey({ object: 'customer', deleted: true }), 'deleted_customer');
  const found: Parameters<typeof collectObjects>[1] = [];
  collectObjects(
    {
      object: 'list',
      data: [{ object: 'invoice', payments: { object: 'list', data: [{ object: 'invoice_payment' }] } }],
    },
    found,
  );
  assert.deepEqual(
    found.map((f) => f.obj.object),
    ['invoice', 'invoice_payment'],
  );
});
