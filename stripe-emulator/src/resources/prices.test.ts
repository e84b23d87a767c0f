import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from '../testing.ts';

test('prices: create with product or product_data, recurring, retrieve with the product expanded', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const monthly = await stripe.prices.create({
    currency: 'USD',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'Pro plan' },
    lookup_key: 'pro_monthly',
    metadata: { plan: 'pro' },
  });
  assert.match(monthly.id, /^price_/);
  assert.equal(monthly.currency, 'usd');
  assert.equal(monthly.type, 'recurring');
  assert.equal(monthly.recurring?.interval, 'month');
  assert.equal(monthly.recurring?.interval_count, 1);
  assert.equal(monthly.recurring?.usage_type, 'licensed');
  assert.equal(String(monthly.unit_amount_decimal), '2000');
  const expanded = await stripe.prices.retrieve(monthly.id, { expand: ['product'] });
  assert.equal((expanded.product as Stripe.Product).name, 'Pro plan');

  const oneTime = await stripe.prices.create({
    currency: 'usd',
    unit_amount_decimal: '12.5' as unknown as Stripe.Decimal,
    product: monthly.product as string,
  });
  assert.equal(oneTime.type, 'one_time');
  assert.equal(oneTime.unit_amount, null);
  assert.equal(String(oneTime.unit_amount_decimal), '12.5');
});

test('prices: list filters by product, active, type and lookup_keys', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const a = await stripe.products.create({ name: 'A' });
  const b = await stripe.products.create({ name: 'B' });
  const aMonthly = await stripe.prices.create({
    product: a.id,
    currency: 'usd',
    unit_amount: 1000,
    recurring: { interval: 'month' },
    lookup_key: 'a_monthly',
  });
  const aOnce = await stripe.prices.create({ product: a.id, currency: 'usd', unit_amount: 500 });
  const bOnce = await stripe.prices.create({
    product: b.id,
    currency: 'usd',
    unit_amount: 700,
    active: false,
  });

  const ids = async (params: Stripe.PriceListParams) =>
    (await stripe.prices.list(params)).data.map((p) => p.id);
  assert.deepEqual(await ids({ product: a.id }), [aOnce.id, aMonthly.id]);
  assert.deepEqual(await ids({ active: false }), [bOnce.id]);
  assert.deepEqual(await ids({ type: 'recurring' }), [aMonthly.id]);
  assert.deepEqual(await ids({ lookup_keys: ['a_monthly', 'nothing'] }), [aMonthly.id]);
  assert.deepEqual(await ids({ recurring: { interval: 'year' } }), []);
});

test('prices: a lookup key belongs to one price unless transfer_lookup_key moves it', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const product = await stripe.products.create({ name: 'P' });
  const first = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 100,
    lookup_key: 'std',
  });
  await assert.rejects(
    stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 200, lookup_key: 'std' }),
    (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'lookup_key',
  );
  const second = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 200,
    lookup_key: 'std',
    transfer_lookup_key: true,
  });
  assert.equal(second.lookup_key, 'std');
  assert.equal((await stripe.prices.retrieve(first.id)).lookup_key, null);
  const archived = await stripe.prices.update(first.id, { active: false, nickname: 'old' });
  assert.equal(archived.active, false);
  assert.equal(archived.nickname, 'old');
});

test('prices: bad input is a 400 naming the param and creates nothing', async (t) => {
  const run = await startEmulator();
  t.after(() => run.close());
  const { stripe } = run;
  const product = await stripe.products.create({ name: 'P' });
  const cases: Array<[Stripe.PriceCreateParams, string]> = [
    [{ product: product.id, currency: 'usd', unit_amount: 12.5 }, 'unit_amount'],
    [{ product: product.id, currency: 'usd', unit_amount: -1 }, 'unit_amount'],
    [{ product: product.id, currency: 'usd' }, 'unit_amount'],
    [{ product: product.id, currency: 'dollars', unit_amount: 100 }, 'currency'],
    [
      {
        product: product.id,
        currency: 'usd',
        unit_amount: 100,
        recurring: { interval: 'month', interval_count: 37 },
      },
      'recurring[interval_count]',
    ],
    [
      {
        product: product.id,
        currency: 'usd',
        unit_amount: 100,
        recurring: { interval: 'fortnight' as 'month' },
      },
      'recurring[interval]',
    ],
    [{ currency: 'usd', unit_amount: 100 }, 'product_data'],
    [
      {
        currency: 'usd',
        unit_amount: 100,
        product_data: { description: 'x' } as unknown as { name: string },
      },
      'product_data[name]',
    ],
  ];
  for (const [params, param] of cases) {
    await assert.rejects(stripe.prices.create(params), (err: Stripe.errors.StripeError) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, param);
      assert.equal(err.param, param);
      return true;
    });
  }
  assert.equal((await stripe.prices.list()).data.length, 0);
  assert.equal((await stripe.products.list()).data.length, 1);
});
