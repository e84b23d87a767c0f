import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const DAY = 86_400;

describe('subscription lifecycle through Checkout, webhooks and the emulator clock', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const get = async (user: string, path: string) => {
    const res = await h.api('GET', `/api/billing${path}`, { token: h.tokenFor(user) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const post = (user: string, path: string, body?: unknown) =>
    h.api('POST', `/api/billing${path}`, { token: h.tokenFor(user), body });

  async function subscribe(user: string, card = '4242424242424242') {
    const res = await post(user, '/subscription-checkout-session', {
      plan: 'pro',
      return_url: `${HOST_ORIGIN}/plan`,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    const paid = await h.completeCheckout(res.body.redirect_url, card);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    const back = await h.visit((await h.returnLinks(sessionId)).success);
    assert.equal(back.status, 302, back.body);
    assert.equal(back.location, `${HOST_ORIGIN}/plan?checkout=success`);
    await h.webhooksDelivered();
    const session = await h.stripe.checkout.sessions.retrieve(sessionId);
    return session.subscription as string;
  }

  /** Access rows of the user's own account (`user:<name>`). */
  async function accessRows(user: string) {
    const rs = await h.store.sql.run(
      `SELECT status, start_at, end_at, cancelled_at, stripe_invoice_payment_id FROM subscription_access
            WHERE account_id = ? ORDER BY start_at`,
      [`user:${user}`],
    );
    return rs.rows;
  }

  async function subscriptionCredits(user: string) {
    const rs = await h.store.sql.run(
      "SELECT source_id, amount_cents FROM ledger_entries WHERE account_id = ? AND kind = 'subscription'",
      [`user:${user}`],
    );
    return rs.rows.map((r) => ({ source: String(r.source_id), cents: Number(r.amount_cents) }));
  }

  test('subscribe → 409 on a second → renewal extends access and grants credit once → cancel → ends at period end', async () => {
    const subscriptionId = await subscribe('alice');
    const stripeSub = await h.stripe.subscriptions.retrieve(subscriptionId);
    assert.deepEqual(stripeSub.metadata, { account_id: 'user:alice', user_id: 'alice', plan_id: 'pro' });
    assert.equal(stripeSub.items.data[0]?.price.unit_amount, 2000);
    assert.equal(stripeSub.items.data[0]?.price.recurring?.interval, 'month');

    const access = await get('alice', '/subscription-access');
    assert.deepEqual(Object.keys(access).sort(), [
      'cancelled_at',
      'created_at',
      'end_at',
      'start_at',
      'stripe_subscription_id',
    ]);
    assert.equal(access.stripe_subscription_id, subscriptionId);
    assert.equal(access.cancelled_at, null);
    assert.equal(access.end_at, new Date(stripeSub.items.data[0]!.current_period_end * 1000).toISOString());
    assert.equal(await balanceOf(h, 'alice'), 1000);
    assert.equal((await get('alice', '/summary')).subscription.status, 'active');

    // A second subscription while one is active: refused before anything is created.
    const before = await h.snapshot();
    const sessionsBefore = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const again = await post('alice', '/subscription-checkout-session', {});
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'subscription_active');
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length, sessionsBefore);

    // A month later Stripe renews: a second paid period and the included credit once more.
    await h.advance(32 * DAY);
    await h.webhooksDelivered();
    const rows = await accessRows('alice');
    assert.equal(rows.length, 2);
    assert.ok(String(rows[1]!.end_at) > String(rows[0]!.end_at));
    assert.equal(rows[1]!.start_at, rows[0]!.end_at);
    const renewed = await get('alice', '/subscription-access');
    assert.equal(renewed.end_at, rows[1]!.end_at);
    const credits = await subscriptionCredits('alice');
    assert.equal(credits.length, 2);
    assert.equal(new Set(credits.map((c) => c.source)).size, 2);
    assert.ok(credits.every((c) => c.cents === 1000 && c.source.startsWith('in_')));
    assert.equal(await balanceOf(h, 'alice'), 2000);

    // Cancel: access lasts until the end of the paid period.
    const cancel = await post('alice', '/cancel-subscription');
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, 'success');
    assert.equal(typeof cancel.body.message, 'string');
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end, true);
    await h.webhooksDelivered();
    const cancelling = await get('alice', '/summary');
    assert.equal(cancelling.subscription.status, 'cancelling');
    assert.equal(cancelling.subscription.cancel_at, renewed.end_at);
    const stillOn = await get('alice', '/subscription-access');
    assert.notEqual(stillOn.cancelled_at, null);
    assert.equal(stillOn.end_at, renewed.end_at);

    // A day before the end: still on. Past the end: Stripe deletes it and access is DISABLED.
    const secondsToEnd = (Date.parse(renewed.end_at) - h.clock.now().getTime()) / 1000;
    await h.advance(Math.floor(secondsToEnd - DAY));
    await h.webhooksDelivered();
    assert.notEqual(await get('alice', '/subscription-access'), null);
    await h.advance(2 * DAY);
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).status, 'canceled');
    assert.equal(await get('alice', '/subscription-access'), null);
    assert.ok((await accessRows('alice')).every((r) => r.status === 'DISABLED'));
    assert.equal((await get('alice', '/summary')).subscription.status, 'ended');
    assert.equal(await balanceOf(h, 'alice'), 2000);
    const gone = await post('alice', '/cancel-subscription');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'no_active_subscription');

    // After the end a new subscription may start.
    const fresh = await post('alice', '/subscription-checkout-session', {});
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  });

  test('resume before the end keeps the subscription renewing', async () => {
    const subscriptionId = await subscribe('bob');
    assert.equal((await post('bob', '/cancel-subscription')).status, 200);
    await h.webhooksDelivered();
    assert.equal((await get('bob', '/summary')).subscription.status, 'cancelling');

    const resume = await post('bob', '/resume-subscription');
    assert.equal(resume.status, 200, JSON.stringify(resume.body));
    assert.equal(resume.body.status, 'success');
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end, false);
    assert.equal((await get('bob', '/summary')).subscription.status, 'active');
    assert.equal((await get('bob', '/subscription-access')).cancelled_at, null);

    await h.advance(32 * DAY);
    await h.webhooksDelivered();
    const rows = await accessRows('bob');
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.status === 'ACTIVE'));
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).status, 'active');
    assert.equal(await balanceOf(h, 'bob'), 2000);
  });

  test('a failing card on renewal → past due, no new period, no credit', async () => {
    const subscriptionId = await subscribe('carol');
    const customer = (await h.stripe.subscriptions.retrieve(subscriptionId)).customer as string;
    const failing = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer });
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: failing.id } });
    await h.stripe.subscriptions.update(subscriptionId, { default_payment_method: failing.id });

    await h.advance(32 * DAY);
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.retrieve(subscriptionId)).status, 'past_due');
    const summary = await get('carol', '/summary');
    assert.equal(summary.subscription.status, 'past_due');
    const mirror = await h.store.sql.run(
      'SELECT status FROM subscriptions WHERE stripe_subscription_id = ?',
      [subscriptionId],
    );
    assert.equal(mirror.rows[0]?.status, 'past_due');
    assert.equal((await accessRows('carol')).length, 1);
    assert.equal(await balanceOf(h, 'carol'), 1000);
    // Still a live subscription at Stripe: another one is refused.
    assert.equal((await post('carol', '/subscription-checkout-session', {})).status, 409);
  });

  test('the portal session opens for the caller and returns to an allowed origin', async () => {
    await subscribe('dave');
    const res = await post('dave', '/portal-session', { return_url: `${HOST_ORIGIN}/account` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['redirect_url']);
    assert.match(res.body.redirect_url, /^http:\/\/127\.0\.0\.1:\d+\//);
  });
});
