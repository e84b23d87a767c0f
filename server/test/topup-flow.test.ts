import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import { API_KEY, type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

describe('top-up through Checkout', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close(); // audits the ledger: every balance equals the sum of its rows
  });

  async function startTopUp(user: string, amount: unknown, returnUrl = `${HOST_ORIGIN}/billing`) {
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor(user),
      body: { amount, return_url: returnUrl },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body), ['redirect_url']);
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)?.[0];
    assert.ok(sessionId, res.body.redirect_url);
    return { redirectUrl: res.body.redirect_url as string, sessionId };
  }

  /** The ledger of the user's own account (`user:<name>`). */
  async function ledgerRows(user: string) {
    const rs = await h.store.sql.run(
      'SELECT kind, amount_cents, source_id FROM ledger_entries WHERE account_id = ? ORDER BY seq',
      [`user:${user}`],
    );
    return rs.rows.map((r) => ({
      kind: r.kind,
      amount_cents: Number(r.amount_cents),
      source_id: r.source_id,
    }));
  }

  async function cancelRefOf(sessionId: string) {
    const rs = await h.store.sql.run('SELECT cancel_ref FROM billing_sessions WHERE id = ?', [sessionId]);
    const ref = String(rs.rows[0]?.cancel_ref);
    assert.match(ref, /^[A-Za-z0-9_-]{22}$/, 'a 128-bit base64url reference');
    return ref;
  }

  test('the Checkout session carries the amount, the customer and our callbacks', async () => {
    const { sessionId } = await startTopUp('alice', 25.5);
    const session = await h.stripe.checkout.sessions.retrieve(sessionId, { expand: ['line_items'] });
    assert.equal(session.mode, 'payment');
    assert.equal(session.amount_subtotal, 2550);
    assert.equal(session.currency, 'usd');
    assert.deepEqual(session.metadata, { account_id: 'user:alice', user_id: 'alice', kind: 'topup' });
    assert.equal(
      session.success_url,
      `${h.url}/api/billing/success?session_id={CHECKOUT_SESSION_ID}&ref=${await cancelRefOf(sessionId)}`,
    );
    assert.equal(
      session.cancel_url,
      `${h.url}/api/billing/cancel?session_id={CHECKOUT_SESSION_ID}&ref=${await cancelRefOf(sessionId)}`,
    );
    const customer = (await h.stripe.customers.retrieve(session.customer as string)) as Stripe.Customer;
    assert.equal(customer.metadata.account_id, 'user:alice');
    // A second top-up reuses the customer.
    const again = await startTopUp('alice', 10);
    const second = await h.stripe.checkout.sessions.retrieve(again.sessionId);
    assert.equal(second.customer, session.customer);
    assert.equal((await h.stripe.customers.list({ limit: 10 })).data.length, 1);
  });

  test('concurrent first top-ups of a new account create one Stripe customer', async () => {
    const token = h.tokenFor('gina');
    const answers = await Promise.all(
      [5, 6, 7].map((amount) =>
        h.api('POST', '/api/billing/create-checkout-session', { token, body: { amount } }),
      ),
    );
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    const customers = (await h.stripe.customers.list({ limit: 10 })).data;
    assert.equal(customers.length, 1);
    assert.equal(customers[0]?.metadata.account_id, 'user:gina');
    const account = await h.store.sql.run("SELECT stripe_customer_id FROM accounts WHERE id = 'user:gina'");
    assert.equal(account.rows[0]?.stripe_customer_id, customers[0]?.id);
    const sessions = await h.store.sql.run(
      "SELECT COUNT(*) AS n FROM billing_sessions WHERE account_id = 'user:gina' AND status = 'in_progress'",
    );
    assert.equal(Number(sessions.rows[0]!.n), 3);
  });

  test('a client reusing its X-Request-Id still gets a new session per top-up', async () => {
    const send = (amount: number) =>
      fetch(`${h.url}/api/billing/create-checkout-session`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.tokenFor('hank')}`,
          'content-type': 'application/json',
          'x-request-id': 'client-chosen-id',
        },
        body: JSON.stringify({ amount }),
      });
    const first = await send(10);
    const second = await send(10);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200, await second.clone().text());
    const [a, b] = [
      (await first.json()) as { redirect_url: string },
      (await second.json()) as { redirect_url: string },
    ];
    assert.notEqual(a.redirect_url, b.redirect_url);
    const open = (await h.stripe.checkout.sessions.list({ limit: 10 })).data.filter(
      (s) => s.status === 'open',
    );
    assert.equal(open.length, 2);
  });

  test('credited once while the success callback, the webhook and duplicate webhooks race', async () => {
    const { redirectUrl, sessionId } = await startTopUp('alice', 25);
    // Every emulator delivery is sent twice, and we replay the signed event ourselves on top.
    await h.emulator.control('/_emulator/faults', { duplicate_rate: 1 });
    const paid = await h.completeCheckout(redirectUrl);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));

    const events = await h.stripe.events.list({ type: 'checkout.session.completed', limit: 1 });
    const completed = events.data[0];
    assert.ok(completed);
    assert.equal((completed.data.object as Stripe.Checkout.Session).id, sessionId);
    const payload = JSON.stringify(completed);
    const redeliver = () =>
      fetch(`${h.url}/api/billing/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signPayload(
            payload,
            h.config.stripeWebhookSecret,
            Math.floor(Date.now() / 1000),
          ),
        },
        body: payload,
      });
    const successUrl = (await h.returnLinks(sessionId)).success;
    const [s1, s2, w1, w2, w3] = await Promise.all([
      h.visit(successUrl),
      h.visit(successUrl),
      redeliver(),
      redeliver(),
      redeliver(),
    ]);
    for (const s of [s1, s2]) {
      assert.equal(s.status, 302, s.body);
      assert.equal(s.location, `${HOST_ORIGIN}/billing?checkout=success`);
    }
    for (const w of [w1, w2, w3]) assert.equal(w.status, 200, await w.text());
    await h.webhooksDelivered();

    assert.equal(await balanceOf(h, 'alice'), 2500);
    assert.deepEqual(await ledgerRows('alice'), [
      { kind: 'purchase', amount_cents: 2500, source_id: sessionId },
    ]);
    const row = await h.store.sql.run('SELECT status FROM billing_sessions WHERE id = ?', [sessionId]);
    assert.equal(row.rows[0]?.status, 'completed');
    const credits = await h.api('GET', '/api/billing/credits', { token: h.tokenFor('alice') });
    assert.deepEqual(credits.body, { credits: '25.00' });
    // A later visit of the success page still redirects and still changes nothing.
    assert.equal((await h.visit(successUrl)).status, 302);
    assert.equal(await balanceOf(h, 'alice'), 2500);
  });

  test('the webhook alone credits a top-up whose buyer never comes back', async () => {
    const { redirectUrl, sessionId } = await startTopUp('bob', 7.77);
    await h.completeCheckout(redirectUrl);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 777);
    assert.deepEqual(await ledgerRows('bob'), [
      { kind: 'purchase', amount_cents: 777, source_id: sessionId },
    ]);
  });

  test('/success for a session that is not paid yet → the default page with checkout=error, nothing credited', async () => {
    const { redirectUrl, sessionId } = await startTopUp('carol', 30);
    const { success } = await h.returnLinks(sessionId);
    const before = await h.snapshot();
    const res = await h.visit(success);
    assert.equal(res.status, 302);
    assert.equal(res.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.deepEqual(await h.snapshot(), before);

    // A declined card leaves the session open: still not paid.
    const declined = await h.completeCheckout(redirectUrl, '4000000000000002');
    assert.equal(declined.status, 402);
    await h.webhooksDelivered();
    const again = await h.visit(success);
    assert.equal(again.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(await balanceOf(h, 'carol'), 0);
    assert.deepEqual(await ledgerRows('carol'), []);
  });

  test('cancel callback and expiry mark the session cancelled; a later payment still counts', async () => {
    const first = await startTopUp('dave', 15);
    const cancel = await h.visit((await h.returnLinks(first.sessionId)).cancel);
    assert.equal(cancel.status, 302);
    assert.equal(cancel.location, `${HOST_ORIGIN}/billing?checkout=cancel`);
    const status = async (id: string) =>
      (await h.store.sql.run('SELECT status FROM billing_sessions WHERE id = ?', [id])).rows[0]?.status;
    assert.equal(await status(first.sessionId), 'cancelled');

    // The buyer went back to the still-open page and paid after all: the money is not lost.
    await h.completeCheckout(first.redirectUrl);
    await h.webhooksDelivered();
    assert.equal(await status(first.sessionId), 'completed');
    assert.equal(await balanceOf(h, 'dave'), 1500);

    const second = await startTopUp('dave', 20);
    await h.stripe.checkout.sessions.expire(second.sessionId);
    await h.webhooksDelivered();
    assert.equal(await status(second.sessionId), 'cancelled');
    const res = await h.visit((await h.returnLinks(second.sessionId)).success);
    assert.equal(res.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(await balanceOf(h, 'dave'), 1500);
  });

  test('the default return_url is the first allowed origin', async () => {
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('erin'),
      body: { amount: 5 },
    });
    assert.equal(res.status, 200);
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    await h.completeCheckout(res.body.redirect_url);
    const back = await h.visit((await h.returnLinks(sessionId)).success);
    assert.equal(back.location, `${HOST_ORIGIN}/?checkout=success`);
  });

  test('usage debits with idempotency keys, 402 debits nothing, transactions page through', async () => {
    const { redirectUrl } = await startTopUp('frank', 10);
    await h.completeCheckout(redirectUrl);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'frank'), 1000);

    for (let i = 0; i < 6; i++) {
      const res = await h.api('POST', '/api/billing/usage', {
        token: API_KEY,
        body: { user_id: 'frank', amount: 1.25, idempotency_key: `job-${i}`, description: `job ${i}` },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const replay = await h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: 'frank', amount: 1.25, idempotency_key: 'job-0' },
    });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.balance_cents, 250);
    const before = await h.snapshot();
    const tooMuch = await h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: 'frank', amount: 2.51, idempotency_key: 'job-big' },
    });
    assert.equal(tooMuch.status, 402);
    assert.equal(tooMuch.body.error.code, 'insufficient_credits');
    assert.deepEqual(await h.snapshot(), before);
    assert.equal(await balanceOf(h, 'frank'), 250);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/billing/transactions?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await h.api('GET', query, { token: h.tokenFor('frank') });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(page.body.data.length <= 3);
      for (const entry of page.body.data) seen.push(`${entry.kind}:${entry.amount}:${entry.balance_after}`);
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [
      'usage:-1.25:2.50',
      'usage:-1.25:3.75',
      'usage:-1.25:5.00',
      'usage:-1.25:6.25',
      'usage:-1.25:7.50',
      'usage:-1.25:8.75',
      'purchase:10.00:10.00',
    ]);
  });
});
