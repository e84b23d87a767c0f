import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type RunningEmulator, sdkFor, startEmulator } from '../testing.ts';

describe('customers through the official SDK', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('create, retrieve, update, list by email, search by metadata, delete', async () => {
    const { stripe } = run;
    const created = await stripe.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { account_id: 'acct_1' },
    });
    assert.match(created.id, /^cus_/);
    assert.equal(created.object, 'customer');
    assert.deepEqual(created.metadata, { account_id: 'acct_1' });

    const fetched = await stripe.customers.retrieve(created.id);
    assert.equal((fetched as Stripe.Customer).email, 'ada@example.com');

    const updated = await stripe.customers.update(created.id, { name: 'Ada L', metadata: { plan: 'pro' } });
    assert.equal(updated.name, 'Ada L');
    assert.deepEqual(updated.metadata, { account_id: 'acct_1', plan: 'pro' });

    await stripe.customers.create({ email: 'other@example.com' });
    const byEmail = await stripe.customers.list({ email: 'ada@example.com' });
    assert.deepEqual(
      byEmail.data.map((c) => c.id),
      [created.id],
    );

    const found = await stripe.customers.search({ query: "metadata['account_id']:'acct_1'" });
    assert.deepEqual(
      found.data.map((c) => c.id),
      [created.id],
    );

    const deleted = await stripe.customers.del(created.id);
    assert.equal(deleted.deleted, true);
    await assert.rejects(stripe.customers.retrieve(created.id), (err: Stripe.errors.StripeError) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  test('lists page newest first with starting_after and auto-pagination', async () => {
    const { stripe } = run;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await stripe.customers.create({ email: `page${i}@example.com` })).id);
    const first = await stripe.customers.list({ limit: 2 });
    assert.equal(first.has_more, true);
    const all = await stripe.customers.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    const mine = all.map((c) => c.id).filter((id) => ids.includes(id));
    assert.deepEqual(mine, [...ids].reverse());
  });

  test('idempotency keys replay the first answer and refuse other parameters', async () => {
    const { stripe } = run;
    const a = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    const b = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: 'key-1' });
    assert.equal(a.id, b.id);
    assert.equal(b.lastResponse.headers['idempotent-replayed'], 'true');
    await assert.rejects(
      stripe.customers.create({ email: 'changed@example.com' }, { idempotencyKey: 'key-1' }),
      (err: unknown) => err instanceof Stripe.errors.StripeIdempotencyError,
    );
  });

  test('a missing or wrong key is an authentication error; unknown routes are 404s', async () => {
    const noKey = sdkFor(run.url, 'not_a_key');
    await assert.rejects(
      noKey.customers.list(),
      (err: unknown) => err instanceof Stripe.errors.StripeAuthenticationError,
    );
    const res = await fetch(`${run.url}/v1/customers`);
    assert.equal(res.status, 401);
    assert.ok(((await res.json()) as { error: { message: string; type: string } }).error.message);
    const unknown = await fetch(`${run.url}/v1/nothing_here`, {
      headers: { authorization: 'Bearer sk_test_x' },
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  });

  test('bad input is a 400 naming the param', async () => {
    await assert.rejects(
      run.stripe.customers.create({ email: 'not an email' }),
      (err: Stripe.errors.StripeError) => {
        assert.equal(err.statusCode, 400);
        assert.equal(err.param, 'email');
        return true;
      },
    );
    const res = await fetch(`${run.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=%zz',
    });
    assert.equal(res.status, 400);
    assert.equal(
      ((await res.json()) as { error: { message: string; type: string } }).error.type,
      'invalid_request_error',
    );
  });

  test('deleting a customer cancels its subscriptions at once', async () => {
    const { stripe } = run;
    const customer = await stripe.customers.create({
      email: 'leaving@example.com',
      payment_method: 'pm_card_visa',
    });
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
      product_data: { name: 'Plan' },
    });
    const pm = (await stripe.customers.listPaymentMethods(customer.id)).data[0]!;
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: pm.id,
    });
    assert.equal(sub.status, 'active');
    await stripe.customers.del(customer.id);
    const after = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(after.status, 'canceled');
    assert.ok(after.ended_at);
  });
});
