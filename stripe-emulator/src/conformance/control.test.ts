import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { API_VERSION } from '../index.ts';
import { type RunningEmulator, startEmulator } from '../testing.ts';
import { startWebhookReceiver } from '../testing-webhooks.ts';

/** The emulator's faults when none is set. */
const NO_FAULTS = { failNext: 0, latencyMs: 0, duplicateRate: 0, shuffle: false, dropWebhooks: false };

async function withEmulator(
  body: (run: RunningEmulator) => Promise<void>,
  options: Parameters<typeof startEmulator>[0] = {},
) {
  const run = await startEmulator(options);
  try {
    await body(run);
  } finally {
    await run.close();
  }
}

/** POSTs raw text to a control endpoint, for bodies that are not JSON. */
async function postRaw(url: string, text: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { type: string; message: string; param?: string } },
  };
}

test('fail_next makes the next N API calls answer 500 api_error, which the SDK throws as StripeAPIError', async () => {
  await withEmulator(async ({ stripe, control }) => {
    const set = await control('/_emulator/faults', { fail_next: 2 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, {
      fail_next: 2,
      latency_ms: 0,
      duplicate_rate: 0,
      shuffle: false,
      drop_webhooks: false,
    });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(stripe.customers.create({ email: `fail${i}@example.com` }), (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeAPIError, `got ${String(err)}`);
        assert.equal(err.statusCode, 500);
        assert.equal(err.rawType, 'api_error');
        return true;
      });
    }
    await stripe.customers.create({ email: 'ok@example.com' });
    const list = await stripe.customers.list();
    assert.deepEqual(
      list.data.map((c) => c.email),
      ['ok@example.com'],
      'a failed call creates nothing',
    );
  });
});

test('an SDK with retries rides over a 500 with the same idempotency key and creates one object', async () => {
  await withEmulator(async ({ url, control, stripe }) => {
    const { port } = new URL(url);
    const retrying = new Stripe('sk_test_retry', {
      apiVersion: API_VERSION as Stripe.LatestApiVersion,
      host: '127.0.0.1',
      port: Number(port),
      protocol: 'http',
      maxNetworkRetries: 1,
      telemetry: false,
    });
    await control('/_emulator/faults', { fail_next: 1 });
    const customer = await retrying.customers.create({ email: 'retried@example.com' });
    assert.match(customer.id, /^cus_/);
    assert.equal((await stripe.customers.list()).data.length, 1);
  });
});

test('latency_ms slows every API call and {} clears every fault', async () => {
  await withEmulator(async ({ stripe, control, emu }) => {
    await control('/_emulator/faults', {
      latency_ms: 1200,
      duplicate_rate: 0.5,
      shuffle: true,
      drop_webhooks: true,
      fail_next: 0,
    });
    let started = Date.now();
    await stripe.customers.list();
    assert.ok(Date.now() - started >= 1190, `took ${Date.now() - started} ms`);

    const cleared = await control('/_emulator/faults', {});
    assert.deepEqual(cleared.body, {
      fail_next: 0,
      latency_ms: 0,
      duplicate_rate: 0,
      shuffle: false,
      drop_webhooks: false,
    });
    assert.deepEqual(emu.faults, NO_FAULTS);
    started = Date.now();
    await stripe.customers.list();
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });
});

test('bad fault settings answer 400 in Stripe’s envelope and leave the faults as they were', async () => {
  await withEmulator(async ({ url, control, emu }) => {
    await control('/_emulator/faults', { latency_ms: 5 });
    const cases: Array<[string, string | undefined]> = [
      ['{not json', undefined],
      ['[1,2]', undefined],
      ['"text"', undefined],
      ['{"fail_next": "two"}', 'fail_next'],
      ['{"fail_next": -1}', 'fail_next'],
      ['{"latency_ms": 1e9}', 'latency_ms'],
      ['{"duplicate_rate": 1.5}', 'duplicate_rate'],
      ['{"shuffle": "yes"}', 'shuffle'],
      ['{"latency_ms": 0, "shuffle": 1}', 'shuffle'],
    ];
    for (const [text, param] of cases) {
      const res = await postRaw(`${url}/_emulator/faults`, text);
      assert.equal(res.status, 400, text);
      assert.equal(res.body.error?.type, 'invalid_request_error', text);
      assert.ok(res.body.error?.message, text);
      if (param) assert.equal(res.body.error?.param, param, text);
    }
    assert.equal(emu.faults.latencyMs, 5, 'a rejected request changed nothing');
  });
});

