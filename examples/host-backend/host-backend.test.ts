import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { startTestApp, TEST_API_KEY, TEST_JWT_SECRET, type TestApp } from '../../server/src/testing.ts';
import { createHostApp } from './host-app.ts';
import { mintUserToken } from './mint-user-token.ts';
import { BillingServerError, reportUsage } from './report-usage.ts';

/** Serves `app` on a free loopback port; resolves with its URL and a close function. */
async function listen(app: Pick<Hono, 'fetch'>): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

/** A real billing server over HTTP (its own temp store) and the host backend in front of it. */
async function stack(): Promise<{
  billing: TestApp;
  billingUrl: string;
  hostUrl: string;
  close(): Promise<void>;
}> {
  const billing = await startTestApp();
  // The host mints tokens on the wall clock, as a real one does; the server refuses an exp more
  // than 24 h past its own clock, so that clock must be the wall clock too.
  billing.clock.set(new Date());
  const billingServer = await listen(billing.app);
  const host = createHostApp({
    billingUrl: billingServer.url,
    jwtSecret: TEST_JWT_SECRET,
    apiKey: TEST_API_KEY,
  });
  const hostServer = await listen(host);
  return {
    billing,
    billingUrl: billingServer.url,
    hostUrl: hostServer.url,
    async close() {
      await hostServer.close();
      await billingServer.close();
      await billing.close();
    },
  };
}

const credits = async (billingUrl: string, token: string) => {
  const res = await fetch(`${billingUrl}/api/billing/credits`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as { credits?: string; error?: { code: string } } };
};

test('the token the host backend mints is accepted by the billing server for that user', async () => {
  const s = await stack();
  try {
    await s.billing.fund('user:ada', 1250);
    const res = await fetch(`${s.hostUrl}/api/billing-token?user=ada`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, 'ada');
    assert.equal(claims.exp - claims.iat, 900);
    assert.deepEqual(await credits(s.billingUrl, token), { status: 200, body: { credits: '12.50' } });

    const config = await (await fetch(`${s.hostUrl}/api/config`)).json();
    assert.deepEqual(config, { billing_api_base: s.billingUrl });
  } finally {
    await s.close();
  }
});

test('a token signed with another secret, or already expired, is refused by the billing server', async () => {
  const s = await stack();
  try {
    const forged = await mintUserToken(
      { sub: 'ada' },
      { secret: 'not-the-billing-servers-secret-0123456789' },
    );
    assert.equal((await credits(s.billingUrl, forged)).status, 401);
    const expired = await mintUserToken(
      { sub: 'ada' },
      { secret: TEST_JWT_SECRET, now: 1_000_000, ttlSeconds: 60 },
    );
    assert.equal((await credits(s.billingUrl, expired)).status, 401);
  } finally {
    await s.close();
  }
});

test('the host refuses to mint a token for a malformed user name', async () => {
  const s = await stack();
  try {
    for (const user of ['', 'a b', 'x'.repeat(65), '<script>']) {
      const res = await fetch(`${s.hostUrl}/api/billing-token?user=${encodeURIComponent(user)}`);
      assert.equal(res.status, 400, user);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_user');
    }
  } finally {
    await s.close();
  }
});

