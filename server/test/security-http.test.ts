import assert from 'node:assert/strict';
import { request } from 'node:http';
import { afterEach, describe, test } from 'node:test';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';
import { MUTATION_ENDPOINTS, USER_ENDPOINTS } from './security-endpoints.ts';
import { dumpStore } from './store-dump.ts';

/** A POST whose body is streamed in chunks with no Content-Length, as a client lying about size would. */
function chunkedPost(url: string, headers: Record<string, string>, chunk: string, times: number) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (let i = 0; i < times; i++) req.write(chunk);
    req.end();
  });
}

describe('HTTP-level defences', () => {
  let h: BillingHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('CORS: an unlisted origin gets no CORS grant on any widget endpoint; a listed one does', async () => {
    h = await startBillingHarness();
    const token = h.tokenFor('alice');
    for (const endpoint of USER_ENDPOINTS) {
      for (const origin of [
        'https://evil.example',
        'null',
        `${HOST_ORIGIN}.evil.example`,
        'http://app.example.test:8080',
      ]) {
        const preflight = await fetch(`${h.url}${endpoint.path}`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': endpoint.method,
            'access-control-request-headers': 'authorization, content-type',
          },
        });
        assert.equal(
          preflight.headers.get('access-control-allow-origin'),
          null,
          `${endpoint.path} ${origin}`,
        );
        assert.equal(preflight.headers.get('access-control-allow-headers'), null);
        const res = await fetch(`${h.url}${endpoint.path}`, {
          method: 'GET',
          headers: { origin, authorization: `Bearer ${token}` },
        });
        await res.arrayBuffer();
        assert.equal(res.headers.get('access-control-allow-origin'), null, `${endpoint.path} ${origin}`);
      }
      const allowed = await fetch(`${h.url}${endpoint.path}`, {
        method: 'OPTIONS',
        headers: { origin: HOST_ORIGIN, 'access-control-request-method': endpoint.method },
      });
      assert.equal(allowed.headers.get('access-control-allow-origin'), HOST_ORIGIN);
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
      assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    }
  });

  test('open redirects: return_url off the allow-list is refused by every flow; what passes stays on an allowed origin', async () => {
    h = await startBillingHarness();
    const token = h.tokenFor('alice');
    const evil = [
      'https://evil.example/',
      '//evil.example/',
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      `${HOST_ORIGIN}@evil.example/`,
      `${HOST_ORIGIN}.evil.example/`,
      'http://app.example.test:8080/',
      'https://app.example.test/',
      'http://evil.example/?next=http://app.example.test/',
      '/relative/path',
      'evil.example',
      `http://[::1]/`,
      `ftp://app.example.test/`,
      `${HOST_ORIGIN}/${'a'.repeat(2100)}`,
      ' https://evil.example',
      'http://evil.example\\@app.example.test/',
    ];
    const flows = [
      ['/create-checkout-session', { amount: 10 }],
      ['/create-customer-setup-session', {}],
      ['/subscription-checkout-session', {}],
      ['/portal-session', {}],
    ] as const;
    const before = await dumpStore(h.store);
    for (const [path, body] of flows) {
      for (const returnUrl of evil) {
        const res = await h.api('POST', `/api/billing${path}`, {
          token,
          body: { ...body, return_url: returnUrl },
        });
        assert.equal(res.status, 400, `${path} ${returnUrl}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'invalid_return_url');
      }
    }
    assert.equal(await dumpStore(h.store), before);
    // Tricky spellings the URL parser resolves onto the allowed origin are accepted as that origin.
    for (const tricky of [
      `${HOST_ORIGIN}\\@evil.example`,
      `${HOST_ORIGIN}/..//evil.example`,
      `HTTP://APP.EXAMPLE.TEST/x`,
    ]) {
      const res = await h.api('POST', '/api/billing/create-checkout-session', {
        token,
        body: { amount: 10, return_url: tricky },
      });
      assert.equal(res.status, 200, `${tricky}: ${JSON.stringify(res.body)}`);
      const id = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
      assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
      const back = await h.visit((await h.returnLinks(id)).success);
      assert.equal(back.status, 302);
      assert.equal(new URL(back.location!).origin, HOST_ORIGIN, `${tricky} → ${back.location}`);
    }
  });

  test('oversized bodies → 413 on every mutation and server-to-server endpoint, declared or streamed', async () => {
    h = await startBillingHarness();
    const before = await dumpStore(h.store);
    const big = JSON.stringify({ amount: 10, return_url: `${HOST_ORIGIN}/`, padding: 'x'.repeat(40_000) });
    const targets = [
      ...MUTATION_ENDPOINTS.map((e) => ({ path: e.path, auth: `Bearer ${h!.tokenFor('alice')}` })),
      { path: '/api/billing/usage', auth: `Bearer ${API_KEY}` },
      { path: '/api/billing/grants', auth: `Bearer ${API_KEY}` },
    ];
    for (const { path, auth } of targets) {
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: big,
      });
      assert.equal(res.status, 413, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'body_too_large');
      const streamed = await chunkedPost(
        `${h.url}${path}`,
        { authorization: auth, 'content-type': 'application/json' },
        'x'.repeat(8192),
        8,
      );
      assert.equal(streamed.status, 413, `${path} streamed: ${streamed.body}`);
    }
    assert.equal(await dumpStore(h.store), before);
  });

  test('rate limit: mutations past the budget → 429 with Retry-After, per account, reads unaffected, budget refills', async () => {
    h = await startBillingHarness({ BILLING_RATE_LIMIT_PER_MINUTE: '5' });
    const alice = h.tokenFor('alice');
    for (let i = 0; i < 5; i++) {
      const res = await h.api('POST', '/api/billing/cancel-subscription', { token: alice });
      assert.equal(res.status, 404, 'within the budget the request goes through');
    }
    for (const endpoint of [
      ...MUTATION_ENDPOINTS,
      { path: '/api/billing/has-payment-method', body: undefined },
    ]) {
      const res = await h.api('POST', endpoint.path, { token: alice, body: endpoint.body });
      assert.equal(res.status, 429, `${endpoint.path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
        `Retry-After ${retryAfter}`,
      );
    }
    assert.equal((await h.stripe.customers.list({ limit: 10 })).data.length, 0, 'no Stripe call was made');
    assert.equal((await h.api('GET', '/api/billing/credits', { token: alice })).status, 200);
    assert.equal((await h.api('GET', '/api/billing/summary', { token: alice })).status, 200);
    const bob = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('bob'),
      body: { amount: 10 },
    });
    assert.equal(bob.status, 200, 'another account has its own budget');
    await h.advance(60);
    const refreshed = h.tokenFor('alice');
    assert.equal((await h.api('POST', '/api/billing/cancel-subscription', { token: refreshed })).status, 404);
  });
});
