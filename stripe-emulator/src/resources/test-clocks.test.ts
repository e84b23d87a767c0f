import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { createSubscriber } from '../testing-billing.ts';

const DAY = 86_400;

describe('test clocks through the official SDK', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('create, retrieve, list, and customers created on a clock take its time', async () => {
    const frozen = Date.parse('2025-06-15T00:00:00Z') / 1000;
    const clock = await run.stripe.testHelpers.testClocks.create({ frozen_time: frozen, name: 'June' });
    assert.match(clock.id, /^clock_/);
    assert.equal(clock.object, 'test_helpers.test_clock');
    assert.equal(clock.status, 'ready');
    assert.equal(clock.frozen_time, frozen);
    assert.equal(clock.name, 'June');
    assert.ok(clock.deletes_after > clock.created);
    assert.equal((await run.stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time, frozen);
    const listed = await run.stripe.testHelpers.testClocks.list();
    assert.ok(listed.data.some((c) => c.id === clock.id));
    const customer = await run.stripe.customers.create({ email: 'clock@example.com', test_clock: clock.id });
    assert.equal(customer.created, frozen);
    assert.equal(customer.test_clock, clock.id);
  });

  test('advance answers advancing, then the clock is ready at the new time; only forward', async () => {
    const frozen = Date.parse('2025-06-15T00:00:00Z') / 1000;
    const clock = await run.stripe.testHelpers.testClocks.create({ frozen_time: frozen });
    const advancing = await run.stripe.testHelpers.testClocks.advance(clock.id, {
      frozen_time: frozen + DAY,
    });
    assert.equal(advancing.status, 'advancing');
    assert.deepEqual(advancing.status_details, { advancing: { target_frozen_time: frozen + DAY } });
    const ready = await run.stripe.testHelpers.testClocks.retrieve(clock.id);
    assert.equal(ready.status, 'ready');
    assert.equal(ready.frozen_time, frozen + DAY);
    const types = (await run.stripe.events.list({ limit: 10 })).data
      .filter((e) => (e.data.object as { id: string }).id === clock.id)
      .map((e) => e.type)
      .reverse();
    assert.deepEqual(types, [
      'test_helpers.test_clock.created',
      'test_helpers.test_clock.advancing',
      'test_helpers.test_clock.ready',
    ]);

    for (const target of [frozen, frozen + DAY]) {
      await assert.rejects(
        run.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: target }),
        (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'frozen_time',
      );
    }
    assert.equal((await run.stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time, frozen + DAY);
  });

  test('a clock moves at most two intervals of its shortest subscription', async () => {
    const frozen = Date.parse('2025-06-15T00:00:00Z') / 1000;
    const clock = await run.stripe.testHelpers.testClocks.create({ frozen_time: frozen });
    await createSubscriber(run, { testClock: clock.id, interval: 'week' });
    await assert.rejects(
      run.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen + 15 * DAY }),
      (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'frozen_time',
    );
    const ok = await run.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen + 14 * DAY });
    assert.equal(ok.status, 'advancing');
  });

  test('deleting a clock deletes its customers and their subscriptions and invoices', async () => {
    const frozen = Date.parse('2025-06-15T00:00:00Z') / 1000;
    const clock = await run.stripe.testHelpers.testClocks.create({ frozen_time: frozen });
    const { customer, subscription } = await createSubscriber(run, { testClock: clock.id });
    const invoice = subscription.latest_invoice as string;
    const deleted = await run.stripe.testHelpers.testClocks.del(clock.id);
    assert.deepEqual({ id: deleted.id, deleted: deleted.deleted }, { id: clock.id, deleted: true });
    for (const lookup of [
      run.stripe.testHelpers.testClocks.retrieve(clock.id),
      run.stripe.customers.retrieve(customer.id),
      run.stripe.subscriptions.retrieve(subscription.id),
      run.stripe.invoices.retrieve(invoice),
    ]) {
      await assert.rejects(lookup, (err: Stripe.errors.StripeError) => err.code === 'resource_missing');
    }
  });

  test('bad input is a 400 naming the param', async () => {
    await assert.rejects(
      run.stripe.testHelpers.testClocks.create({} as Stripe.TestHelpers.TestClockCreateParams),
      (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'frozen_time',
    );
    await assert.rejects(
      run.stripe.testHelpers.testClocks.create({ frozen_time: 'soon' as unknown as number }),
      (err: Stripe.errors.StripeError) => err.statusCode === 400 && err.param === 'frozen_time',
    );
    await assert.rejects(
      run.stripe.testHelpers.testClocks.advance('clock_missing', { frozen_time: 1 }),
      (err: Stripe.errors.StripeError) => err.statusCode === 404 && err.param === 'id',
    );
  });
});
