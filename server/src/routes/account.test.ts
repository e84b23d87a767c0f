import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../testing.ts';

describe('widget reads of the caller’s own account', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.audit();
    await t.close();
  });

  const iso = (offsetSeconds: number) =>
    new Date(t.clock.now().getTime() + offsetSeconds * 1000).toISOString();

  /** An access row of the user's own account (`user:<user>`). */
  async function addAccess(
    user: string,
    startOffset: number,
    endOffset: number,
    extra: Record<string, unknown> = {},
  ) {
    const row = {
      id: `sa_${Math.random().toString(36).slice(2)}`,
      account_id: `user:${user}`,
      user_id: user,
      status: 'ACTIVE',
      start_at: iso(startOffset),
      end_at: iso(endOffset),
      created_at: iso(startOffset),
      cancelled_at: null,
      stripe_subscription_id: 'sub_1',
      stripe_invoice_payment_id: `in_${Math.random().toString(36).slice(2)}`,
      ...extra,
    };
    const keys = Object.keys(row);
    await t.store.sql.run(
      `INSERT INTO subscription_access (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
      Object.values(row) as Array<string | null>,
    );
  }

  /** The subscription mirror row of the user's own account. */
  async function mirror(user: string, status: string, cancelAtPeriodEnd = 0) {
    await t.store.sql.run(
      `INSERT INTO subscriptions (stripe_subscription_id, account_id, user_id, plan_id, status, cancel_at_period_end, current_period_end, updated_at)
            VALUES ('sub_1', ?, ?, 'pro', ?, ?, ?, ?)
            ON CONFLICT (stripe_subscription_id) DO UPDATE SET status = excluded.status, cancel_at_period_end = excluded.cancel_at_period_end`,
      [`user:${user}`, user, status, cancelAtPeriodEnd, iso(86_400), iso(0)],
    );
  }

  test('GET /credits: "0.00" for a new account, then the balance as a decimal string', async () => {
    const token = t.token('u1');
    assert.deepEqual((await t.call('GET', '/api/billing/credits', { token })).body, { credits: '0.00' });
    await t.fund('user:u1', 1250);
    assert.deepEqual((await t.call('GET', '/api/billing/credits', { token })).body, { credits: '12.50' });
  });

  test('every read is scoped by the token’s account: a user never sees another account', async () => {
    await t.fund('user:alice', 1000);
    await t.fund('org:org_1', 7700);
    const bob = t.token('bob');
    assert.deepEqual((await t.call('GET', '/api/billing/credits', { token: bob })).body, { credits: '0.00' });
    assert.deepEqual((await t.call('GET', '/api/billing/transactions', { token: bob })).body, {
      data: [],
      next_cursor: null,
    });
    // The account claim selects the organisation's account.
    const member = t.token('bob', { account: 'org_1' });
    assert.deepEqual((await t.call('GET', '/api/billing/credits', { token: member })).body, {
      credits: '77.00',
    });
    // A user whose id equals the organisation's reaches only his own account.
    assert.deepEqual((await t.call('GET', '/api/billing/credits', { token: t.token('org_1') })).body, {
      credits: '0.00',
    });
    // Query parameters cannot widen the scope.
    const sneaky = await t.call('GET', '/api/billing/credits?account=alice&account_id=alice', { token: bob });
    assert.deepEqual(sneaky.body, { credits: '0.00' });
  });

  test('GET /summary has the exact shape the widgets read', async () => {
    const token = t.token('u1');
    await t.fund('user:u1', 1250);
    const res = await t.call('GET', '/api/billing/summary', { token });
    assert.equal(res.status, 200);
    // The first history page rides along; it is the same page GET /transactions answers.
    const { transactions, ...rest } = res.body;
    const page = await t.call('GET', '/api/billing/transactions', { token });
    assert.deepEqual(transactions, { ...page.body, limit: 20 });
    assert.equal(transactions.data.length, 1);
    assert.equal(transactions.data[0].amount_cents, 1250);
    assert.deepEqual(rest, {
      billing_enabled: true,
      currency: 'usd',
      credits: '12.50',
      credits_cents: 1250,
      has_payment_method: false,
      // No card saved yet (brand, last4 and expiry once one is: server/test/embedded-checkout.test.ts).
      payment_method: null,
      welcome_credit: '50.00',
      welcome_credit_cents: 5000,
      welcome_granted: false,
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
      subscription: {
        status: 'none',
        plan_id: null,
        current_period_end: null,
        cancel_at: null,
        stripe_subscription_id: null,
      },
      auto_recharge: {
        enabled: false,
        threshold: null,
        threshold_cents: null,
        amount: null,
        amount_cents: null,
        monthly_cap: null,
        monthly_cap_cents: null,
        monthly_cap_max: '2000.00',
        monthly_cap_max_cents: 200_000,
        charged_this_month: '0.00',
        charged_this_month_cents: 0,
        status: 'off',
        last_error: null,
      },
      usage_forecast: { average_daily_7d: '0.00', average_daily_7d_cents: 0, runs_out_on: null },
    });
    const unknown = await t.call('GET', '/api/billing/summary', { token: t.token('brand-new') });
    assert.equal(unknown.body.credits, '0.00');
    assert.equal(unknown.body.credits_cents, 0);
  });

  test('summary reflects a saved card and the welcome credit from the account row', async () => {
    await t.store.write(t.clock.now(), (unit) => {
      unit.grantWelcomeCredit('user:u1', 5000);
      unit.setDefaultPaymentMethod('user:u1', 'pm_1');
    });
    const body = (await t.call('GET', '/api/billing/summary', { token: t.token('u1') })).body;
    assert.equal(body.has_payment_method, true);
    assert.equal(body.welcome_granted, true);
  });

  test('subscription status: active, cancelling, past_due, ended', async () => {
    const status = async () =>
      (await t.call('GET', '/api/billing/summary', { token: t.token('u1') })).body.subscription;

    await addAccess('u1', -86_400, 29 * 86_400);
    await mirror('u1', 'active');
    assert.deepEqual(await status(), {
      status: 'active',
      plan_id: 'pro',
      current_period_end: iso(29 * 86_400),
      cancel_at: null,
      stripe_subscription_id: 'sub_1',
    });

    await mirror('u1', 'active', 1);
    assert.equal((await status()).status, 'cancelling');
    assert.equal((await status()).cancel_at, iso(29 * 86_400));

    await mirror('u1', 'past_due', 0);
    assert.equal((await status()).status, 'past_due');

    await mirror('u1', 'canceled', 0);
    t.clock.advance(30 * 86_400);
    assert.equal((await status()).status, 'ended');
  });

  test('cancelled_at on the access row alone also shows cancelling', async () => {
    await addAccess('u1', -10, 1000, { cancelled_at: iso(-5) });
    const sub = (await t.call('GET', '/api/billing/summary', { token: t.token('u1') })).body.subscription;
    assert.equal(sub.status, 'cancelling');
  });

  test('GET /subscription-access: null, then the row covering now, then null after its end', async () => {
    const token = t.token('u1');
    assert.equal((await t.call('GET', '/api/billing/subscription-access', { token })).body, null);
    await addAccess('u1', -100, 3600);
    await addAccess('u1', -7200, -100); // an older, finished period
    const access = (await t.call('GET', '/api/billing/subscription-access', { token })).body;
    assert.deepEqual(access, {
      start_at: iso(-100),
      end_at: iso(3600),
      created_at: iso(-100),
      cancelled_at: null,
      stripe_subscription_id: 'sub_1',
    });
    await addAccess('other', -100, 3600);
    assert.equal(
      (await t.call('GET', '/api/billing/subscription-access', { token: t.token('nobody') })).body,
      null,
      'scoped by account',
    );
    t.clock.advance(3601);
    assert.equal(
      (await t.call('GET', '/api/billing/subscription-access', { token: t.token('u1') })).body,
      null,
    );
    await addAccess('u2', -100, 3600, { status: 'DISABLED' });
    assert.equal(
      (await t.call('GET', '/api/billing/subscription-access', { token: t.token('u2') })).body,
      null,
    );
  });

  test('GET /transactions pages newest first through every entry exactly once', async () => {
    const token = t.token('u1');
    for (let i = 1; i <= 7; i++) await t.fund('user:u1', i * 100, `src_${i}`);
    await t.call('POST', '/api/billing/usage', {
      apiKey: true,
      body: { user_id: 'u1', amount: 1.25, idempotency_key: 'use-1', description: 'Tokens' },
    });
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const res = await t.call('GET', `/api/billing/transactions${query}`, { token });
      assert.equal(res.status, 200);
      assert.ok(res.body.data.length <= 3);
      seen.push(...res.body.data);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen.map((e) => e.id)).size, 8);
    assert.deepEqual(seen[0], {
      id: seen[0]!.id,
      kind: 'usage',
      amount: '-1.25',
      amount_cents: -125,
      description: 'Tokens',
      balance_after: '26.75',
      balance_after_cents: 2675,
      created_at: t.clock.now().toISOString(),
      stripe_object_id: null,
      feature: null,
    });
    assert.deepEqual(
      seen.slice(1).map((e) => e.amount_cents),
      [700, 600, 500, 400, 300, 200, 100],
    );
    const all = await t.call('GET', '/api/billing/transactions', { token });
    assert.equal(all.body.data.length, 8);
    assert.equal(all.body.next_cursor, null);
  });

  test('GET /transactions refuses bad limits and cursors with 400', async () => {
    const token = t.token('u1');
    for (const limit of ['0', '101', '-1', 'ten', '1.5', '1e2']) {
      const res = await t.call('GET', `/api/billing/transactions?limit=${limit}`, { token });
      assert.equal(res.status, 400, limit);
      assert.equal(res.body.error.code, 'invalid_limit');
      assert.equal(res.body.error.field, 'limit');
    }
    for (const cursor of ['garbage!', 'czA', Buffer.from('s-5').toString('base64url'), 'x'.repeat(100)]) {
      const res = await t.call('GET', `/api/billing/transactions?cursor=${cursor}`, { token });
      assert.equal(res.status, 400, cursor);
      assert.equal(res.body.error.code, 'invalid_cursor');
    }
  });

  test('POST /has-payment-method is false (without asking Stripe) for an account with no customer', async () => {
    const res = await t.call('POST', '/api/billing/has-payment-method', { token: t.token('u1') });
    assert.equal(res.status, 200);
    assert.equal(res.body, false);
  });

  test('a Stripe outage is a 502 in the error envelope', async () => {
    // The test config points Stripe at a closed port.
    await t.fund('user:u1', 100);
    await t.store.write(t.clock.now(), (unit) => unit.setCustomer('user:u1', 'cus_1'));
    const res = await t.call('POST', '/api/billing/has-payment-method', { token: t.token('u1') });
    assert.equal(res.status, 502);
    assert.equal(res.body.error.code, 'stripe_error');
  });
});
