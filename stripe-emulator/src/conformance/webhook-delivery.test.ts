import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { startWebhookReceiver, type WebhookAnswer, type WebhookReceiver } from '../testing-webhooks.ts';

/** An emulator plus receivers, each test its own; closes everything even when the test fails. */
async function withSetup(
  options: Parameters<typeof startEmulator>[0],
  answers: Array<(event: Stripe.Event, attempt: number) => WebhookAnswer>,
  body: (run: RunningEmulator, receivers: WebhookReceiver[]) => Promise<void>,
): Promise<void> {
  const receivers = await Promise.all(answers.map((a) => startWebhookReceiver(a)));
  const run = await startEmulator(options);
  try {
    await body(run, receivers);
  } finally {
    await run.close();
    await Promise.all(receivers.map((r) => r.close()));
  }
}

/** Every event the emulator recorded, in the order it emitted them. */
async function emittedIds(stripe: Stripe, type?: string): Promise<string[]> {
  const all = await stripe.events
    .list({ limit: 100, ...(type ? { type } : {}) })
    .autoPagingToArray({ limit: 10_000 });
  return all.map((e) => e.id).reverse();
}

test('an event envelope has every field Stripe sends, is signed, and previous_attributes only on *.updated', async () => {
  await withSetup({}, [() => 200], async ({ stripe, emu }, [receiver]) => {
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['*'] });
    const customer = await stripe.customers.create(
      { email: 'env@example.com' },
      { idempotencyKey: 'env-create' },
    );
    await stripe.customers.update(customer.id, { name: 'Envelope' });
    await receiver!.waitFor((d) => d.length >= 2);
    await emu.webhooks.drained();

    const [created, updated] = receiver!.deliveries;
    for (const d of [created!, updated!]) {
      assert.equal(d.contentType, 'application/json; charset=utf-8');
      assert.equal(d.userAgent, 'Stripe/1.0 (+https://stripe.com/docs/webhooks)');
      const event = stripe.webhooks.constructEvent(d.body, d.signature, endpoint.secret!);
      assert.deepEqual(Object.keys(event).sort(), [
        'api_version',
        'created',
        'data',
        'id',
        'livemode',
        'object',
        'pending_webhooks',
        'request',
        'type',
      ]);
      assert.match(event.id, /^evt_/);
      assert.equal(event.object, 'event');
      assert.equal(event.api_version, '2026-10-28.endive');
      assert.equal(typeof event.created, 'number');
      assert.equal(event.livemode, false);
      assert.equal(event.pending_webhooks, 1);
      assert.match(event.request!.id!, /^req_/);
      assert.equal((event.data.object as Stripe.Customer).id, customer.id);
    }
    assert.equal(created!.event.type, 'customer.created');
    assert.equal(created!.event.request!.idempotency_key, 'env-create');
    assert.equal('previous_attributes' in created!.event.data, false);
    assert.equal(updated!.event.type, 'customer.updated');
    assert.deepEqual(updated!.event.data.previous_attributes, { name: null });
    assert.equal((updated!.event.data.object as Stripe.Customer).name, 'Envelope');

    // Once delivered, the stored event no longer waits on any endpoint.
    assert.equal((await stripe.events.retrieve(created!.event.id)).pending_webhooks, 0);
  });
});

test('a burst of events arrives in the order it was emitted', async () => {
  await withSetup({}, [() => 200], async ({ stripe, emu }, [receiver]) => {
    await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['customer.created'] });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => stripe.customers.create({ email: `burst${i}@example.com` })),
    );
    await receiver!.waitFor((d) => d.length >= 40);
    await emu.webhooks.drained();
    assert.equal(receiver!.deliveries.length, 40);
    assert.deepEqual(receiver!.ids(), await emittedIds(stripe, 'customer.created'));
  });
});

test('a 500 is retried with growing backoff until it succeeds, then pending_webhooks drops to 0', async () => {
  const retryDelays = [60, 150];
  await withSetup(
    { webhookRetryDelaysMs: retryDelays },
    [(_e, attempt) => (attempt < 3 ? 500 : 200)],
    async ({ stripe, emu }, [receiver]) => {
      await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['customer.created'] });
      await stripe.customers.create({ email: 'retry@example.com' });
      await receiver!.waitFor((d) => d.length >= 3, 3000);
      await emu.webhooks.drained();
      const ids = receiver!.ids();
      assert.equal(ids.length, 3);
      assert.equal(new Set(ids).size, 1, 'the retries resend the same event');
      // Arrival times are taken by the receiver before it answers and the emulator waits the backoff after
      // the answer, so each gap is at least that attempt's delay however loaded the machine is.
      const [a, b, c] = receiver!.deliveries.map((d) => d.receivedAt) as [number, number, number];
      assert.ok(b - a >= retryDelays[0]! - 2, `first retry after ${b - a} ms`);
      assert.ok(c - b >= retryDelays[1]! - 2, `second retry after ${c - b} ms`);
      assert.equal((await stripe.events.retrieve(ids[0]!)).pending_webhooks, 0);
    },
  );
});

test('a receiver that never answers times out and the delivery is retried; the API call does not wait for it', async () => {
  await withSetup(
    { webhookTimeoutMs: 1000, webhookRetryDelaysMs: [20] },
    [(_e, attempt) => (attempt === 1 ? 'hang' : 200)],
    async ({ stripe, emu }, [receiver]) => {
      await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['customer.created'] });
      const started = Date.now();
      await stripe.customers.create({ email: 'slow@example.com' });
      assert.ok(Date.now() - started < 800, 'the API answers without waiting for the hanging delivery');
      await receiver!.waitFor((d) => d.length >= 2, 5000);
      // The time-out runs from before the first request arrived; allow for a slow connection on a busy machine.
      const [a, b] = receiver!.deliveries.map((d) => d.receivedAt) as [number, number];
      assert.ok(b - a >= 800, `the retry came ${b - a} ms later, before the time-out`);
      await emu.webhooks.drained();
      const [first, second] = receiver!.deliveries;
      assert.equal(first!.event.id, second!.event.id);
      assert.equal(second!.attempt, 2);
    },
  );
});

