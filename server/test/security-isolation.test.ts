import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../src/app.ts';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';
import { API_KEY_ENDPOINTS, USER_ENDPOINTS } from './security-endpoints.ts';

/** Routes anyone may call: public configuration, Stripe's redirects and Stripe's webhook. */
const PUBLIC_PATHS = [
  '/api/billing/config',
  '/api/billing/success',
  '/api/billing/cancel',
  '/api/billing/webhook',
  // The bank's page sends the browser back here; it re-reads the PaymentIntent from Stripe.
  '/api/billing/auto-recharge/return',
  // The API's own description and its reference page (and the page's two assets): no account data.
  '/api/billing/openapi.json',
  '/api/billing/reference',
  '/api/billing/reference/:asset{swagger-ui\\.css|swagger-ui-bundle\\.js}',
];

describe("one account never reads or changes another's data", () => {
  let h: BillingHarness;
  let alice: { sessionId: string; subscriptionId: string; customerId: string; cursor: string };
  before(async () => {
    h = await startBillingHarness();
    const post = async (path: string, body: unknown) => {
      const res = await h.api('POST', `/api/billing${path}`, { token: h.tokenFor('alice'), body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
      return /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    };
    // Alice: a paid top-up, a saved card (welcome credit), a subscription, and a spend.
    const sessionId = await post('/create-checkout-session', {
      amount: 40,
      return_url: `${HOST_ORIGIN}/alice`,
    });
    await post('/create-customer-setup-session', {});
    const subscriptionSession = await post('/subscription-checkout-session', {});
    await h.webhooksDelivered();
    for (let i = 0; i < 3; i++) {
      const used = await h.api('POST', '/api/billing/usage', {
        token: API_KEY,
        body: { user_id: 'alice', amount: 1, idempotency_key: `alice-use-${i}` },
      });
      assert.equal(used.status, 200);
    }
    const page = await h.api('GET', '/api/billing/transactions?limit=2', { token: h.tokenFor('alice') });
    const subscriptionId = (await h.stripe.checkout.sessions.retrieve(subscriptionSession))
      .subscription as string;
    const account = await h.api('GET', '/api/billing/accounts/user:alice', { token: API_KEY });
    alice = {
      sessionId,
      subscriptionId,
      customerId: account.body.stripe_customer_id,
      cursor: page.body.next_cursor,
    };
    assert.ok(alice.cursor, 'alice has a second page');
  });
  after(async () => {
    await h.close();
  });

  const aliceView = async () => {
    const token = h.tokenFor('alice');
    const [summary, transactions, access] = await Promise.all([
      h.api('GET', '/api/billing/summary', { token }),
      h.api('GET', '/api/billing/transactions?limit=100', { token }),
      h.api('GET', '/api/billing/subscription-access', { token }),
    ]);
    const subscription = await h.stripe.subscriptions.retrieve(alice.subscriptionId);
    return JSON.stringify([summary.body, transactions.body, access.body, subscription.cancel_at_period_end]);
  };

  test('the endpoint lists cover every route of the app', () => {
    const app = createApp({ store: h.store, stripe: h.stripe, config: h.config, clock: h.clock });
    const listed = new Set([...USER_ENDPOINTS, ...API_KEY_ENDPOINTS].map((e) => `${e.method} ${e.path}`));
    const seen = new Set<string>();
    for (const route of app.routes) {
      if (!['GET', 'POST', 'PUT'].includes(route.method) || !route.path.startsWith('/api/billing/')) continue;
      if (PUBLIC_PATHS.includes(route.path)) continue;
      const path = route.path.replace(':id', 'user:alice');
      assert.ok(
        listed.has(`${route.method} ${path}`),
        `${route.method} ${route.path} is not in security-endpoints.ts`,
      );
      seen.add(`${route.method} ${path}`);
    }
    assert.deepEqual(
      [...listed].filter((e) => !seen.has(e)),
      [],
      'every listed endpoint exists',
    );
  });

  test("bob's token on every endpoint shows and changes only bob's account", async () => {
    const before = await aliceView();
    const bob = h.tokenFor('bob');
    const get = async (path: string) => {
      const res = await h.api('GET', `/api/billing${path}`, { token: bob });
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    assert.deepEqual(await get('/credits'), { credits: '0.00' });
    const summary = await get('/summary');
    assert.equal(summary.credits_cents, 0);
    assert.equal(summary.has_payment_method, false);
    assert.equal(summary.subscription.status, 'none');
    assert.deepEqual(await get('/transactions'), { data: [], next_cursor: null });
    // Alice's cursor only positions within bob's own ledger.
    assert.deepEqual(await get(`/transactions?cursor=${alice.cursor}`), { data: [], next_cursor: null });
    assert.equal(await get('/subscription-access'), null);
    const hasCard = await h.api('POST', '/api/billing/has-payment-method', { token: bob });
    assert.equal(hasCard.body, false);

    for (const path of ['/cancel-subscription', '/resume-subscription']) {
      const res = await h.api('POST', `/api/billing${path}`, { token: bob });
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'no_active_subscription');
    }
    // Alice's active subscription does not block bob, and bob's sessions and portal are his own.
    const sessions: string[] = [];
    for (const [path, body] of [
      ['/create-checkout-session', { amount: 10 }],
      ['/create-customer-setup-session', {}],
      ['/subscription-checkout-session', {}],
    ] as const) {
      const res = await h.api('POST', `/api/billing${path}`, { token: bob, body });
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      sessions.push(/cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0]);
    }
    // Bob has no card and no charge waiting: his auto-recharge answers are his own.
    const enable = await h.api('PUT', '/api/billing/auto-recharge', {
      token: bob,
      body: { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 },
    });
    assert.equal(enable.status, 409);
    assert.equal(enable.body.error.code, 'no_payment_method');
    const complete = await h.api('POST', '/api/billing/auto-recharge/complete', { token: bob, body: {} });
    assert.equal(complete.status, 409);
    assert.equal(complete.body.error.code, 'no_action_required');
    const portal = await h.api('POST', '/api/billing/portal-session', { token: bob, body: {} });
    assert.equal(portal.status, 200);
    const bobCustomer = (await h.api('GET', '/api/billing/accounts/user:bob', { token: API_KEY })).body
      .stripe_customer_id;
    assert.ok(bobCustomer && bobCustomer !== alice.customerId);
    for (const id of sessions) {
      const session = await h.stripe.checkout.sessions.retrieve(id);
      assert.equal(session.customer, bobCustomer);
      assert.equal(session.metadata?.account_id, 'user:bob');
    }
    assert.equal(await aliceView(), before, "alice's account looks exactly as it did");
  });

  test("bob replaying alice's success and cancel links neither moves money to him nor undoes her payment", async () => {
    const before = await aliceView();
    // With only the session id (it shows in the Checkout page's address), bob does not learn
    // alice's return URL: he lands on the default page.
    const success = await h.visit(`${h.url}/api/billing/success?session_id=${alice.sessionId}`);
    assert.equal(success.status, 302);
    assert.equal(success.location, `${HOST_ORIGIN}/?checkout=success`);
    const cancelled = await h.visit(`${h.url}/api/billing/cancel?session_id=${alice.sessionId}`);
    assert.equal(cancelled.location, `${HOST_ORIGIN}/?checkout=error`);
    // Alice, sent back by Stripe with the link's ref, returns to her own page.
    const own = await h.visit((await h.returnLinks(alice.sessionId)).success);
    assert.equal(own.location, `${HOST_ORIGIN}/alice?checkout=success`);
    const status = await h.store.sql.run('SELECT status FROM billing_sessions WHERE id = ?', [
      alice.sessionId,
    ]);
    assert.equal(status.rows[0]!.status, 'completed');
    assert.equal(await aliceView(), before);
    assert.deepEqual((await h.api('GET', '/api/billing/credits', { token: h.tokenFor('bob') })).body, {
      credits: '0.00',
    });
  });
});
