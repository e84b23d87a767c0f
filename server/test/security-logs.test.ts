import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { startEmulator } from '../../stripe-emulator/src/testing.ts';
import { signTestToken } from '../src/testing.ts';
import { freePort, startServerProcess } from './server-process.ts';
import { openTestDatabase } from './test-database.ts';

describe('no secret in the logs', () => {
  test('a full flow through the server process: stdout and stderr hold no token, key, secret or card number', async () => {
    const db = await openTestDatabase();
    const port = await freePort();
    const secrets = {
      STRIPE_SECRET_KEY: `sk_test_${randomBytes(16).toString('hex')}`,
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('hex')}`,
      BILLING_API_KEY: `bk_${randomBytes(16).toString('hex')}`,
      BILLING_JWT_SECRET: randomBytes(24).toString('hex'),
      // A remote database takes a token (the Hrana test server ignores it; the log must not show it).
      ...(db.remote ? { BILLING_DB_AUTH_TOKEN: `db_${randomBytes(16).toString('hex')}` } : {}),
    };
    const emulator = await startEmulator({
      webhooks: [
        { url: `http://127.0.0.1:${port}/api/billing/webhook`, secret: secrets.STRIPE_WEBHOOK_SECRET },
      ],
    });
    // Real-Stripe mode (keys given) pointed at the emulator: the keys are distinct and searchable.
    const server = await startServerProcess({
      ...secrets,
      PORT: String(port),
      BILLING_DB_URL: db.url,
      BILLING_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BILLING_ALLOWED_ORIGINS: 'http://app.example.test',
      STRIPE_API_BASE: emulator.url,
    });
    const tokens: string[] = [];
    const tokenFor = (user: string) => {
      const token = signTestToken(
        { sub: user, email: `${user}@example.test`, exp: Math.floor(Date.now() / 1000) + 600 },
        secrets.BILLING_JWT_SECRET,
      );
      tokens.push(token);
      return token;
    };
    const call = async (method: string, path: string, auth: string | null, body?: unknown, headers = {}) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
      });
      const text = await res.text();
      return { status: res.status, text };
    };
    const pay = async (
      user: string,
      path: string,
      body: unknown,
      card = '4242424242424242',
      beforePaying = async () => {},
    ) => {
      const res = await call('POST', `/api/billing${path}`, tokenFor(user), body);
      assert.equal(res.status, 200, res.text);
      const url = JSON.parse(res.text).redirect_url as string;
      const id = /cs_[A-Za-z0-9_]+/.exec(url)![0];
      await beforePaying();
      await emulator.control(`/_emulator/checkout/sessions/${id}/complete`, { card });
      return id;
    };
    try {
      const topUp = await pay('alice', '/create-checkout-session', { amount: 25 });
      assert.equal((await call('GET', `/api/billing/success?session_id=${topUp}`, null)).status, 302);
      await pay('alice', '/create-customer-setup-session', {});
      await pay('alice', '/subscription-checkout-session', {});
      await emulator.emu.webhooks.drained(15_000);
      assert.equal((await call('POST', '/api/billing/cancel-subscription', tokenFor('alice'))).status, 200);
      assert.equal((await call('POST', '/api/billing/portal-session', tokenFor('alice'), {})).status, 200);
      await call('POST', '/api/billing/usage', secrets.BILLING_API_KEY, {
        user_id: 'alice',
        amount: 1,
        idempotency_key: 'u1',
      });
      await call('GET', '/api/billing/accounts/user:alice', secrets.BILLING_API_KEY);
      // Secrets where they do not belong: a bad key, a token in the query, a token as a request id.
      await call('POST', '/api/billing/usage', `${secrets.BILLING_API_KEY}x`, {
        user_id: 'alice',
        amount: 1,
      });
      await call('GET', `/api/billing/credits?token=${tokenFor('alice')}`, null);
      await call('GET', '/api/billing/credits', `${tokenFor('alice')}x`);
      await call('GET', '/api/billing/credits', tokenFor('alice'), undefined, {
        'x-request-id': tokenFor('alice'),
      });
      await call(
        'POST',
        '/api/billing/webhook',
        null,
        { id: 'evt_x' },
        { 'stripe-signature': `t=1,v1=${secrets.STRIPE_WEBHOOK_SECRET}` },
      );
      // A declined card, and webhooks failing at Stripe (500, error lines, retries).
      await pay('bob', '/create-checkout-session', { amount: 10 }, '4000000000000002');
      await pay('bob', '/create-checkout-session', { amount: 10 }, '4242424242424242', async () => {
        await emulator.control('/_emulator/faults', { fail_next: 6 });
      });
      await emulator.emu.webhooks.drained(15_000);
      const failing = await call('POST', '/api/billing/create-checkout-session', tokenFor('carol'), {
        amount: 10,
      });
      assert.ok(failing.status === 200 || failing.status === 502);
    } finally {
      await server.stop(); // a graceful stop flushes the batched log lines
      await emulator.close();
      await db.close();
    }
    const output = server.output.join('');
    const lines = output.split('\n').filter(Boolean);
    assert.ok(lines.length >= 20, `only ${lines.length} log lines`);
    assert.ok(
      lines.some((l) => l.includes('"level":"error"')),
      'the failing webhooks were logged',
    );
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
    const forbidden = [
      ...Object.entries(secrets),
      ...tokens.flatMap((t, i) => [
        [`token ${i}`, t] as const,
        [`token ${i} signature`, t.split('.')[2]!] as const,
      ]),
      ['card number', '4242424242424242'],
      ['declined card number', '4000000000000002'],
    ];
    for (const [name, value] of forbidden) {
      assert.ok(!output.includes(value), `the log contains the ${name}`);
    }
  });
});
