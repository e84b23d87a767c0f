import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/** The server's SDK tries each call three times (maxNetworkRetries 2); this many failures defeat it. */
const FAILED_CALL = 3;

describe('emulator faults during every flow: a clear error, no money lost or doubled', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await faults({});
    await h.close(); // audits the ledger
  });

  const faults = async (body: Record<string, unknown>) => {
    const res = await h.emulator.control('/_emulator/faults', body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const post = (user: string, path: string, body?: unknown) =>
    h.api('POST', `/api/billing${path}`, { token: h.tokenFor(user), body });
  const sessionIdOf = (url: string) => /cs_[A-Za-z0-9_]+/.exec(url)![0];
  const stripeSessions = async () => (await h.stripe.checkout.sessions.list({ limit: 100 })).data;
  // biome-ignore lint/suspicious/noExplicitAny: the harness answers free-form JSON
  const assertStripeError = (res: { status: number; body: any }) => {
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'stripe_error');
    assert.match(res.body.error.message, /^Stripe could not /);
  };

  async function subscribed(user: string): Promise<string> {
    const res = await post(user, '/subscription-checkout-session', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    await h.webhooksDelivered();
    return (await h.stripe.checkout.sessions.retrieve(sessionIdOf(res.body.redirect_url)))
      .subscription as string;
  }

  test('top-up: one failed call is retried with the same idempotency key → one session', async () => {
    await faults({ fail_next: 1 });
    const res = await post('alice', '/create-checkout-session', { amount: 20 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await stripeSessions()).length, 1);
    assert.equal((await h.stripe.customers.list({ limit: 10 })).data.length, 1);
  });

  test('top-up: Stripe failing → 502 stripe_error, nothing opened at Stripe, store unchanged', async () => {
    const before = await h.snapshot();
    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('alice', '/create-checkout-session', { amount: 20 }));
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.customers.list({ limit: 10 })).data.length, 0);
    // The customer exists now; the session create itself fails.
    assert.equal((await post('alice', '/create-checkout-session', { amount: 20 })).status, 200);
    const opened = await h.snapshot();
    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('alice', '/create-checkout-session', { amount: 30 }));
    assert.deepEqual(await h.snapshot(), opened);
    assert.equal((await stripeSessions()).length, 1);
  });

  test('top-up: slow Stripe (latency) still opens exactly one session per request', async () => {
    await faults({ latency_ms: 150 });
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((u) => post(u, '/create-checkout-session', { amount: 10 })),
    );
    for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await stripeSessions()).length, 4);
    assert.equal(Number((await h.store.sql.run('SELECT COUNT(*) AS n FROM billing_sessions')).rows[0]!.n), 4);
  });

  test('top-up paid while Stripe fails: the callback sends the buyer back with checkout=error and credits nothing; the retry and webhooks credit once', async () => {
    const res = await post('alice', '/create-checkout-session', { amount: 25 });
    const sessionId = sessionIdOf(res.body.redirect_url);
    await h.emulator.emu.webhooks.close(); // hold the webhooks back so the callback goes first
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    const { success } = await h.returnLinks(sessionId);
    await faults({ fail_next: FAILED_CALL });
    // The buyer is not shown a JSON error page: back to the default page with checkout=error.
    const failed = await h.visit(success);
    assert.equal(failed.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(await balanceOf(h, 'alice'), 0);
    const back = await h.visit(success);
    assert.equal(back.status, 302, back.body);
    assert.equal(await balanceOf(h, 'alice'), 2500);
    // Now the webhooks arrive, the first ones failing at Stripe (500 → the emulator retries).
    await faults({ fail_next: FAILED_CALL });
    h.emulator.emu.webhooks.start();
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'alice'), 2500);
  });

  test('top-up paid while Stripe fails for the webhook: 500, retried, credited once', async () => {
    const res = await post('bob', '/create-checkout-session', { amount: 12.34 });
    await faults({ fail_next: FAILED_CALL * 2 });
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 1234);
    const rows = await h.store.sql.run(
      "SELECT COUNT(*) AS n FROM ledger_entries WHERE account_id = 'user:bob'",
    );
    assert.equal(Number(rows.rows[0]!.n), 1);
  });

  test('a Checkout session whose row cannot be stored is expired at Stripe for top-up, setup and subscribe', async () => {
    await h.store.sql.run(
      "CREATE TRIGGER refuse_sessions BEFORE INSERT ON billing_sessions BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    for (const [path, body] of [
      ['/create-checkout-session', { amount: 25 }],
      ['/create-customer-setup-session', {}],
      ['/subscription-checkout-session', {}],
    ] as const) {
      const res = await post('carol', path, body);
      assert.equal(res.status, 503, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'store_unavailable');
    }
    const sessions = await stripeSessions();
    assert.equal(sessions.length, 3);
    assert.deepEqual(sessions.map((s) => [s.mode, s.status, s.url]).sort(), [
      ['payment', 'expired', null],
      ['setup', 'expired', null],
      ['subscription', 'expired', null],
    ]);
    await h.store.sql.run('DROP TRIGGER refuse_sessions');
  });

  test('setup: Stripe failing → 502; a paid setup whose fulfilment fails is retried and grants the welcome credit once', async () => {
    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('dave', '/create-customer-setup-session', {}));
    assert.equal((await stripeSessions()).length, 0);

    const res = await post('dave', '/create-customer-setup-session', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await h.emulator.emu.webhooks.close();
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    const sessionId = sessionIdOf(res.body.redirect_url);
    const links = await h.returnLinks(sessionId);
    await faults({ fail_next: FAILED_CALL });
    assert.equal((await h.visit(links.success)).location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(await balanceOf(h, 'dave'), 0);
    await faults({ fail_next: FAILED_CALL });
    h.emulator.emu.webhooks.start();
    await h.webhooksDelivered();
    const back = await h.visit(links.success);
    assert.equal(back.status, 302);
    assert.equal(back.location, `${HOST_ORIGIN}/?setup=success`);
    assert.equal(await balanceOf(h, 'dave'), 5000);
    const summary = await h.api('GET', '/api/billing/summary', { token: h.tokenFor('dave') });
    assert.equal(summary.body.has_payment_method, true);
    const customer = await h.stripe.customers.retrieve(await customerOf('dave'));
    assert.ok(!customer.deleted && customer.invoice_settings.default_payment_method);
  });

  async function customerOf(user: string): Promise<string> {
    const rs = await h.store.sql.run('SELECT stripe_customer_id FROM accounts WHERE id = ?', [
      `user:${user}`,
    ]);
    return String(rs.rows[0]!.stripe_customer_id);
  }

  test('subscribe: Stripe failing → 502 and no session; then one subscription with its credit once', async () => {
    assert.equal((await post('erin', '/create-checkout-session', { amount: 5 })).status, 200); // customer exists
    const before = await h.snapshot();
    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('erin', '/subscription-checkout-session', {}));
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await stripeSessions()).filter((s) => s.mode === 'subscription').length, 0);

    await faults({ duplicate_rate: 0.5, shuffle: true });
    await subscribed('erin');
    assert.equal(await balanceOf(h, 'erin'), 1000, 'the plan credit, once');
    assert.equal((await h.stripe.subscriptions.list({ limit: 10 })).data.length, 1);
  });

  test('cancel and resume: Stripe failing → 502 and the subscription unchanged on both sides; slow Stripe still works', async () => {
    const subscriptionId = await subscribed('frank');
    const status = async () =>
      (await h.api('GET', '/api/billing/summary', { token: h.tokenFor('frank') })).body.subscription.status;
    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('frank', '/cancel-subscription'));
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end, false);
    assert.equal(await status(), 'active');

    await faults({ latency_ms: 100 });
    const cancelled = await post('frank', '/cancel-subscription');
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end, true);
    assert.equal(await status(), 'cancelling');

    await faults({ fail_next: FAILED_CALL });
    assertStripeError(await post('frank', '/resume-subscription'));
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end, true);
    assert.equal(await status(), 'cancelling');
    await faults({});
    assert.equal((await post('frank', '/resume-subscription')).status, 200);
    await h.webhooksDelivered();
    assert.equal(await status(), 'active');
    assert.equal(await balanceOf(h, 'frank'), 1000);
  });
});
