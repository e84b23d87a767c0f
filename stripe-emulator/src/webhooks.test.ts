import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { startEmulator } from './testing.ts';
import { startWebhookReceiver } from './testing-webhooks.ts';

test('events are signed so that stripe.webhooks.constructEvent verifies them', async () => {
  const receiver = await startWebhookReceiver();
  const run = await startEmulator();
  try {
    const endpoint = await run.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    assert.match(endpoint.secret!, /^whsec_/);
    const customer = await run.stripe.customers.create({ email: 'hook@example.com' });
    await receiver.waitFor((r) => r.length >= 1);
    const [delivery] = receiver.deliveries;
    const event = run.stripe.webhooks.constructEvent(delivery!.body, delivery!.signature, endpoint.secret!);
    assert.equal(event.type, 'customer.created');
    assert.equal((event.data.object as Stripe.Customer).id, customer.id);
    assert.equal(event.api_version, '2026-10-28.endive');
    assert.throws(
      () => run.stripe.webhooks.constructEvent(`${delivery!.body} `, delivery!.signature, endpoint.secret!),
      (err: unknown) => err instanceof Stripe.errors.StripeSignatureVerificationError,
    );
    const listed = await run.stripe.events.list({ type: 'customer.created' });
    assert.equal(listed.data[0]!.id, event.id);
    assert.equal((await run.stripe.events.retrieve(event.id)).type, 'customer.created');
  } finally {
    await run.close();
    await receiver.close();
  }
});

test('a non-2xx answer is retried with backoff until it succeeds', async () => {
  const receiver = await startWebhookReceiver((_event, attempt) => (attempt < 3 ? 500 : 200));
  const run = await startEmulator();
  try {
    await run.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
    await run.stripe.customers.create({ email: 'retry@example.com' });
    await receiver.waitFor((r) => r.length >= 3);
    await run.emu.webhooks.drained();
    assert.equal(receiver.deliveries.length, 3);
    assert.equal(new Set(receiver.deliveries.map((r) => r.event.id)).size, 1);
  } finally {
    await run.close();
    await receiver.close();
  }
});
