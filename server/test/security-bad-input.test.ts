import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';
import { USER_ENDPOINTS } from './security-endpoints.ts';
import { dumpStore } from './store-dump.ts';

/** One malformed request: `body` is sent as raw text; `auth` is the whole Authorization header. */
interface BadRequest {
  name: string;
  method: string;
  path: string;
  auth?: string | null;
  body?: string;
  headers?: Record<string, string>;
  /** Stripe's return links send the browser to the default page with `checkout=error` instead of JSON. */
  sendsBackWithError?: true;
}

const MALFORMED_JSON = [
  '{',
  '}',
  '[1, 2]',
  '"amount"',
  '42',
  'null',
  'true',
  '{"amount":}',
  '{"amount": 10,}',
  "{'amount': 10}",
  '{"amount": NaN}',
  '{"amount": 10} trailing',
  '\u0000',
  '{"a":'.repeat(200),
];

const BAD_AMOUNTS: unknown[] = [
  -1,
  0,
  0.001,
  4.99,
  1000.01,
  '10.001',
  'ten',
  '',
  ' 10',
  '0x10',
  '1e2',
  '١٠',
  [],
  {},
  true,
  null,
  1e20,
  '10,00',
  '+10',
  '$10',
];

const BAD_RETURN_URLS: unknown[] = [
  'https://evil.example/',
  '//evil.example',
  'javascript:alert(1)',
  42,
  ['http://app.example.test/'],
  {},
  'not a url',
  `${HOST_ORIGIN}.evil.example/`,
];

const BAD_PLANS: unknown[] = ['gold', 123, [], {}, 'PRO', 'pro ', '../pro', 'x'.repeat(1000)];

const BAD_SESSION_IDS = [
  '',
  'abc',
  'cs_',
  'cs_test_does_not_exist',
  `cs_test_${'x'.repeat(300)}`,
  "cs_test_a';DROP TABLE accounts;--",
  '../../etc/passwd',
  'pi_123',
  'cs_test_a%0d%0aSet-Cookie:x=1',
  'cs_test_%00',
];

const BAD_AUTH = [
  'Bearer',
  'Bearer ',
  'Basic YTpi',
  'Bearer a.b',
  'Bearer a.b.c',
  `Bearer ${'x'.repeat(9000)}`,
];

const BAD_LEDGER_BODIES: Record<string, unknown>[] = [
  {},
  { amount: 1, idempotency_key: 'k' },
  { account_id: 'alice', idempotency_key: 'k' },
  { account_id: 'alice', amount: 1 },
  { account_id: 'alice', amount: -1, idempotency_key: 'k' },
  { account_id: 'alice', amount: 0, idempotency_key: 'k' },
  { account_id: 'alice', amount: 1.001, idempotency_key: 'k' },
  { account_id: 'alice', amount: 1e300, idempotency_key: 'k' },
  { account_id: 'alice', amount: 1, idempotency_key: '' },
  { account_id: 'alice', amount: 1, idempotency_key: 'x'.repeat(300) },
  { account_id: 'alice', amount: 1, idempotency_key: 'has space' },
  { account_id: 'alice', amount: 1, idempotency_key: 42 },
  { account_id: '', amount: 1, idempotency_key: 'k' },
  { account_id: 'a b', amount: 1, idempotency_key: 'k' },
  { account_id: 'x'.repeat(200), amount: 1, idempotency_key: 'k' },
  { account_id: ['alice'], amount: 1, idempotency_key: 'k' },
  { user_id: 42, amount: 1, idempotency_key: 'k' },
  { user_id: 'alice', account_id: 'alice', amount: 1, idempotency_key: 'k' },
  { account_id: 'alice', amount: 1, idempotency_key: 'k', description: 'x'.repeat(600) },
  { account_id: 'alice', amount: 1, idempotency_key: 'k', description: 42 },
  // The same idempotency key as an earlier change, with another amount.
  { user_id: 'alice', amount: 2, idempotency_key: 'seed-grant' },
];