test('advance moves the emulator’s own time for new objects and events; bad input is a 400', async () => {
  await withEmulator(async ({ stripe, control, url, emu }) => {
    const before = await stripe.customers.create({ email: 'before@example.com' });
    const moved = await control('/_emulator/advance', { seconds: 30 * 86_400 });
    assert.equal(moved.status, 200);
    assert.ok(Math.abs(moved.body.now - (Math.floor(Date.now() / 1000) + 30 * 86_400)) <= 2);
    const after = await stripe.customers.create({ email: 'after@example.com' });
    assert.ok(after.created - before.created >= 30 * 86_400 - 2);
    const [latestEvent] = (await stripe.events.list({ limit: 1 })).data;
    assert.ok(latestEvent!.created >= after.created);

    for (const text of ['{}', '{"seconds": -5}', '{"seconds": "ten"}', 'nope']) {
      const res = await postRaw(`${url}/_emulator/advance`, text);
      assert.equal(res.status, 400, text);
      assert.equal(res.body.error?.type, 'invalid_request_error', text);
    }
    assert.ok(Math.abs(emu.now() - moved.body.now) <= 2, 'a rejected advance did not move time');
  });
});

test('reset forgets every object, event, pending delivery, fault and time offset, keeping configured endpoints', async () => {
  const receiver = await startWebhookReceiver((_e, attempt) => (attempt === 1 ? 500 : 200));
  try {
    await withEmulator(
      async ({ stripe, control, emu }) => {
        const customer = await stripe.customers.create({ email: 'gone@example.com' });
        await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
        await control('/_emulator/advance', { seconds: 3600 });
        await control('/_emulator/faults', { latency_ms: 1, duplicate_rate: 0.1 });
        await receiver.waitFor((d) => d.length >= 1);
        assert.ok(emu.webhooks.pendingCount() > 0, 'a delivery waits for its retry');

        const reset = await control('/_emulator/reset');
        assert.equal(reset.status, 200);
        assert.equal(emu.webhooks.pendingCount(), 0);
        assert.deepEqual(emu.faults, NO_FAULTS);
        assert.ok(Math.abs(emu.now() - Math.floor(Date.now() / 1000)) <= 1);
        await assert.rejects(stripe.customers.retrieve(customer.id), (err: Stripe.errors.StripeError) => {
          assert.equal(err.code, 'resource_missing');
          return true;
        });
        assert.equal((await stripe.customers.list()).data.length, 0);
        assert.equal((await stripe.events.list()).data.length, 0);
        const endpoints = await stripe.webhookEndpoints.list();
        assert.deepEqual(
          endpoints.data.map((e) => e.id),
          ['we_configured_0'],
        );

        // The configured endpoint still receives events after the reset.
        const fresh = await stripe.customers.create({ email: 'fresh@example.com' });
        await receiver.waitFor((d) =>
          d.some((x) => (x.event.data.object as { id?: string }).id === fresh.id && x.attempt >= 1),
        );
      },
      { webhooks: [{ url: receiver.url, secret: 'whsec_configured' }], webhookRetryDelaysMs: [60_000] },
    );
  } finally {
    await receiver.close();
  }
});

test('unknown control routes and unknown API routes answer 404 with an error body', async () => {
  await withEmulator(async ({ url, stripe }) => {
    const control = await postRaw(`${url}/_emulator/nothing`, '{}');
    assert.equal(control.status, 404);
    assert.equal(control.body.error?.type, 'invalid_request_error');
    await assert.rejects(stripe.rawRequest('GET', '/v1/not_a_resource'), (err: Stripe.errors.StripeError) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /Unrecognized request URL/);
      return true;
    });
  });
});