test('retries stop after webhookMaxAttempts and the event keeps pending_webhooks', async () => {
  await withSetup(
    { webhookMaxAttempts: 3, webhookRetryDelaysMs: [10] },
    [() => 503],
    async ({ stripe, emu }, [receiver]) => {
      await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['customer.created'] });
      await stripe.customers.create({ email: 'giveup@example.com' });
      await receiver!.waitFor((d) => d.length >= 3);
      await emu.webhooks.drained();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(receiver!.deliveries.length, 3);
      assert.equal((await stripe.events.retrieve(receiver!.ids()[0]!)).pending_webhooks, 1);
    },
  );
});

test('a dead receiver does not delay deliveries to another endpoint', async () => {
  await withSetup(
    { webhookTimeoutMs: 5000 },
    [() => 'hang', () => 200],
    async ({ stripe }, [dead, healthy]) => {
      await stripe.webhookEndpoints.create({ url: dead!.url, enabled_events: ['*'] });
      await stripe.webhookEndpoints.create({ url: healthy!.url, enabled_events: ['*'] });
      for (let i = 0; i < 3; i++) await stripe.customers.create({ email: `lane${i}@example.com` });
      await dead!.waitFor((d) => d.length >= 1);
      await healthy!.waitFor((d) => d.length >= 3, 3000);
    },
  );
});

test('the duplicate fault at rate 1.0 sends every event twice, each copy validly signed', async () => {
  await withSetup({}, [() => 200], async ({ stripe, emu, control }, [receiver]) => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver!.url,
      enabled_events: ['customer.created'],
    });
    assert.equal((await control('/_emulator/faults', { duplicate_rate: 1 })).status, 200);
    for (let i = 0; i < 5; i++) await stripe.customers.create({ email: `dup${i}@example.com` });
    await receiver!.waitFor((d) => d.length >= 10);
    await emu.webhooks.drained();
    assert.equal(receiver!.deliveries.length, 10);
    const counts = new Map<string, number>();
    for (const d of receiver!.deliveries) {
      stripe.webhooks.constructEvent(d.body, d.signature, endpoint.secret!);
      counts.set(d.event.id, (counts.get(d.event.id) ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()], [2, 2, 2, 2, 2]);
    assert.deepEqual([...counts.keys()].sort(), (await emittedIds(stripe, 'customer.created')).sort());
  });
});

test('the shuffle fault reorders a large burst and still delivers each event exactly once', async () => {
  await withSetup({}, [() => 200], async ({ stripe, emu, control }, [receiver]) => {
    await stripe.webhookEndpoints.create({ url: receiver!.url, enabled_events: ['customer.created'] });
    await control('/_emulator/faults', { shuffle: true });
    // 60 events spread at random over the shuffle window: the chance they keep their order is about 1/60!.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => stripe.customers.create({ email: `shuffle${i}@example.com` })),
    );
    await receiver!.waitFor((d) => d.length >= 60);
    await emu.webhooks.drained();
    const emitted = await emittedIds(stripe, 'customer.created');
    const received = receiver!.ids();
    assert.equal(received.length, 60);
    assert.deepEqual([...received].sort(), [...emitted].sort());
    assert.notDeepEqual(received, emitted);
  });
});

test('a disabled endpoint receives nothing and does not count in pending_webhooks', async () => {
  await withSetup({}, [() => 200, () => 200], async ({ stripe, emu }, [disabled, enabled]) => {
    const off = await stripe.webhookEndpoints.create({ url: disabled!.url, enabled_events: ['*'] });
    await stripe.webhookEndpoints.create({ url: enabled!.url, enabled_events: ['*'] });
    const updated = await stripe.webhookEndpoints.update(off.id, { disabled: true });
    assert.equal(updated.status, 'disabled');
    for (let i = 0; i < 3; i++) await stripe.customers.create({ email: `off${i}@example.com` });
    await enabled!.waitFor((d) => d.length >= 3);
    await emu.webhooks.drained();
    assert.equal(disabled!.deliveries.length, 0);
    assert.equal(enabled!.deliveries[0]!.event.pending_webhooks, 1);
  });
});

test('enabled_events filters what an endpoint receives', async () => {
  await withSetup({}, [() => 200, () => 200], async ({ stripe, emu }, [onlyUpdates, everything]) => {
    await stripe.webhookEndpoints.create({ url: onlyUpdates!.url, enabled_events: ['customer.updated'] });
    await stripe.webhookEndpoints.create({ url: everything!.url, enabled_events: ['*'] });
    const customer = await stripe.customers.create({ email: 'filter@example.com' });
    await stripe.customers.update(customer.id, { metadata: { plan: 'pro' } });
    await stripe.customers.del(customer.id);
    await everything!.waitFor((d) => d.length >= 3);
    await emu.webhooks.drained();
    assert.deepEqual(
      everything!.deliveries.map((d) => d.event.type),
      ['customer.created', 'customer.updated', 'customer.deleted'],
    );
    assert.deepEqual(
      onlyUpdates!.deliveries.map((d) => d.event.type),
      ['customer.updated'],
    );
    assert.equal(everything!.deliveries[0]!.event.pending_webhooks, 1);
  });
});
