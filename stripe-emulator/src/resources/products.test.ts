import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';

test('products: create with a default price, retrieve, update, list by active and ids', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const credits = await stripe.products.create({
    name: 'Credits',
    description: 'Prepaid usage',
    metadata: { kind: 'credits' },
    default_price_data: { currency: 'usd', unit_amount: 500 },
  });
  assert.match(credits.id, /^prod_/);
  assert.equal(credits.active, true);
  assert.deepEqual(credits.metadata, { kind: 'credits' });
  const price = await stripe.prices.retrieve(credits.default_price as string);
  assert.equal(price.product, credits.id);
  assert.equal(price.unit_amount, 500);
  assert.equal(price.type, 'one_time');

  const archived = await stripe.products.create({ name: 'Old plan', active: false });
  const updated = await stripe.products.update(credits.id, {
    name: 'Usage credits',
    metadata: { tier: 'a' },
  });
  assert.equal(updated.name, 'Usage credits');
  assert.deepEqual(updated.metadata, { kind: 'credits', tier: 'a' });
  assert.equal((await stripe.products.retrieve(credits.id)).name, 'Usage credits');

  const active = await stripe.products.list({ active: true });
  assert.deepEqual(
    active.data.map((p) => p.id),
    [credits.id],
  );
  const byIds = await stripe.products.list({ ids: [archived.id] });
  assert.deepEqual(
    byIds.data.map((p) => p.id),
    [archived.id],
  );
  const events = await stripe.events.list({ type: 'product.updated' });
  assert.equal(events.data.length, 1);
  const previous = events.data[0]!.data.previous_attributes as Partial<Stripe.Product>;
  assert.equal(previous.name, 'Credits');
  assert.deepEqual(previous.metadata, { kind: 'credits' });
});

test('products: a product with prices cannot be deleted; one without can', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const priced = await stripe.products.create({
    name: 'Priced',
    default_price_data: { currency: 'usd', unit_amount: 100 },
  });
  await assert.rejects(stripe.products.del(priced.id), (err: Stripe.errors.StripeError) => {
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.match(err.message, /prices/);
    return true;
  });
  const bare = await stripe.products.create({ name: 'Bare' });
  assert.equal((await stripe.products.del(bare.id)).deleted, true);
  await assert.rejects(stripe.products.retrieve(bare.id), (err: Stripe.errors.StripeError) => {
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    return true;
  });
});

test('products: bad input is a 400 naming the param and creates nothing', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  await assert.rejects(
    stripe.products.create({ description: 'no name' } as Stripe.ProductCreateParams),
    (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'name',
  );
  await assert.rejects(
    stripe.products.create({
      name: 'Half',
      default_price_data: { currency: 'usd', unit_amount: 'x' as unknown as number },
    }),
    (err: Stripe.errors.StripeError) =>
      err.statusCode === 400 && err.param === 'default_price_data[unit_amount]',
  );
  assert.equal((await stripe.products.list()).data.length, 0);
  assert.equal((await stripe.prices.list()).data.length, 0);
});