function corpus(h: BillingHarness): BadRequest[] {
  const user = `Bearer ${h.tokenFor('alice')}`;
  const key = `Bearer ${API_KEY}`;
  const requests: BadRequest[] = [];
  const jsonEndpoints = [
    '/api/billing/create-checkout-session',
    '/api/billing/create-customer-setup-session',
    '/api/billing/subscription-checkout-session',
    '/api/billing/portal-session',
  ];
  for (const path of [...jsonEndpoints, '/api/billing/usage', '/api/billing/grants']) {
    const auth = path.endsWith('usage') || path.endsWith('grants') ? key : user;
    for (const body of MALFORMED_JSON)
      requests.push({
        name: `malformed ${JSON.stringify(body).slice(0, 20)}`,
        method: 'POST',
        path,
        auth,
        body,
      });
  }
  for (const amount of BAD_AMOUNTS) {
    requests.push({
      name: `amount ${JSON.stringify(amount)}`,
      method: 'POST',
      path: '/api/billing/create-checkout-session',
      auth: user,
      body: JSON.stringify({ amount }),
    });
  }
  requests.push({
    name: 'amount missing',
    method: 'POST',
    path: '/api/billing/create-checkout-session',
    auth: user,
    body: '{}',
  });
  requests.push({
    name: 'amount 1e309',
    method: 'POST',
    path: '/api/billing/create-checkout-session',
    auth: user,
    body: '{"amount": 1e309}',
  });
  for (const path of jsonEndpoints) {
    for (const returnUrl of BAD_RETURN_URLS) {
      requests.push({
        name: `return_url ${JSON.stringify(returnUrl)}`,
        method: 'POST',
        path,
        auth: user,
        body: JSON.stringify({ amount: 10, return_url: returnUrl }),
      });
    }
  }
  for (const plan of BAD_PLANS) {
    requests.push({
      name: `plan ${JSON.stringify(plan).slice(0, 20)}`,
      method: 'POST',
      path: '/api/billing/subscription-checkout-session',
      auth: user,
      body: JSON.stringify({ plan }),
    });
  }
  for (const query of [
    'limit=0',
    'limit=-1',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'limit=1e2',
    'limit=%205',
    'cursor=!!!',
    'cursor=Zm9vYmFy',
    `cursor=${Buffer.from('s0').toString('base64url')}`,
    `cursor=${'A'.repeat(40)}`,
    'cursor=czEuNQ',
    'limit=5&cursor=%00',
  ]) {
    requests.push({
      name: `transactions ${query}`,
      method: 'GET',
      path: `/api/billing/transactions?${query}`,
      auth: user,
    });
  }
  for (const route of ['success', 'cancel']) {
    requests.push({
      name: `${route} without session_id`,
      method: 'GET',
      path: `/api/billing/${route}`,
      sendsBackWithError: true,
    });
    for (const id of BAD_SESSION_IDS) {
      requests.push({
        name: `${route} ${id.slice(0, 20)}`,
        method: 'GET',
        path: `/api/billing/${route}?session_id=${encodeURIComponent(id)}`,
        sendsBackWithError: true,
      });
    }
  }
  const event = JSON.stringify({
    id: 'evt_bad',
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: { id: 'cs_test_x' } },
  });
  const stale = signPayload(event, h.config.stripeWebhookSecret, Math.floor(Date.now() / 1000) - 3600);
  for (const [name, signature, body] of [
    ['no signature', null, event],
    ['empty signature', '', event],
    ['garbage signature', 'garbage', event],
    ['wrong secret', signPayload(event, 'whsec_wrong', Math.floor(Date.now() / 1000)), event],
    ['stale signature', stale, event],
    [
      'signature over another body',
      signPayload('{}', h.config.stripeWebhookSecret, Math.floor(Date.now() / 1000)),
      event,
    ],
    ['not JSON, unsigned', 't=1,v1=00', 'not json'],
    ['empty body', 't=1,v1=00', ''],
    ['array body', 't=1,v1=00', '[]'],
    ['v1 only', 'v1=abc', event],
    ['t only', `t=${Math.floor(Date.now() / 1000)}`, event],
    ['huge header', `t=1,v1=${'a'.repeat(5000)}`, event],
  ] as const) {
    requests.push({
      name: `webhook ${name}`,
      method: 'POST',
      path: '/api/billing/webhook',
      body,
      headers:
        signature === null
          ? { 'content-type': 'application/json' }
          : { 'content-type': 'application/json', 'stripe-signature': signature },
    });
  }
  for (const path of ['/api/billing/usage', '/api/billing/grants']) {
    for (const body of BAD_LEDGER_BODIES) {
      requests.push({
        name: `${path} ${JSON.stringify(body).slice(0, 40)}`,
        method: 'POST',
        path,
        auth: key,
        body: JSON.stringify(body),
      });
    }
  }
  requests.push({
    name: 'usage beyond the balance',
    method: 'POST',
    path: '/api/billing/usage',
    auth: key,
    body: JSON.stringify({ user_id: 'alice', amount: 1_000_000, idempotency_key: 'too-much' }),
  });
  requests.push({
    name: 'grant of an unknown kind',
    method: 'POST',
    path: '/api/billing/grants',
    auth: key,
    body: JSON.stringify({ account_id: 'alice', amount: 1, idempotency_key: 'kind', kind: 'purchase' }),
  });
  for (const id of ['nobody', 'user:nobody', 'org%3Anobody', 'user:', 'a%20b', 'x'.repeat(200), '%00']) {
    requests.push({
      name: `account ${id.slice(0, 10)}`,
      method: 'GET',
      path: `/api/billing/accounts/${id}`,
      auth: key,
    });
  }
  for (const endpoint of USER_ENDPOINTS) {
    for (const auth of BAD_AUTH) {
      requests.push({
        name: `${endpoint.path} auth ${auth.slice(0, 15)}`,
        method: endpoint.method,
        path: endpoint.path,
        auth,
        body: endpoint.body ? JSON.stringify(endpoint.body) : undefined,
      });
    }
  }
  for (const [method, path] of [
    ['GET', '/api/billing/create-checkout-session'],
    ['PUT', '/api/billing/credits'],
    ['DELETE', '/api/billing/credits'],
    ['PATCH', '/api/billing/usage'],
    ['GET', '/api/billing/webhook'],
    ['GET', '/api/billing/nope'],
    ['GET', '/api/billing/../../etc/passwd'],
    ['POST', '/api/billing/credits'],
  ] as const) {
    requests.push({ name: `${method} ${path}`, method, path, auth: user });
  }
  for (const name of ['', 'a b', '<script>', 'x'.repeat(65), '../etc']) {
    requests.push({
      name: `demo token ${name.slice(0, 10)}`,
      method: 'GET',
      path: `/demo/token?user=${encodeURIComponent(name)}`,
    });
  }
  return requests;
}

