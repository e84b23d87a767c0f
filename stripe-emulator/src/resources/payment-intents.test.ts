import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import type { StoredObject } from '../store.ts';
import { startEmulator } from '../testing.ts';
import { chargeOffSession } from './payment-intents.ts';

async function customerWithCard(stripe: Stripe, card: string) {
  const customer = await stripe.customers.create({ email: 'payer@example.com' });
  const pm = await stripe.paymentMethods.attach(card, { customer: customer.id });
  return { customer: customer.id, pm: pm.id };
}

/** The card error a confirm answered; fails the test if it succeeded. */
async function declined(promise: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const err = await promise.then(
    () => assert.fail('the charge should be declined'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Stripe.errors.StripeCardError, String(err));
  assert.equal(err.statusCode, 402);
  return err;
}

test('payment intents: an off-session charge of a saved card succeeds and leaves a charge', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_visa');
  const pi = await stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    customer,
    payment_method: pm,
    confirm: true,
    off_session: true,
    description: 'Top-up',
    metadata: { account_id: 'a1' },
  });
  assert.match(pi.id, /^pi_/);
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.amount_received, 2500);
  assert.deepEqual(pi.metadata, { account_id: 'a1' });
  const charge = await stripe.charges.retrieve(pi.latest_charge as string);
  assert.equal(charge.paid, true);
  assert.equal(charge.amount_captured, 2500);
  assert.equal(charge.payment_intent, pi.id);
  assert.equal(charge.payment_method_details?.card?.last4, '4242');
  const listed = await stripe.paymentIntents.list({ customer });
  assert.deepEqual(
    listed.data.map((p) => p.id),
    [pi.id],
  );
  const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type).reverse();
  assert.deepEqual(types, ['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);
});

test('payment intents: declines are StripeCardErrors with decline codes; the intent waits for a new method', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const cases: Array<[string, string, string]> = [
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeCustomerFail', 'card_declined', 'generic_decline'],
    ['pm_card_authenticationRequired', 'authentication_required', 'authentication_required'],
  ];
  for (const [card, code, declineCode] of cases) {
    const { customer, pm } = await customerWithCard(stripe, card);
    const err = await declined(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer,
        payment_method: pm,
        confirm: true,
        off_session: true,
      }),
    );
    assert.equal(err.code, code, card);
    assert.equal(err.decline_code, declineCode, card);
    assert.equal(err.rawType, 'card_error');
    const pi = await stripe.paymentIntents.retrieve(err.payment_intent!.id);
    assert.equal(pi.status, 'requires_payment_method', card);
    assert.equal(pi.amount_received, 0);
    assert.equal(pi.last_payment_error?.decline_code, declineCode);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    assert.equal(charge.status, 'failed');
    assert.equal(charge.failure_code, code);
  }
  const failedEvents = await stripe.events.list({ type: 'payment_intent.payment_failed' });
  assert.equal(failedEvents.data.length, cases.length);
});

test('payment intents: a declined confirm is replayed by its idempotency key, not charged again', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_visa_chargeDeclined');
  const params = {
    amount: 900,
    currency: 'usd',
    customer,
    payment_method: pm,
    confirm: true,
    off_session: true,
  };
  const first = await declined(stripe.paymentIntents.create(params, { idempotencyKey: 'renewal-1' }));
  const second = await declined(stripe.paymentIntents.create(params, { idempotencyKey: 'renewal-1' }));
  assert.equal(second.payment_intent?.id, first.payment_intent?.id);
  assert.equal((await stripe.charges.list({ customer })).data.length, 1);
});

test('payment intents: confirm later, 3D Secure on-session, cancel', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_visa');
  const draft = await stripe.paymentIntents.create({
    amount: 700,
    currency: 'usd',
    customer,
    payment_method: pm,
  });
  assert.equal(draft.status, 'requires_confirmation');
  assert.equal((await stripe.paymentIntents.confirm(draft.id)).status, 'succeeded');

  const secure = await customerWithCard(stripe, 'pm_card_authenticationRequired');
  const waiting = await stripe.paymentIntents.create({
    amount: 700,
    currency: 'usd',
    customer: secure.customer,
    payment_method: secure.pm,
    confirm: true,
  });
  assert.equal(waiting.status, 'requires_action');
  assert.equal((await stripe.paymentIntents.confirm(waiting.id)).status, 'succeeded');

  const abandoned = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer });
  const canceled = await stripe.paymentIntents.cancel(abandoned.id, { cancellation_reason: 'abandoned' });
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.cancellation_reason, 'abandoned');
  await assert.rejects(
    stripe.paymentIntents.cancel(draft.id),
    (err: Stripe.errors.StripeError) => err.statusCode === 400,
  );
});

