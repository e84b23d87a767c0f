import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { API_KEY, type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const DAY = 86_400;

describe('webhooks: retries, stale and replayed events, shuffled duplicates', () => {
  let h: BillingHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function checkout(harness: BillingHarness, user: string, path: string, body: unknown) {
    const res = await harness.api('POST', `/api/billing${path}`, { token: harness.tokenFor(user), body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const done = await harness.completeCheckout(res.body.redirect_url);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    return /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
  }

  /** Sends `event` again under a new id, signed now, as Stripe would send a later event. */
  async function resend(harness: BillingHarness, event: Stripe.Event, id: string) {
    const res = await harness.postEvent({ ...event, id });
    assert.equal(res.status, 200, await res.text());
  }

  test('a failure while handling answers 500, nothing is recorded, and the retry credits once', async () => {
    const logs: string[] = [];
    h = await startBillingHarness({}, { logs });
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('alice'),
      body: { amount: 40 },
    });
    // The server's next three Stripe calls fail (its SDK retries twice), so the first delivery of
    // checkout.session.completed cannot re-read the session.
    await h.emulator.control('/_emulator/faults', { fail_next: 3 });
    await h.completeCheckout(res.body.redirect_url);
    await h.webhooksDelivered();

    const entries = logs.map((line) => JSON.parse(line));
    const failed = entries.find((e) => e.msg === 'webhook handling failed; Stripe will retry');
    assert.ok(failed, 'the failed handling is logged');
    assert.equal(failed.event_type, 'checkout.session.completed');
    assert.ok(
      entries.some((e) => e.msg === 'request' && e.path === '/api/billing/webhook' && e.status === 500),
    );
    const processed = await h.store.sql.run(
      'SELECT COUNT(*) AS n FROM webhook_events WHERE id = ? AND processed_at IS NOT NULL',
      [failed.event_id],
    );
    assert.equal(Number(processed.rows[0]!.n), 1, 'the retried delivery was processed');
    assert.equal(await balanceOf(h, 'alice'), 4000);
  });

  test('stale and replayed subscription events cannot revive an ended subscription or credit twice', async () => {
    h = await startBillingHarness();
    const sessionId = await checkout(h, 'bob', '/subscription-checkout-session', {});
    await h.webhooksDelivered();
    const subscriptionId = (await h.stripe.checkout.sessions.retrieve(sessionId)).subscription as string;
    assert.equal(await balanceOf(h, 'bob'), 1000);

    // Cancelled at once (as from the portal): access ends now, not at the period end.
    await h.stripe.subscriptions.cancel(subscriptionId);
    await h.webhooksDelivered();
    const access = await h.api('GET', '/api/billing/subscription-access', { token: h.tokenFor('bob') });
    assert.equal(access.body, null);

    const events = (await h.stripe.events.list({ limit: 100 })).data;
    const old = (type: string) => {
      const found = events.filter((e) => e.type === type).at(-1);
      assert.ok(found, `an earlier ${type} event`);
      return found;
    };
    const before = await h.snapshot();
    await resend(h, old('customer.subscription.created'), 'evt_replay_created');
    await resend(h, old('customer.subscription.updated'), 'evt_replay_updated');
    await resend(h, old('invoice.paid'), 'evt_replay_invoice_paid');
    await resend(h, old('invoice.paid'), 'evt_replay_invoice_paid'); // the same delivery twice

    const after = await h.snapshot();
    assert.equal(after.webhook_events, before.webhook_events + 3);
    assert.deepEqual({ ...after, webhook_events: 0 }, { ...before, webhook_events: 0 });
    const mirror = await h.store.sql.run(
      'SELECT status FROM subscriptions WHERE stripe_subscription_id = ?',
      [subscriptionId],
    );
    assert.equal(mirror.rows[0]?.status, 'canceled');
    const rows = await h.store.sql.run(
      'SELECT status FROM subscription_access WHERE stripe_subscription_id = ?',
      [subscriptionId],
    );
    assert.deepEqual(
      rows.rows.map((r) => r.status),
      ['DISABLED'],
    );
    assert.equal(await balanceOf(h, 'bob'), 1000);
  });

  test('shuffled, duplicated deliveries without any success callback end in the exact expected state', async () => {
    h = await startBillingHarness();
    await h.emulator.control('/_emulator/faults', { duplicate_rate: 0.5, shuffle: true });
    for (const amount of [10, 20, 30]) await checkout(h, 'carol', '/create-checkout-session', { amount });
    await checkout(h, 'carol', '/create-customer-setup-session', {});
    await checkout(h, 'carol', '/subscription-checkout-session', {});
    await h.webhooksDelivered();
    await h.advance(32 * DAY);
    await h.webhooksDelivered();

    // 60.00 of top-ups + 50.00 welcome + 10.00 included credit for each of two paid periods.
    assert.equal(await balanceOf(h, 'carol'), 6000 + 5000 + 2000);
    const kinds = await h.store.sql.run(
      "SELECT kind, COUNT(*) AS n FROM ledger_entries WHERE account_id = 'user:carol' GROUP BY kind ORDER BY kind",
    );
    assert.deepEqual(
      kinds.rows.map((r) => `${r.kind}:${r.n}`),
      ['purchase:3', 'subscription:2', 'welcome:1'],
    );
    const summary = await h.api('GET', '/api/billing/summary', { token: h.tokenFor('carol') });
    assert.equal(summary.body.subscription.status, 'active');
    assert.equal(summary.body.has_payment_method, true);
    const sessions = await h.store.sql.run(
      "SELECT COUNT(*) AS n FROM billing_sessions WHERE account_id = 'user:carol' AND status = 'completed'",
    );
    assert.equal(Number(sessions.rows[0]!.n), 5);
  });

  test('a Checkout session whose row cannot be stored is expired at Stripe and answered 503', async () => {
    h = await startBillingHarness();
    await h.store.sql.run(
      "CREATE TRIGGER refuse_sessions BEFORE INSERT ON billing_sessions BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    );
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('dave'),
      body: { amount: 25 },
    });
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'store_unavailable');
    const sessions = await h.stripe.checkout.sessions.list({ limit: 10 });
    assert.equal(sessions.data.length, 1);
    assert.equal(sessions.data[0]?.status, 'expired');
    assert.equal(sessions.data[0]?.url, null);
  });

  test('log lines carry request ids and never a token, key, secret or card number', async () => {
    const logs: string[] = [];
    h = await startBillingHarness({}, { logs });
    const token = h.tokenFor('erin');
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token,
      body: { amount: 12, return_url: `${HOST_ORIGIN}/?token=${token}` },
    });
    await h.completeCheckout(res.body.redirect_url, '4242424242424242');
    await h.webhooksDelivered();
    await h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: 'erin', amount: 1, idempotency_key: 'log-check' },
    });
    await h.api('GET', '/api/billing/credits', { token: `${token}x` });
    await new Promise((resolve) => setImmediate(resolve)); // the logger flushes once per event-loop turn
    assert.ok(logs.length >= 5);
    const text = logs.join('\n');
    for (const secret of [
      token,
      API_KEY,
      h.config.stripeWebhookSecret,
      h.config.stripeSecretKey,
      '4242424242424242',
    ]) {
      assert.ok(!text.includes(secret), `a log line contains ${secret.slice(0, 12)}…`);
    }
    for (const line of logs) {
      let entry: { msg?: string; request_id?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        throw new Error(`not one JSON object per line: ${line}`);
      }
      if (entry.msg === 'request') assert.match(entry.request_id ?? '', /^[A-Za-z0-9._:-]+$/);
    }
  });
});
