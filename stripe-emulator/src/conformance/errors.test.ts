import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type RunningEmulator, sdkFor, startEmulator } from '../testing.ts';

interface ErrorBody {
  error: { type: string; message: string; code?: string; param?: string };
}

/** The API routes with path parameters that the emulator has right now (E1/E2 resources included as they land). */
function routesWithIds(run: RunningEmulator): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  return run.emu.app.routes
    .filter((r) => ['GET', 'POST', 'DELETE'].includes(r.method))
    .filter((r) => (r.path.startsWith('/v1/') || r.path.startsWith('/_emulator/')) && r.path.includes('/:'))
    .filter((r) => {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => ({ method: r.method, path: r.path }));
}

describe('errors as Stripe sends them, through the official SDK', () => {
  let run: RunningEmulator;
  before(async () => {
    run = await startEmulator();
  });
  after(() => run.close());

  test('every route with an id answers an unknown id with 404 resource_missing (StripeInvalidRequestError)', async () => {
    const routes = routesWithIds(run);
    assert.ok(routes.some((r) => r.method === 'GET' && r.path === '/v1/customers/:id'));
    const report: string[] = [];
    for (const { method, path } of routes) {
      const concrete = path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => `${name}_missing0000000000000`);
      if (path.startsWith('/_emulator/')) {
        // Control routes speak JSON, outside the SDK, but use the same envelope.
        const res = await fetch(`${run.url}${concrete}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : JSON.stringify({ card: '4242424242424242' }),
        });
        const body = (await res.json()) as ErrorBody;
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(body.error.code, 'resource_missing', `${method} ${path}`);
        report.push(`${method} ${path}: 404 resource_missing`);
        continue;
      }
      const err = await run.stripe.rawRequest(method as 'GET', concrete, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof Stripe.errors.StripeError, `${method} ${path} answered without an error`);
      // A POST may first refuse a missing required param, as Stripe validates before it looks up.
      if (method === 'POST' && err.statusCode === 400 && err.code === 'parameter_missing') {
        report.push(`${method} ${path}: 400 parameter_missing (${err.param})`);
        continue;
      }
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError, `${method} ${path}: ${err.type}`);
      assert.equal(err.statusCode, 404, `${method} ${path}`);
      assert.equal(err.code, 'resource_missing', `${method} ${path}`);
      assert.equal(err.rawType, 'invalid_request_error', `${method} ${path}`);
      assert.match(err.message, /No such /, `${method} ${path}`);
      assert.ok(err.param, `${method} ${path} names the param`);
      report.push(`${method} ${path}: 404 resource_missing (${err.param})`);
    }
    console.log(`resource_missing checked on ${routes.length} routes:\n  ${report.join('\n  ')}`);
  });

  test('a missing, malformed, live or publishable key is a StripeAuthenticationError', async () => {
    for (const key of ['sk_live_abcdef123456', 'pk_test_abcdef123456', 'not-a-key']) {
      await assert.rejects(sdkFor(run.url, key).customers.list(), (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, `${key}: ${String(err)}`);
        assert.equal(err.statusCode, 401);
        assert.doesNotMatch(err.message, new RegExp(key), 'the key is masked in the message');
        return true;
      });
    }
    const missing = await fetch(`${run.url}/v1/customers`);
    assert.equal(missing.status, 401);
    assert.match(((await missing.json()) as ErrorBody).error.message, /did not provide an API key/);
    const basic = await fetch(`${run.url}/v1/customers`, {
      headers: { authorization: `Basic ${Buffer.from('sk_test_basic:').toString('base64')}` },
    });
    assert.equal(basic.status, 200, 'Basic auth with the key as user name works, as with curl -u');
  });

  test('reusing an idempotency key with other parameters is a StripeIdempotencyError', async () => {
    const first = await run.stripe.customers.create(
      { email: 'same@example.com' },
      { idempotencyKey: 'idem-mismatch' },
    );
    await assert.rejects(
      run.stripe.customers.create({ email: 'different@example.com' }, { idempotencyKey: 'idem-mismatch' }),
      (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeIdempotencyError, String(err));
        assert.equal(err.statusCode, 400);
        assert.equal(err.rawType, 'idempotency_error');
        return true;
      },
    );
    await assert.rejects(
      run.stripe.customers.update(first.id, { name: 'x' }, { idempotencyKey: 'idem-mismatch' }),
      (err: unknown) => err instanceof Stripe.errors.StripeIdempotencyError,
      'the same key on another path is refused too',
    );
    await assert.rejects(
      run.stripe.customers.create({ email: 'long@example.com' }, { idempotencyKey: 'k'.repeat(256) }),
      (err: unknown) =>
        err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'idempotency_key',
    );
  });

  test('a replay answers the saved response with Idempotent-Replayed: true; the first answer does not', async () => {
    const first = await run.stripe.customers.create(
      { email: 'replay@example.com' },
      { idempotencyKey: 'idem-replay' },
    );
    assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
    const again = await run.stripe.customers.create(
      { email: 'replay@example.com' },
      { idempotencyKey: 'idem-replay' },
    );
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again, first);
    assert.match(again.lastResponse.requestId, /^req_/);
    const listed = await run.stripe.customers.list({ email: 'replay@example.com' });
    assert.equal(listed.data.length, 1, 'the replay created nothing');

    // An error answered after execution began is saved and replayed as well.
    const missingUpdate = () =>
      run.stripe.customers.update('cus_missing_replay', { name: 'x' }, { idempotencyKey: 'idem-404' });
    await assert.rejects(missingUpdate(), (err: Stripe.errors.StripeError) => err.statusCode === 404);
    await assert.rejects(missingUpdate(), (err: Stripe.errors.StripeError) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.headers?.['idempotent-replayed'], 'true');
      return true;
    });
  });

  test('a request refused by validation is not saved, so the key can be used again', async () => {
    const bad = () => run.stripe.customers.create({ email: 'not an email' }, { idempotencyKey: 'idem-400' });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(bad(), (err: Stripe.errors.StripeError) => {
        assert.equal(err.statusCode, 400);
        assert.equal(err.headers?.['idempotent-replayed'], undefined);
        return true;
      });
    }
    const good = await run.stripe.customers.create(
      { email: 'fixed@example.com' },
      { idempotencyKey: 'idem-400' },
    );
    assert.equal(good.email, 'fixed@example.com');
  });

  test('a concurrent duplicate of an in-flight request is a 409, then the key replays the first answer', async () => {
    await run.control('/_emulator/faults', { latency_ms: 1500 });
    try {
      const create = () =>
        run.stripe.customers.create({ email: 'concurrent@example.com' }, { idempotencyKey: 'idem-409' });
      const first = create();
      // Sent well after the first is in flight and well before its 1.5 s of latency end.
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(create(), (err: unknown) => {
        assert.ok(err instanceof Stripe.errors.StripeAPIError, String(err));
        assert.equal(err.statusCode, 409);
        assert.equal(err.rawType, 'idempotency_error');
        return true;
      });
      const created = await first;
      const replay = await create();
      assert.equal(replay.id, created.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
    } finally {
      await run.control('/_emulator/faults', {});
    }
    const listed = await run.stripe.customers.list({ email: 'concurrent@example.com' });
    assert.equal(listed.data.length, 1);
  });

  test('declining test cards are a StripeCardError with decline_code; the failed payment is kept', async () => {
    const customer = await run.stripe.customers.create({ email: 'declines@example.com' });
    const cases = [
      ['pm_card_visa_chargeDeclined', 'generic_decline'],
      ['pm_card_visa_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
      ['pm_card_chargeCustomerFail', 'generic_decline'],
      ['pm_card_authenticationRequired', 'authentication_required'],
    ] as const;
    for (const [card, declineCode] of cases) {
      const err = await run.stripe.paymentIntents
        .create({
          amount: 1200,
          currency: 'usd',
          customer: customer.id,
          payment_method: card,
          confirm: true,
          off_session: true,
        })
        .then(
          () => assert.fail(`${card} was charged`),
          (e: unknown) => e,
        );
      assert.ok(err instanceof Stripe.errors.StripeCardError, `${card}: ${String(err)}`);
      assert.equal(err.statusCode, 402, card);
      assert.equal(err.rawType, 'card_error', card);
      assert.equal(err.decline_code, declineCode, card);
      assert.ok(['card_declined', 'authentication_required'].includes(err.code!), `${card}: ${err.code}`);
      // As at Stripe, the declined PaymentIntent exists afterwards, waiting for another payment method.
      const failed = err.payment_intent as Stripe.PaymentIntent;
      assert.match(failed.id, /^pi_/, card);
      const kept = await run.stripe.paymentIntents.retrieve(failed.id);
      assert.ok(
        ['requires_payment_method', 'requires_action'].includes(kept.status),
        `${card}: ${kept.status}`,
      );
    }
    const failures = await run.stripe.events.list({ type: 'payment_intent.payment_failed' });
    assert.equal(failures.data.length, cases.length);
  });

  test('completing a checkout session with a declining card answers 402 and leaves it open', async () => {
    const session = await run.stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'http://127.0.0.1:9/ok',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Credit' } }, quantity: 1 },
      ],
    });
    const declined = await run.control(`/_emulator/checkout/sessions/${session.id}/complete`, {
      card: '4000 0000 0000 0002',
    });
    assert.equal(declined.status, 402);
    assert.equal(declined.body.error.type, 'card_error');
    assert.equal(declined.body.error.decline_code, 'generic_decline');
    assert.equal((await run.stripe.checkout.sessions.retrieve(session.id)).status, 'open');
    const unknownCard = await run.control(`/_emulator/checkout/sessions/${session.id}/complete`, {
      card: '1234567890123456',
    });
    assert.equal(unknownCard.status, 400, 'a number that is not a test card is refused, as test mode does');
    assert.equal(unknownCard.body.error.code, 'invalid_number');
    assert.ok(unknownCard.body.error.message);
    const paid = await run.control(`/_emulator/checkout/sessions/${session.id}/complete`, {
      card: '4242424242424242',
    });
    assert.equal(paid.status, 200);
    assert.equal(paid.body.payment_status, 'paid');
  });

  test('unknown routes and methods answer 404 with an error body; every answer carries Request-Id', async () => {
    await assert.rejects(run.stripe.rawRequest('POST', '/v1/unicorns', { a: 'b' }), (err: unknown) => {
      assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /Unrecognized request URL \(POST: \/v1\/unicorns\)/);
      assert.match(err.requestId!, /^req_/);
      return true;
    });
    const put = await fetch(`${run.url}/v1/customers`, {
      method: 'PUT',
      headers: { authorization: 'Bearer sk_test_x' },
    });
    assert.equal(put.status, 404);
    assert.equal(put.headers.get('content-type')?.startsWith('application/json'), true);
    assert.equal(((await put.json()) as ErrorBody).error.type, 'invalid_request_error');
    const ok = await run.stripe.customers.list();
    assert.match(ok.lastResponse.requestId, /^req_/);
    assert.equal(ok.lastResponse.apiVersion, '2026-10-28.endive');
  });
});

test('an idempotency key is forgotten after 24 hours, as Stripe may prune it', async () => {
  const run = await startEmulator();
  try {
    const first = await run.stripe.customers.create(
      { email: 'day1@example.com' },
      { idempotencyKey: 'idem-ttl' },
    );
    await run.control('/_emulator/advance', { seconds: 23 * 3600 });
    const replay = await run.stripe.customers.create(
      { email: 'day1@example.com' },
      { idempotencyKey: 'idem-ttl' },
    );
    assert.equal(replay.id, first.id, 'still replayed within the day');
    await run.control('/_emulator/advance', { seconds: 2 * 3600 });
    const reused = await run.stripe.customers.create(
      { email: 'day2@example.com' },
      { idempotencyKey: 'idem-ttl' },
    );
    assert.notEqual(reused.id, first.id);
    assert.equal(reused.lastResponse.headers['idempotent-replayed'], undefined);
    assert.equal(run.emu.store.collection('_idempotency').size, 1, 'the old record was pruned');
  } finally {
    await run.close();
  }
});