test('payment intents: bad input is a 400 naming the param and charges nothing', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_visa');
  const other = await customerWithCard(stripe, 'pm_card_visa');
  const base = { amount: 1000, currency: 'usd', customer, payment_method: pm };
  const cases: Array<[Stripe.PaymentIntentCreateParams, string, string?]> = [
    [{ ...base, amount: 49 }, 'amount', 'amount_too_small'],
    [{ ...base, amount: 10.5 }, 'amount'],
    [{ ...base, off_session: true }, 'off_session'],
    [{ ...base, payment_method: other.pm, confirm: true }, 'payment_method'],
    [{ ...base, payment_method: undefined, confirm: true }, 'payment_method'],
    [{ ...base, setup_future_usage: 'sometimes' as 'off_session' }, 'setup_future_usage'],
    [
      { ...base, payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams,
      'payment_method_types',
      'payment_method_types_no_longer_supported',
    ],
  ];
  for (const [params, param, code] of cases) {
    await assert.rejects(stripe.paymentIntents.create(params), (err: Stripe.errors.StripeError) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, `${param}: ${err.message}`);
      assert.equal(err.param, param);
      if (code) assert.equal(err.code, code);
      return true;
    });
  }
  await assert.rejects(
    stripe.paymentIntents.create({ ...base, payment_method: 'pm_missing' }),
    // An unknown id named by a parameter is a 400 resource_missing, as Stripe answers.
    (err: Stripe.errors.StripeError) =>
      err.statusCode === 400 && err.code === 'resource_missing' && err.param === 'payment_method',
  );
  assert.equal((await stripe.paymentIntents.list()).data.length, 0);
  assert.equal((await stripe.charges.list()).data.length, 0);
});

test('chargeOffSession answers the intent and the card error Stripe would send, emitting the charge events', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe, emu } = run;
  const good = await customerWithCard(stripe, 'pm_card_visa');
  const ok = chargeOffSession(emu, {
    customer: good.customer,
    paymentMethod: good.pm,
    amount: 2000,
    currency: 'usd',
    description: 'Renewal',
    metadata: { invoice: 'in_1' },
  });
  assert.equal(ok.error, null);
  assert.equal(ok.paymentIntent.status, 'succeeded');
  assert.equal(ok.paymentIntent.customer, good.customer);

  const bad = await customerWithCard(stripe, 'pm_card_chargeCustomerFail');
  const failed = chargeOffSession(emu, {
    customer: bad.customer,
    paymentMethod: bad.pm,
    amount: 2000,
    currency: 'usd',
  });
  assert.equal(failed.paymentIntent.status, 'requires_payment_method');
  assert.equal(failed.error?.status, 402);
  assert.equal(failed.error?.body.type, 'card_error');
  assert.equal(failed.error?.body.code, 'card_declined');
  assert.equal(failed.error?.body.decline_code, 'generic_decline');

  const types = [...emu.store.collection<StoredObject & { type: string }>('events').values()]
    .map((e) => e.type)
    .filter((type) => type.startsWith('payment_intent.') || type.startsWith('charge.'));
  assert.deepEqual(types, [
    'payment_intent.created',
    'charge.succeeded',
    'payment_intent.succeeded',
    'payment_intent.created',
    'charge.failed',
    'payment_intent.payment_failed',
  ]);
  assert.throws(
    () =>
      chargeOffSession(emu, { customer: good.customer, paymentMethod: bad.pm, amount: 100, currency: 'usd' }),
    (err: { status: number }) => err.status === 400,
  );
  assert.throws(
    () =>
      chargeOffSession(emu, {
        customer: 'cus_missing',
        paymentMethod: good.pm,
        amount: 100,
        currency: 'usd',
      }),
    (err: { status: number; body: { code?: string } }) =>
      err.status === 400 && err.body.code === 'resource_missing',
  );
});

