import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/**
 * Bad input on the flow endpoints: each case answers a clear JSON error and leaves both the store
 * and Stripe exactly as they were.
 */
describe('flow endpoints refuse bad input and change nothing', () => {
  let h: BillingHarness;
  before(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    assert.deepEqual(await h.store.auditLedger(), []);
  });
  after(async () => {
    await h.close();
  });

  async function stripeCustomerCount(): Promise<number> {
    return (await h.stripe.customers.list({ limit: 100 })).data.length;
  }

  async function expectRefused(
    path: string,
    init: { body?: unknown; raw?: string; token?: string | null },
    status: number,
    code: string,
  ) {
    const beforeStore = await h.snapshot();
    const beforeCustomers = await stripeCustomerCount();
    const token = init.token === undefined ? h.tokenFor('alice') : init.token;
    const res = await h.api('POST', path, { ...init, token });
    assert.equal(
      res.status,
      status,
      `${path} ${JSON.stringify(init.body ?? init.raw)}: ${JSON.stringify(res.body)}`,
    );
    assert.equal(res.body.error.code, code, JSON.stringify(res.body));
    assert.equal(typeof res.body.error.message, 'string');
    assert.ok(res.body.error.message.length > 0);
    assert.deepEqual(await h.snapshot(), beforeStore);
    assert.equal(await stripeCustomerCount(), beforeCustomers);
    return res.body.error;
  }

  const badAmounts: Array<[unknown, string]> = [
    [-5, 'invalid_amount'],
    [0, 'invalid_amount'],
    ['0', 'invalid_amount'],
    ['ten', 'invalid_amount'],
    [true, 'invalid_amount'],
    [false, 'invalid_amount'],
    [[25], 'invalid_amount'],
    [{ value: 25 }, 'invalid_amount'],
    [null, 'invalid_amount'],
    ['NaN', 'invalid_amount'],
    ['Infinity', 'invalid_amount'],
    ['-Infinity', 'invalid_amount'],
    [25.001, 'invalid_amount'],
    ['25.001', 'invalid_amount'],
    ['1e3', 'invalid_amount'],
    [' 25', 'invalid_amount'],
    [4.99, 'amount_too_small'],
    [0.01, 'amount_too_small'],
    [1000.01, 'amount_too_large'],
    [5000, 'amount_too_large'],
    [1e21, 'amount_too_large'],
    [1e26, 'amount_too_large'],
    // Amounts are JSON numbers: a string is refused whatever it says.
    ['25', 'invalid_amount'],
    ['0.01', 'invalid_amount'],
    ['5000', 'invalid_amount'],
    [Number.MAX_SAFE_INTEGER, 'amount_too_large'],
  ];
  for (const [amount, code] of badAmounts) {
    test(`top-up amount ${JSON.stringify(amount)} → 400 ${code}`, async () => {
      const error = await expectRefused(
        '/api/billing/create-checkout-session',
        { body: { amount } },
        400,
        code,
      );
      assert.equal(error.field, 'amount');
    });
  }

  test('a missing amount → 400', async () => {
    await expectRefused('/api/billing/create-checkout-session', { body: {} }, 400, 'invalid_amount');
  });

  test('malformed JSON → 400 invalid_json', async () => {
    await expectRefused(
      '/api/billing/create-checkout-session',
      { raw: '{"amount": 25,' },
      400,
      'invalid_json',
    );
    await expectRefused(
      '/api/billing/subscription-checkout-session',
      { raw: 'plan=pro' },
      400,
      'invalid_json',
    );
  });

  test('a JSON body not sent as application/json → 415, nothing changed', async () => {
    for (const [path, token] of [
      ['/api/billing/create-checkout-session', `Bearer ${h.tokenFor('alice')}`],
      ['/api/billing/usage', `Bearer ${API_KEY}`],
    ] as const) {
      for (const contentType of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        null,
      ]) {
        const before = await h.snapshot();
        const headers: Record<string, string> = { authorization: token };
        if (contentType) headers['content-type'] = contentType;
        const res = await fetch(`${h.url}${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ amount: 25, user_id: 'alice', idempotency_key: `k-${contentType}` }),
        });
        assert.equal(res.status, 415, `${path} as ${contentType}`);
        assert.equal(
          ((await res.json()) as { error: { code: string } }).error.code,
          'unsupported_media_type',
        );
        assert.deepEqual(await h.snapshot(), before);
      }
    }
    // JSON with a charset, or a +json type, is JSON.
    for (const contentType of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await fetch(`${h.url}/api/billing/create-checkout-session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tokenFor('alice')}`, 'content-type': contentType },
        body: JSON.stringify({ amount: 1 }),
      });
      assert.equal(res.status, 400, contentType);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'amount_too_small');
    }
  });

  test('a JSON body that is not an object → 400', async () => {
    await expectRefused('/api/billing/create-checkout-session', { raw: '[25]' }, 400, 'invalid_body');
  });

  test('a body over the size limit → 413', async () => {
    const raw = JSON.stringify({ amount: 25, padding: 'x'.repeat(64 * 1024) });
    await expectRefused('/api/billing/create-checkout-session', { raw }, 413, 'body_too_large');
  });

  test('a return_url on a foreign origin, or not a URL → 400 invalid_return_url', async () => {
    for (const return_url of [
      'https://evil.example/steal',
      'http://app.example.test.evil.example/',
      'javascript:alert(1)',
      '//evil.example/',
      'not a url',
      42,
      `${HOST_ORIGIN}/${'a'.repeat(3000)}`,
    ]) {
      const error = await expectRefused(
        '/api/billing/create-checkout-session',
        { body: { amount: 25, return_url } },
        400,
        'invalid_return_url',
      );
      assert.equal(error.field, 'return_url');
    }
    await expectRefused(
      '/api/billing/create-customer-setup-session',
      { body: { return_url: 'https://evil.example/' } },
      400,
      'invalid_return_url',
    );
    await expectRefused(
      '/api/billing/portal-session',
      { body: { return_url: 'https://evil.example/' } },
      400,
      'invalid_return_url',
    );
  });

  test('an unknown plan → 400 unknown_plan', async () => {
    const error = await expectRefused(
      '/api/billing/subscription-checkout-session',
      { body: { plan: 'platinum' } },
      400,
      'unknown_plan',
    );
    assert.equal(error.field, 'plan');
    await expectRefused(
      '/api/billing/subscription-checkout-session',
      { body: { plan: 7 } },
      400,
      'unknown_plan',
    );
  });

  test('missing, forged, expired and alg none tokens → 401', async () => {
    const path = '/api/billing/create-checkout-session';
    const body = { amount: 25 };
    await expectRefused(path, { body, token: null }, 401, 'unauthorized');
    const good = h.tokenFor('alice');
    const [header, payload] = good.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: 'mallory', account: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url');
    await expectRefused(
      path,
      { body, token: `${header}.${forgedPayload}.${good.split('.')[2]}` },
      401,
      'invalid_token',
    );
    await expectRefused(
      path,
      { body, token: h.tokenFor('alice', { exp: Math.floor(h.clock.now().getTime() / 1000) - 10 }) },
      401,
      'token_expired',
    );
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectRefused(path, { body, token: `${noneHeader}.${payload}.` }, 401, 'invalid_token');
    await expectRefused(path, { body, token: `${noneHeader}.${payload}.x` }, 401, 'invalid_token');
  });

  test('a token for another audience → 401 where an audience is configured', async () => {
    const strict = await startBillingHarness({ BILLING_JWT_AUDIENCE: 'billing-api' });
    try {
      const beforeStore = await strict.snapshot();
      const wrong = await strict.api('POST', '/api/billing/create-checkout-session', {
        token: strict.tokenFor('alice', { aud: 'another-api' }),
        body: { amount: 25 },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.code, 'invalid_token');
      const none = await strict.api('POST', '/api/billing/create-checkout-session', {
        token: strict.tokenFor('alice'),
        body: { amount: 25 },
      });
      assert.equal(none.status, 401);
      assert.deepEqual(await strict.snapshot(), beforeStore);
    } finally {
      await strict.close();
    }
  });

  test('cancel and resume without a subscription → 404 no_active_subscription', async () => {
    await expectRefused('/api/billing/cancel-subscription', {}, 404, 'no_active_subscription');
    await expectRefused('/api/billing/resume-subscription', {}, 404, 'no_active_subscription');
  });

  test('/success and /cancel with unknown or malformed session ids → the default page with checkout=error, nothing changed', async () => {
    for (const query of [
      '',
      '?session_id=',
      '?session_id=cs_test_unknown123',
      '?session_id=pi_123',
      '?session_id=cs_x%27--',
    ]) {
      for (const callback of ['success', 'cancel']) {
        const beforeStore = await h.snapshot();
        const res = await h.visit(`${h.url}/api/billing/${callback}${query}`);
        assert.equal(res.status, 302, `${callback}${query}`);
        assert.equal(res.location, `${HOST_ORIGIN}/?checkout=error`);
        assert.deepEqual(await h.snapshot(), beforeStore);
      }
    }
  });

  test('unsigned, tampered, replayed and wrongly keyed webhooks → 400, nothing processed', async () => {
    const event = JSON.stringify({
      id: 'evt_test_forged',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_test_forged', object: 'checkout.session' } },
    });
    const now = Math.floor(Date.now() / 1000);
    const secret = h.config.stripeWebhookSecret;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['unsigned', {}, event],
      ['garbage header', { 'stripe-signature': 'nonsense' }, event],
      [
        'tampered body',
        { 'stripe-signature': signPayload(event, secret, now) },
        event.replace('forged', 'f0rged'),
      ],
      ['replayed (301 s old)', { 'stripe-signature': signPayload(event, secret, now - 301) }, event],
      ['wrong secret', { 'stripe-signature': signPayload(event, 'whsec_someone_else', now) }, event],
    ];
    for (const [name, headers, body] of cases) {
      const beforeStore = await h.snapshot();
      const res = await fetch(`${h.url}/api/billing/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const answer = (await res.json()) as { error: { code: string } };
      assert.equal(res.status, 400, name);
      assert.match(answer.error.code, /^(missing_signature|invalid_signature)$/, name);
      assert.deepEqual(await h.snapshot(), beforeStore, name);
    }
  });
});
