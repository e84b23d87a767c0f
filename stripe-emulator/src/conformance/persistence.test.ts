import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { createEmulator } from '../index.ts';
import { startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'stripe-emulator-persist-'));
}

test('with a data dir, objects, time, idempotency records and pending deliveries survive a restart', async () => {
  const dataDir = tempDir();
  let receiverUp = false;
  const receiver = await startWebhookReceiver(() => (receiverUp ? 200 : 500));
  try {
    const options = { dataDir, webhookRetryDelaysMs: [300] };
    const first = await startEmulator(options);
    let customer: Stripe.Customer;
    let secret: string;
    let offsetNow: number;
    try {
      secret = (await first.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] }))
        .secret!;
      await first.control('/_emulator/advance', { seconds: 86_400 });
      customer = await first.stripe.customers.create(
        { email: 'kept@example.com', metadata: { account_id: 'acct_kept' } },
        { idempotencyKey: 'persist-create' },
      );
      await receiver.waitFor((d) => d.length >= 1);
      assert.equal(first.emu.webhooks.pendingCount(), 1, 'the failed delivery waits for its retry');
      offsetNow = first.emu.now();
    } finally {
      await first.close();
    }
    assert.ok(readdirSync(dataDir).includes('stripe-emulator.json'));

    receiverUp = true;
    const second = await startEmulator(options);
    try {
      const kept = (await second.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
      assert.deepEqual(kept, customer);
      assert.ok(Math.abs(second.emu.now() - offsetNow) <= 2, 'the advanced time is kept');

      const replay = await second.stripe.customers.create(
        { email: 'kept@example.com', metadata: { account_id: 'acct_kept' } },
        { idempotencyKey: 'persist-create' },
      );
      assert.equal(replay.id, customer.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
      assert.equal((await second.stripe.customers.list()).data.length, 1);

      // The pending delivery goes out after the restart, signed with the endpoint's saved secret.
      await receiver.waitFor((d) => d.some((x) => x.attempt >= 2), 3000);
      await second.emu.webhooks.drained();
      const redelivered = receiver.deliveries.at(-1)!;
      const event = second.stripe.webhooks.constructEvent(redelivered.body, redelivered.signature, secret);
      assert.equal(event.type, 'customer.created');
      assert.equal(event.id, receiver.deliveries[0]!.event.id);
      assert.equal((await second.stripe.events.retrieve(event.id)).pending_webhooks, 0);
    } finally {
      await second.close();
    }
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a delivery in flight when the emulator closes is sent again after the restart', async () => {
  const dataDir = tempDir();
  let hang = true;
  const receiver = await startWebhookReceiver(() => (hang ? 'hang' : 200));
  try {
    const options = { dataDir, webhookTimeoutMs: 5000 };
    const first = await startEmulator(options);
    try {
      await first.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
      await first.stripe.customers.create({ email: 'inflight@example.com' });
      await receiver.waitFor((d) => d.length >= 1);
    } finally {
      const closing = Date.now();
      await first.close();
      assert.ok(Date.now() - closing < 1000, 'close aborts the hanging request instead of waiting for it');
    }
    hang = false;
    const second = await startEmulator(options);
    try {
      await receiver.waitFor((d) => d.length >= 2, 3000);
      await second.emu.webhooks.drained();
      assert.equal(receiver.deliveries[1]!.event.id, receiver.deliveries[0]!.event.id);
    } finally {
      await second.close();
    }
  } finally {
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('reset is saved too: a restart after a reset starts empty', async () => {
  const dataDir = tempDir();
  try {
    const first = await startEmulator({ dataDir });
    try {
      await first.stripe.customers.create({ email: 'reset@example.com' });
      await first.control('/_emulator/reset');
    } finally {
      await first.close();
    }
    const second = await startEmulator({ dataDir });
    try {
      assert.equal((await second.stripe.customers.list()).data.length, 0);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('without a data dir nothing is written to disk', async () => {
  const cwd = process.cwd();
  const dir = tempDir();
  process.chdir(dir);
  try {
    const run = await startEmulator();
    try {
      await run.stripe.customers.create({ email: 'memory@example.com' }, { idempotencyKey: 'memory-1' });
      await run.control('/_emulator/advance', { seconds: 60 });
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await run.close();
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt state file stops start-up with a message naming the file', () => {
  const dataDir = tempDir();
  try {
    writeFileSync(join(dataDir, 'stripe-emulator.json'), '{"version": 1, "collections": ');
    assert.throws(
      () => createEmulator({ dataDir }),
      (err: Error) => {
        assert.match(err.message, /stripe-emulator\.json/);
        assert.match(err.message, /saved state/);
        return true;
      },
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