test('payment intents: a card that needs authentication off-session, completed on the bank page', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_authenticationRequired');
  const err = await declined(
    stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer,
      payment_method: pm,
      off_session: true,
      confirm: true,
      metadata: { purpose: 'recharge' },
    }),
  );
  assert.equal(err.code, 'authentication_required');
  assert.equal(err.decline_code, 'authentication_required');
  const id = err.payment_intent!.id;
  const failed = await stripe.paymentIntents.retrieve(id);
  assert.equal(failed.status, 'requires_payment_method');
  assert.equal(failed.last_payment_error?.code, 'authentication_required');
  const typesOf = async () =>
    (await stripe.events.list({ limit: 100 })).data
      .filter(
        (e) =>
          (e.data.object as { id?: string; payment_intent?: string }).id === id ||
          (e.data.object as { payment_intent?: string }).payment_intent === id,
      )
      .map((e) => e.type)
      .reverse();
  assert.deepEqual(await typesOf(), [
    'payment_intent.created',
    'charge.failed',
    'payment_intent.payment_failed',
  ]);

  // Back on-session with a return_url: Stripe names the bank's page in next_action.
  const waiting = await stripe.paymentIntents.confirm(id, {
    payment_method: pm,
    return_url: 'https://app.example.test/back?x=1',
  });
  assert.equal(waiting.status, 'requires_action');
  assert.equal(waiting.next_action?.type, 'redirect_to_url');
  const page = waiting.next_action!.redirect_to_url!.url!;
  assert.equal(page, `${run.url}/3d_secure/${id}`);
  assert.equal(waiting.next_action!.redirect_to_url!.return_url, 'https://app.example.test/back?x=1');
  const shown = await fetch(page);
  assert.equal(shown.status, 200);
  const html = await shown.text();
  assert.match(html, /\$25\.00/);
  assert.match(
    html,
    /<button type="submit" name="result" value="complete">Complete authentication<\/button>/,
  );

  const answered = await fetch(page, {
    method: 'POST',
    body: new URLSearchParams({ result: 'complete' }),
    redirect: 'manual',
  });
  assert.equal(answered.status, 303);
  const back = new URL(answered.headers.get('location')!);
  assert.equal(`${back.origin}${back.pathname}`, 'https://app.example.test/back');
  assert.equal(back.searchParams.get('x'), '1');
  assert.equal(back.searchParams.get('payment_intent'), id);
  assert.equal(back.searchParams.get('payment_intent_client_secret'), failed.client_secret);
  assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
  const paid = await stripe.paymentIntents.retrieve(id);
  assert.equal(paid.status, 'succeeded');
  assert.equal(paid.amount_received, 2500);
  assert.equal(paid.next_action, null);
  assert.deepEqual((await typesOf()).slice(3), [
    'payment_intent.requires_action',
    'charge.succeeded',
    'payment_intent.succeeded',
  ]);
  // Nothing left to authenticate.
  assert.equal((await fetch(page)).status, 404);
});

test('payment intents: failing the authentication declines with payment_intent_authentication_failure', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const { customer, pm } = await customerWithCard(stripe, 'pm_card_authenticationRequired');
  const created = await stripe.paymentIntents.create({
    amount: 900,
    currency: 'usd',
    customer,
    payment_method: pm,
  });
  const waiting = await stripe.paymentIntents.confirm(created.id, {
    return_url: 'https://app.example.test/',
  });
  const answered = await fetch(waiting.next_action!.redirect_to_url!.url!, {
    method: 'POST',
    body: new URLSearchParams({ result: 'fail' }),
    redirect: 'manual',
  });
  assert.equal(new URL(answered.headers.get('location')!).searchParams.get('redirect_status'), 'failed');
  const failed = await stripe.paymentIntents.retrieve(created.id);
  assert.equal(failed.status, 'requires_payment_method');
  assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
  assert.equal(failed.amount_received, 0);
  await assert.rejects(
    stripe.paymentIntents.confirm(created.id, { return_url: 'not a url' }),
    (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'return_url',
  );
});