describe('bad-input corpus across every endpoint', () => {
  let h: BillingHarness;
  before(async () => {
    h = await startBillingHarness();
    // Real state to protect: a paid top-up, a card, a subscription and a grant.
    for (const [path, body] of [
      ['/create-checkout-session', { amount: 30 }],
      ['/create-customer-setup-session', {}],
      ['/subscription-checkout-session', {}],
    ] as const) {
      const res = await h.api('POST', `/api/billing${path}`, { token: h.tokenFor('alice'), body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    }
    const grant = await h.api('POST', '/api/billing/grants', {
      token: API_KEY,
      body: { user_id: 'alice', amount: 1, idempotency_key: 'seed-grant' },
    });
    assert.equal(grant.status, 200);
    await h.webhooksDelivered();
  });
  after(async () => {
    await h.close();
  });

  test('at least 200 malformed requests: each a 4xx JSON error (or, for return links, the default page with checkout=error), none a 5xx, the store and Stripe unchanged', async () => {
    const requests = corpus(h);
    assert.ok(requests.length >= 200, `only ${requests.length} requests in the corpus`);
    const storeBefore = await dumpStore(h.store);
    const stripeCount = async () =>
      JSON.stringify(
        await Promise.all([
          h.stripe.customers.list({ limit: 100 }).then((l) => l.data.length),
          h.stripe.checkout.sessions.list({ limit: 100 }).then((l) => l.data.map((s) => s.status)),
          h.stripe.subscriptions
            .list({ limit: 100 })
            .then((l) => l.data.map((s) => [s.status, s.cancel_at_period_end])),
        ]),
      );
    const stripeBefore = await stripeCount();
    const failures: string[] = [];
    for (const r of requests) {
      const headers: Record<string, string> = { ...r.headers };
      if (r.auth) headers.authorization = r.auth;
      if (r.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(`${h.url}${r.path}`, {
        method: r.method,
        headers,
        body: r.body,
        redirect: 'manual',
      });
      const text = await res.text();
      if (r.sendsBackWithError) {
        if (res.status !== 302 || res.headers.get('location') !== `${HOST_ORIGIN}/?checkout=error`) {
          failures.push(`${r.name}: ${res.status} to ${res.headers.get('location')}`);
        }
        continue;
      }
      let code: unknown;
      try {
        code = JSON.parse(text).error?.code;
      } catch {
        code = undefined;
      }
      const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
      if (res.status < 400 || res.status >= 500 || !json || typeof code !== 'string') {
        failures.push(`${r.name} (${r.method} ${r.path.slice(0, 60)}): ${res.status} ${text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(
      failures,
      [],
      `${failures.length} of ${requests.length} answers were not 4xx JSON errors`,
    );
    assert.equal(await dumpStore(h.store), storeBefore, 'the store is unchanged');
    assert.equal(await stripeCount(), stripeBefore, 'nothing was created or changed at Stripe');
  });
});
