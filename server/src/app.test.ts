import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startTestApp, TEST_API_KEY, TEST_ORIGIN, type TestApp } from './testing.ts';

describe('the app around every route', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ BILLING_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterEach(async () => {
    await t.audit();
    await t.close();
  });

  test('GET /api/billing/config needs no token and has the documented shape', async () => {
    const res = await t.call('GET', '/api/billing/config');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      currency: 'usd',
      topup: { min: '5.00', max: '1000.00', min_cents: 500, max_cents: 100_000 },
      plans: [
        {
          id: 'pro',
          name: 'Pro',
          amount: '20.00',
          amount_cents: 2000,
          interval: 'month',
          included_credit: '10.00',
          included_credit_cents: 1000,
        },
      ],
      publishable_key: 'pk_test_emulator',
      welcome_credit: '50.00',
      welcome_credit_cents: 5000,
      billing_enabled: true,
      // Emulator mode: the emulator's Stripe.js stand-in, for on-page Checkout.
      stripe_js_url: 'http://127.0.0.1:9/v3/stripe-stand-in.js',
    });
  });

  test('widget routes refuse missing, malformed, forged, expired and alg-none tokens with 401 JSON', async () => {
    const exp = Math.floor(t.clock.now().getTime() / 1000) + 60;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', exp })).toString('base64url')}.`;
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'unauthorized'],
      [{ authorization: 'Basic dTE6cHc=' }, 'unauthorized'],
      [{ authorization: 'Bearer' }, 'unauthorized'],
      [{ authorization: 'Bearer not-a-jwt' }, 'invalid_token'],
      [{ authorization: `Bearer ${t.token('u1').slice(0, -2)}xx` }, 'invalid_token'],
      [{ authorization: `Bearer ${t.token('u1', { exp: exp - 120 })}` }, 'token_expired'],
      [{ authorization: `Bearer ${none}` }, 'invalid_token'],
      [{ authorization: `Bearer ${TEST_API_KEY}` }, 'invalid_token'],
    ];
    for (const path of ['/api/billing/credits', '/api/billing/summary', '/api/billing/transactions']) {
      for (const [headers, code] of cases) {
        const res = await t.call('GET', path, { headers });
        assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.equal(res.body.error.code, code, `${path} ${JSON.stringify(headers)}`);
        assert.equal(typeof res.body.error.message, 'string');
      }
    }
    for (const path of ['/api/billing/has-payment-method', '/api/billing/create-checkout-session']) {
      const res = await t.call('POST', path, { body: { amount: 10 } });
      assert.equal(res.status, 401, path);
    }
    assert.equal(
      await t.snapshot(),
      'accounts=0 ledger_entries=0 billing_sessions=0 subscription_access=0 subscriptions=0 webhook_events=0',
    );
  });

  test('a wrong-audience token is refused when an audience is configured', async () => {
    const strict = await startTestApp({ BILLING_JWT_AUDIENCE: 'billing' });
    try {
      const wrong = await strict.call('GET', '/api/billing/credits', {
        token: strict.token('u1', { aud: 'other' }),
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.code, 'invalid_token');
      const right = await strict.call('GET', '/api/billing/credits', {
        token: strict.token('u1', { aud: 'billing' }),
      });
      assert.equal(right.status, 200);
    } finally {
      await strict.close();
    }
  });

  test('unknown paths answer 404 in the error envelope', async () => {
    const res = await t.call('GET', '/api/billing/nope');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.equal((await t.call('DELETE', '/healthz')).status, 404);
  });

  test('malformed JSON, non-object bodies and oversized bodies: clear errors, nothing stored', async () => {
    const before = await t.snapshot();
    const usage = (raw: string) => t.call('POST', '/api/billing/usage', { apiKey: true, raw });
    const malformed = await usage('{"account_id": "a", "amount": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'invalid_json');
    for (const raw of ['[1,2]', '"text"', '42', 'null']) {
      const res = await usage(raw);
      assert.equal(res.status, 400, raw);
      assert.equal(res.body.error.code, 'invalid_body', raw);
    }
    const huge = JSON.stringify({
      account_id: 'a',
      amount: 1,
      idempotency_key: 'k',
      description: 'x'.repeat(40_000),
    });
    const tooBig = await usage(huge);
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.error.code, 'body_too_large');
    const checkout = await t.call('POST', '/api/billing/create-checkout-session', {
      token: t.token('u1'),
      raw: JSON.stringify({ amount: 10, pad: 'x'.repeat(40_000) }),
    });
    assert.equal(checkout.status, 413);
    assert.equal(await t.snapshot(), before);
  });

  test('CORS: allowed origins get the headers, others do not; preflight answers 204', async () => {
    const allowed = await t.call('GET', '/api/billing/config', { headers: { origin: TEST_ORIGIN } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), TEST_ORIGIN);
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const foreign = await t.call('GET', '/api/billing/config', {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);

    const preflight = await t.call('OPTIONS', '/api/billing/create-checkout-session', {
      headers: {
        origin: TEST_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), TEST_ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const foreignPreflight = await t.call('OPTIONS', '/api/billing/credits', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(foreignPreflight.headers.get('access-control-allow-origin'), null);
  });

  test('mutations are rate limited per account with 429 and Retry-After; other accounts are unaffected', async () => {
    const token = t.token('busy');
    for (let i = 0; i < 3; i++) {
      assert.equal((await t.call('POST', '/api/billing/has-payment-method', { token })).status, 200);
    }
    const limited = await t.call('POST', '/api/billing/has-payment-method', { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(
      (await t.call('POST', '/api/billing/has-payment-method', { token: t.token('calm') })).status,
      200,
    );
    // Reads are not limited.
    assert.equal((await t.call('GET', '/api/billing/credits', { token })).status, 200);
    // The budget refills with time.
    t.clock.advance(60);
    assert.equal((await t.call('POST', '/api/billing/has-payment-method', { token })).status, 200);
  });

  test("every answer carries a request id of the server's own; a client's id is never taken as is", async () => {
    const fresh = await t.call('GET', '/healthz');
    assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const kept = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    assert.match(kept.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(kept.headers.get('x-request-id'), fresh.headers.get('x-request-id'));
    const unsafe = `{"level":"error"} ${'x'.repeat(80)}`;
    const replaced = await t.call('GET', '/healthz', { headers: { 'x-request-id': unsafe } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const failed = await t.call('GET', '/api/billing/credits');
    assert.ok(failed.headers.get('x-request-id'));
  });

  test('request logs are structured and never contain tokens, keys, bodies or query strings', async () => {
    const token = t.token('logged');
    await t.call('GET', '/api/billing/credits', { token, headers: { 'x-request-id': 'req-log-1' } });
    await t.call('POST', '/api/billing/grants', {
      apiKey: true,
      body: {
        account_id: 'logged',
        amount: 5,
        idempotency_key: 'secret-idem-key',
        description: '4242424242424242',
      },
    });
    await t.call('GET', `/api/billing/transactions?cursor=${token}`, { token });
    assert.ok(t.logLines.length >= 3);
    const first = JSON.parse(t.logLines[0]!);
    assert.equal(first.msg, 'request');
    assert.match(first.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(first.client_request_id, 'req-log-1');
    assert.equal(first.method, 'GET');
    assert.equal(first.path, '/api/billing/credits');
    assert.equal(first.status, 200);
    assert.equal(first.account_id, 'user:logged');
    assert.equal(typeof first.duration_ms, 'number');
    const all = t.logLines.join('\n');
    for (const secret of [token, TEST_API_KEY, 'secret-idem-key', '4242424242424242', t.config.jwtSecret]) {
      assert.ok(!all.includes(secret), `log lines must not contain ${secret.slice(0, 12)}…`);
    }
  });
});

describe('health', () => {
  test('GET /healthz and GET /readyz; readyz is 503 once the store is gone', async () => {
    const t = await startTestApp();
    assert.deepEqual((await t.call('GET', '/healthz')).body, { status: 'ok' });
    assert.deepEqual((await t.call('GET', '/readyz')).body, { status: 'ready' });
    await t.store.close();
    const down = await t.call('GET', '/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.error.code, 'store_unavailable');
    assert.equal((await t.call('GET', '/healthz')).status, 200);
    await t.close();
  });
});

describe('BILLING_ENABLED=false', () => {
  test('mutations answer 403 billing_disabled, /credits is null, has-payment-method false, nothing stored', async () => {
    const t = await startTestApp({ BILLING_ENABLED: 'false' });
    try {
      const token = t.token('u1');
      const before = await t.snapshot();
      for (const path of [
        '/api/billing/create-checkout-session',
        '/api/billing/create-customer-setup-session',
        '/api/billing/subscription-checkout-session',
        '/api/billing/cancel-subscription',
        '/api/billing/resume-subscription',
        '/api/billing/portal-session',
      ]) {
        const res = await t.call('POST', path, { token, body: { amount: 10 } });
        assert.equal(res.status, 403, path);
        assert.equal(res.body.error.code, 'billing_disabled', path);
      }
      for (const path of ['/api/billing/usage', '/api/billing/grants']) {
        const res = await t.call('POST', path, {
          apiKey: true,
          body: { account_id: 'u1', amount: 1, idempotency_key: `k-${path}` },
        });
        assert.equal(res.status, 403, path);
      }
      assert.deepEqual((await t.call('GET', '/api/billing/credits', { token })).body, { credits: null });
      assert.equal((await t.call('POST', '/api/billing/has-payment-method', { token })).body, false);
      const summary = await t.call('GET', '/api/billing/summary', { token });
      assert.equal(summary.body.billing_enabled, false);
      assert.equal(summary.body.credits, null);
      assert.equal((await t.call('GET', '/api/billing/config')).body.billing_enabled, false);
      assert.equal(await t.snapshot(), before);
    } finally {
      await t.close();
    }
  });
});