test('usage reported with the API key debits once per idempotency key; an uncovered amount is 402 and debits nothing', async () => {
  const s = await stack();
  try {
    await s.billing.fund('user:ada', 1000);
    const first = await reportUsage(s.billingUrl, TEST_API_KEY, {
      user_id: 'ada',
      amount: 2.5,
      idempotency_key: 'job-1',
    });
    assert.equal(first.balance, '7.50');
    assert.equal(first.account_id, 'user:ada');
    assert.equal(first.replayed, false);
    const again = await reportUsage(s.billingUrl, TEST_API_KEY, {
      user_id: 'ada',
      amount: 2.5,
      idempotency_key: 'job-1',
    });
    assert.equal(again.balance_cents, 750);
    assert.equal(again.replayed, true);

    await assert.rejects(
      reportUsage(s.billingUrl, TEST_API_KEY, { user_id: 'ada', amount: 100, idempotency_key: 'job-2' }),
      (err) => err instanceof BillingServerError && err.status === 402 && err.code === 'insufficient_credits',
    );
    await assert.rejects(
      reportUsage(s.billingUrl, 'bk_wrong_key_0123456789abcdef012345', {
        user_id: 'ada',
        amount: 1,
        idempotency_key: 'job-3',
      }),
      (err) => err instanceof BillingServerError && err.status === 401,
    );
    const token = await mintUserToken({ sub: 'ada' }, { secret: TEST_JWT_SECRET });
    assert.equal((await credits(s.billingUrl, token)).body.credits, '7.50');
    await s.billing.audit();
  } finally {
    await s.close();
  }
});

test("an organisation's members spend its shared balance; a user with the same id does not", async () => {
  const s = await stack();
  try {
    await s.billing.fund('org:acme', 1000);
    const member = await mintUserToken({ sub: 'ada', account: 'acme' }, { secret: TEST_JWT_SECRET });
    const sameId = await mintUserToken({ sub: 'acme' }, { secret: TEST_JWT_SECRET });
    assert.equal((await credits(s.billingUrl, member)).body.credits, '10.00');
    assert.equal((await credits(s.billingUrl, sameId)).body.credits, '0.00');
    const used = await reportUsage(s.billingUrl, TEST_API_KEY, {
      account_id: 'acme',
      amount: 2.5,
      idempotency_key: 'org-job-1',
    });
    assert.equal(used.account_id, 'org:acme');
    assert.equal((await credits(s.billingUrl, member)).body.credits, '7.50');
    await assert.rejects(
      reportUsage(s.billingUrl, TEST_API_KEY, { user_id: 'acme', amount: 1, idempotency_key: 'user-job-1' }),
      (err) => err instanceof BillingServerError && err.status === 402,
    );
    await s.billing.audit();
  } finally {
    await s.close();
  }
});

test("the host's use-credits endpoint debits once per click id and passes a 402 through", async () => {
  const s = await stack();
  try {
    await s.billing.fund('user:bob', 300);
    const use = (body: unknown) =>
      fetch(`${s.hostUrl}/api/use-credits?user=bob`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await use({ amount: 1, request_id: 'click-1' });
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { balance: '2.00', balance_cents: 200, replayed: false });
    const retried = await use({ amount: 1, request_id: 'click-1' });
    assert.deepEqual(await retried.json(), { balance: '2.00', balance_cents: 200, replayed: true });
    const tooMuch = await use({ amount: 5, request_id: 'click-2' });
    assert.equal(tooMuch.status, 402);
    assert.equal(((await tooMuch.json()) as { error: { code: string } }).error.code, 'insufficient_credits');
    const noAmount = await use({ request_id: 'click-3' });
    assert.equal(noAmount.status, 400);
    // The feature goes to the billing server (default chat), which checks it and charts it.
    assert.equal((await use({ amount: 0.5, feature: 'images', request_id: 'click-4' })).status, 200);
    const badFeature = await use({ amount: 0.5, feature: 'Not A Key', request_id: 'click-5' });
    assert.equal(badFeature.status, 400);
    assert.equal(((await badFeature.json()) as { error: { code: string } }).error.code, 'invalid_feature');
    const token = await mintUserToken({ sub: 'bob' }, { secret: TEST_JWT_SECRET });
    assert.equal((await credits(s.billingUrl, token)).body.credits, '1.50');
    const usage = (await fetch(`${s.billingUrl}/api/billing/usage-summary?days=1`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as { features: { feature: string; amount_cents: number }[] };
    assert.deepEqual(
      usage.features.map((f) => [f.feature, f.amount_cents]),
      [
        ['chat', 100],
        ['images', 50],
      ],
    );
    await s.billing.audit();
  } finally {
    await s.close();
  }
});
