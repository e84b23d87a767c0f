import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createClient } from '@libsql/client';
import { applyMigrations, readMigrations } from '../src/store/migrations.ts';
import { openStore } from '../src/store/open-store.ts';
import { SubscriptionCheckoutInProgress } from '../src/store/store-errors.ts';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/** The server's SDK tries each call three times (maxNetworkRetries 2); this many failures defeat it. */
const FAILED_CALL = 3;
const TEMPLATE = '{CHECKOUT_SESSION_ID}';

describe('cancel callback: by session id when Stripe fills it in, else by the server-made ref', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close(); // audits the ledger
  });

  const post = (user: string, path: string, body?: unknown) =>
    h.api('POST', `/api/billing${path}`, { token: h.tokenFor(user), body });
  const sessionIdOf = (url: string) => /cs_[A-Za-z0-9_]+/.exec(url)![0];
  const statusOf = async (id: string) =>
    (await h.store.sql.run('SELECT status FROM billing_sessions WHERE id = ?', [id])).rows[0]?.status;

  async function topUp(user: string, amount: number) {
    const res = await post(user, '/create-checkout-session', {
      amount,
      return_url: `${HOST_ORIGIN}/billing`,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { redirectUrl: res.body.redirect_url as string, sessionId: sessionIdOf(res.body.redirect_url) };
  }

  /** The cancel link as a real Stripe may leave it: the template unfilled, only our ref to go by. */
  async function literalCancelUrl(sessionId: string): Promise<string> {
    const stored = (await h.stripe.checkout.sessions.retrieve(sessionId)).cancel_url;
    assert.ok(stored, 'the session has a cancel_url');
    const literal = stored.replaceAll(sessionId, TEMPLATE);
    assert.ok(literal.includes(`session_id=${TEMPLATE}&ref=`), literal);
    return literal;
  }

  test("the emulator's hosted page fills in the session id: cancel marks the row cancelled and goes back", async () => {
    const { redirectUrl, sessionId } = await topUp('alice', 15);
    const page = await (await fetch(redirectUrl)).text();
    const href = /<a href="([^"]+)">Cancel and return<\/a>/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(href, 'the checkout page links back to cancel_url');
    assert.ok(href.startsWith(`${h.url}/api/billing/cancel?session_id=${sessionId}&ref=`), href);

    // The session id alone (it is in the Checkout page's address) cancels nothing and reveals no
    // return URL: the visitor lands on the default page with checkout=error.
    const plain = await h.visit(`${h.url}/api/billing/cancel?session_id=${sessionId}`);
    assert.equal(plain.status, 302);
    assert.equal(plain.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(await statusOf(sessionId), 'in_progress');

    const back = await h.visit(href);
    assert.equal(back.status, 302, back.body);
    assert.equal(back.location, `${HOST_ORIGIN}/billing?checkout=cancel`);
    assert.equal(await statusOf(sessionId), 'cancelled');
  });

  test('the literal {CHECKOUT_SESSION_ID} left in place: the ref finds the row (raw and percent-encoded)', async () => {
    const first = await topUp('bob', 10);
    const literal = await literalCancelUrl(first.sessionId);
    const back = await h.visit(literal);
    assert.equal(back.status, 302, back.body);
    assert.equal(back.location, `${HOST_ORIGIN}/billing?checkout=cancel`);
    assert.equal(await statusOf(first.sessionId), 'cancelled');

    // A browser may send the braces percent-encoded.
    const second = await topUp('bob', 11);
    const encoded = (await literalCancelUrl(second.sessionId)).replace(TEMPLATE, '%7BCHECKOUT_SESSION_ID%7D');
    const again = await h.visit(encoded);
    assert.equal(again.status, 302, again.body);
    assert.equal(await statusOf(second.sessionId), 'cancelled');

    // Cancelling a top-up does not close it at Stripe: paying from the same page still counts.
    assert.equal((await h.completeCheckout(first.redirectUrl)).status, 200);
    await h.webhooksDelivered();
    assert.equal(await statusOf(first.sessionId), 'completed');
    assert.equal(await balanceOf(h, 'bob'), 1000);
  });

  test('a bad or mismatched session_id/ref pair → the default page with checkout=error, nothing changed', async () => {
    const a = await topUp('carol', 10);
    const b = await topUp('carol', 12);
    const refOf = async (id: string) => new URL(await literalCancelUrl(id)).searchParams.get('ref')!;
    const refA = await refOf(a.sessionId);
    const refB = await refOf(b.sessionId);
    const cancel = `${h.url}/api/billing/cancel`;
    const cases: Array<[string, string]> = [
      [`session_id=${a.sessionId}&ref=${refB}`, "another session's ref"],
      [`session_id=cs_test_unknown123&ref=${refA}`, 'unknown id, real ref'],
      [`session_id=${encodeURIComponent(TEMPLATE)}&ref=${'A'.repeat(22)}`, 'unknown ref'],
      [`session_id=${encodeURIComponent(TEMPLATE)}&ref=short`, 'malformed ref'],
      [`session_id=${a.sessionId}&ref=${refA}x`, 'ref with a tail'],
      [`ref=${encodeURIComponent(`${refA}' OR 1=1 --`)}`, 'injection in ref'],
      [`session_id=${encodeURIComponent(TEMPLATE)}`, 'template, no ref'],
      [`session_id=${a.sessionId}`, 'a real session id, no ref'],
      ['session_id=&ref=', 'both empty'],
      ['', 'nothing'],
    ];
    for (const [query, name] of cases) {
      const before = await h.snapshot();
      const res = await h.visit(`${cancel}?${query}`);
      assert.equal(res.status, 302, `${name}: ${res.body}`);
      assert.equal(res.location, `${HOST_ORIGIN}/?checkout=error`, name);
      assert.deepEqual(await h.snapshot(), before, name);
    }
    assert.equal(await statusOf(a.sessionId), 'in_progress');
    assert.equal(await statusOf(b.sessionId), 'in_progress');
    // The ref alone, with no session_id at all, is enough.
    const byRef = await h.visit(`${cancel}?ref=${refB}`);
    assert.equal(byRef.status, 302);
    assert.equal(await statusOf(b.sessionId), 'cancelled');
    assert.equal(await statusOf(a.sessionId), 'in_progress');
  });

  test('cancelling a subscription checkout by its ref also expires it at Stripe, so its page can no longer be paid', async () => {
    const res = await post('dave', '/subscription-checkout-session', { return_url: `${HOST_ORIGIN}/plan` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const sessionId = sessionIdOf(res.body.redirect_url);
    const back = await h.visit(await literalCancelUrl(sessionId));
    assert.equal(back.status, 302, back.body);
    assert.equal(back.location, `${HOST_ORIGIN}/plan?checkout=cancel`);
    assert.equal(await statusOf(sessionId), 'cancelled');
    assert.equal((await h.stripe.checkout.sessions.retrieve(sessionId)).status, 'expired');
    const paid = await h.completeCheckout(res.body.redirect_url);
    assert.equal(paid.status, 400, JSON.stringify(paid.body));
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.list({ limit: 10 })).data.length, 0);
    assert.equal(await statusOf(sessionId), 'cancelled');
  });

  test('Stripe down during a subscription cancel: still redirected, the row stays in progress and the next subscribe expires it', async () => {
    const first = await post('erin', '/subscription-checkout-session', {});
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const firstId = sessionIdOf(first.body.redirect_url);
    const literal = await literalCancelUrl(firstId);
    await h.emulator.control('/_emulator/faults', { fail_next: FAILED_CALL });
    const back = await h.visit(literal);
    await h.emulator.control('/_emulator/faults', {});
    assert.equal(back.status, 302, back.body);
    assert.equal(await statusOf(firstId), 'in_progress');
    assert.equal((await h.stripe.checkout.sessions.retrieve(firstId)).status, 'open');

    const second = await post('erin', '/subscription-checkout-session', {});
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal((await h.stripe.checkout.sessions.retrieve(firstId)).status, 'expired');
    assert.equal(await statusOf(firstId), 'cancelled');
  });
});

describe('one subscription checkout at a time per account', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.emulator.control('/_emulator/faults', {});
    await h.close(); // audits the ledger
  });

  const subscribeRequest = (user: string) =>
    h.api('POST', '/api/billing/subscription-checkout-session', {
      token: h.tokenFor(user),
      body: { plan: 'pro', return_url: `${HOST_ORIGIN}/plan` },
    });
  const sessionIdOf = (url: string) => /cs_[A-Za-z0-9_]+/.exec(url)![0];
  // Each user here pays for his own account, `user:<name>`.
  const customerOf = async (user: string) =>
    String(
      (await h.store.sql.run('SELECT stripe_customer_id FROM accounts WHERE id = ?', [`user:${user}`]))
        .rows[0]?.stripe_customer_id,
    );
  const openAtStripe = async (user: string) =>
    (
      await h.stripe.checkout.sessions.list({
        customer: await customerOf(user),
        status: 'open',
        limit: 100,
      })
    ).data.filter((s) => s.mode === 'subscription');
  const rowsOf = async (user: string) =>
    (
      await h.store.sql.run(
        `SELECT id, status FROM billing_sessions
              WHERE account_id = ? AND billing_session_type = 'MONTHLY_SUBSCRIPTION' ORDER BY created_at, id`,
        [`user:${user}`],
      )
    ).rows.map((r) => ({ id: String(r.id), status: String(r.status) }));

  async function subscribeOk(user: string) {
    const res = await subscribeRequest(user);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { redirectUrl: res.body.redirect_url as string, sessionId: sessionIdOf(res.body.redirect_url) };
  }

  test('two tabs subscribing at once: exactly one 200 and one 409, one open session at Stripe (three accounts in parallel)', async () => {
    const accounts = ['ann', 'ben', 'cat'];
    // Customers first (a top-up each), so the race is about the subscription checkout alone.
    for (const user of accounts) {
      const res = await h.api('POST', '/api/billing/create-checkout-session', {
        token: h.tokenFor(user),
        body: { amount: 5 },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    // ben already has an abandoned checkout: both requests of his pair race to expire it too.
    const abandoned = await subscribeOk('ben');
    // Slow Stripe keeps both requests of a pair in flight together, which is the race being tested.
    await h.emulator.control('/_emulator/faults', { latency_ms: 150 });
    const answers = await Promise.all(
      accounts.map((user) => Promise.all([subscribeRequest(user), subscribeRequest(user)])),
    );
    await h.emulator.control('/_emulator/faults', {});
    for (const [i, pair] of answers.entries()) {
      const user = accounts[i]!;
      assert.deepEqual(
        pair.map((a) => a.status).sort(),
        [200, 409],
        `${user}: ${JSON.stringify(pair.map((a) => a.body))}`,
      );
      const winner = pair.find((a) => a.status === 200)!;
      const loser = pair.find((a) => a.status === 409)!;
      assert.equal(loser.body.error.code, 'subscription_checkout_in_progress');
      assert.match(loser.body.error.message, /subscription checkout/);
      const open = await openAtStripe(user);
      assert.deepEqual(
        open.map((s) => s.id),
        [sessionIdOf(winner.body.redirect_url)],
        `${user}: one open session`,
      );
      const inProgress = (await rowsOf(user)).filter((r) => r.status === 'in_progress');
      assert.deepEqual(
        inProgress.map((r) => r.id),
        [sessionIdOf(winner.body.redirect_url)],
      );
    }
    assert.equal((await h.stripe.checkout.sessions.retrieve(abandoned.sessionId)).status, 'expired');

    // The winner pays: one subscription, its credit once.
    const annWinner = answers[0]!.find((a) => a.status === 200)!;
    assert.equal((await h.completeCheckout(annWinner.body.redirect_url)).status, 200);
    await h.webhooksDelivered();
    const subscriptions = await h.stripe.subscriptions.list({ customer: await customerOf('ann'), limit: 10 });
    assert.equal(subscriptions.data.length, 1);
    assert.equal(await balanceOf(h, 'ann'), 1000);
  });

  test('subscribing again after abandoning an unpaid checkout: 200, the old one expired and cancelled, its page unpayable', async () => {
    const first = await subscribeOk('dora');
    const second = await subscribeOk('dora');
    assert.notEqual(first.sessionId, second.sessionId);
    assert.equal((await h.stripe.checkout.sessions.retrieve(first.sessionId)).status, 'expired');
    assert.deepEqual(await rowsOf('dora'), [
      { id: first.sessionId, status: 'cancelled' },
      { id: second.sessionId, status: 'in_progress' },
    ]);
    assert.deepEqual(
      (await openAtStripe('dora')).map((s) => s.id),
      [second.sessionId],
    );

    const stale = await h.completeCheckout(first.redirectUrl);
    assert.equal(stale.status, 400, JSON.stringify(stale.body));
    assert.equal((await h.stripe.checkout.sessions.retrieve(first.sessionId)).status, 'expired');

    // Paying the current one works; a further subscribe is refused as before.
    assert.equal((await h.completeCheckout(second.redirectUrl)).status, 200);
    await h.webhooksDelivered();
    assert.equal((await rowsOf('dora'))[1]!.status, 'completed');
    const before = await h.snapshot();
    const sessionsBefore = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const again = await subscribeRequest('dora');
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'subscription_active');
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length, sessionsBefore);
    assert.equal(
      (await h.stripe.subscriptions.list({ customer: await customerOf('dora'), limit: 10 })).data.length,
      1,
    );
    assert.equal(await balanceOf(h, 'dora'), 1000);
  });

  test('an earlier checkout paid before its webhooks arrive: 409 subscription_pending and nothing created', async () => {
    const first = await subscribeOk('eve');
    await h.emulator.emu.webhooks.close(); // the store has not heard of the payment yet
    assert.equal((await h.completeCheckout(first.redirectUrl)).status, 200);
    const before = await h.snapshot();
    const sessionsBefore = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;

    const again = await subscribeRequest('eve');
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'subscription_pending');
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length, sessionsBefore);
    assert.equal((await h.stripe.checkout.sessions.retrieve(first.sessionId)).status, 'complete');

    h.emulator.emu.webhooks.start();
    await h.webhooksDelivered();
    assert.equal((await rowsOf('eve'))[0]!.status, 'completed');
    const later = await subscribeRequest('eve');
    assert.equal(later.status, 409);
    assert.equal(later.body.error.code, 'subscription_active');
    assert.equal(await balanceOf(h, 'eve'), 1000);
  });

  test('Stripe failing while closing the earlier checkout → 502, nothing new opened, the earlier one untouched', async () => {
    const first = await subscribeOk('finn');
    const before = await h.snapshot();
    const sessionsBefore = (await h.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    await h.emulator.control('/_emulator/faults', { fail_next: FAILED_CALL });
    const res = await subscribeRequest('finn');
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'stripe_error');
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.checkout.sessions.list({ limit: 100 })).data.length, sessionsBefore);
    assert.deepEqual(await rowsOf('finn'), [{ id: first.sessionId, status: 'in_progress' }]);
    assert.equal((await h.stripe.checkout.sessions.retrieve(first.sessionId)).status, 'open');
  });

  test('top-ups and card setups are not limited by the rule', async () => {
    for (const [path, body] of [
      ['/create-checkout-session', { amount: 5 }],
      ['/create-checkout-session', { amount: 6 }],
      ['/create-customer-setup-session', {}],
      ['/create-customer-setup-session', {}],
    ] as const) {
      const res = await h.api('POST', `/api/billing${path}`, { token: h.tokenFor('gus'), body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await subscribeOk('gus');
    const open = await h.stripe.checkout.sessions.list({ customer: await customerOf('gus'), status: 'open' });
    assert.equal(open.data.length, 5);
  });
});

describe('migration 002 on a store written before the rule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkout-guards-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('older duplicate subscription checkouts are closed, the newest kept; the index then refuses a second', async () => {
    const url = `file:${join(dir, 'billing.db')}`;
    const migrations = await readMigrations();
    assert.deepEqual(migrations.map((m) => m.name).slice(0, 2), [
      '001_initial.sql',
      '002_checkout_guards.sql',
    ]);
    const legacy = createClient({ url });
    await applyMigrations(legacy, migrations.slice(0, 1));
    const insert = (id: string, account: string, type: string, status: string, at: string) =>
      legacy.execute({
        sql: `INSERT INTO billing_sessions (id, account_id, user_id, status, billing_session_type, created_at, updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?)`,
        args: [id, account, account, status, type, at, at],
      });
    await insert('cs_a1', 'a', 'MONTHLY_SUBSCRIPTION', 'in_progress', '2026-01-01T00:00:00.000Z');
    await insert('cs_a2', 'a', 'MONTHLY_SUBSCRIPTION', 'in_progress', '2026-01-02T00:00:00.000Z');
    await insert('cs_a3', 'a', 'MONTHLY_SUBSCRIPTION', 'in_progress', '2026-01-03T00:00:00.000Z');
    await insert('cs_a4', 'a', 'MONTHLY_SUBSCRIPTION', 'completed', '2026-01-04T00:00:00.000Z');
    await insert('cs_a5', 'a', 'DIRECT_PAYMENT', 'in_progress', '2026-01-05T00:00:00.000Z');
    await insert('cs_a6', 'a', 'DIRECT_PAYMENT', 'in_progress', '2026-01-06T00:00:00.000Z');
    await insert('cs_b1', 'b', 'MONTHLY_SUBSCRIPTION', 'in_progress', '2026-01-01T00:00:00.000Z');
    legacy.close();

    const store = await openStore({ url });
    try {
      const rows = await store.sql.run('SELECT id, status, cancel_ref FROM billing_sessions ORDER BY id');
      assert.deepEqual(
        rows.rows.map((r) => [r.id, r.status, r.cancel_ref]),
        [
          ['cs_a1', 'cancelled', null],
          ['cs_a2', 'cancelled', null],
          ['cs_a3', 'in_progress', null],
          ['cs_a4', 'completed', null],
          ['cs_a5', 'in_progress', null],
          ['cs_a6', 'in_progress', null],
          ['cs_b1', 'in_progress', null],
        ],
      );
      const now = new Date('2026-02-01T00:00:00.000Z');
      const session = (id: string, returnRef: string) => ({
        id,
        // Migration 003 made the legacy account "a" (used by the user "a" alone) `user:a`.
        accountId: 'user:a',
        userId: 'a',
        type: 'MONTHLY_SUBSCRIPTION' as const,
        priceCents: 2000,
        priceCode: 'pro',
        returnUrl: `${HOST_ORIGIN}/`,
        returnRef,
      });
      const record = (id: string) =>
        store.write(now, (unit) => unit.recordBillingSession(session(id, 'r'.repeat(22))));
      const close = (id: string) => store.write(now, (unit) => unit.closeBillingSession(id, 'cancelled'));
      await assert.rejects(record('cs_a7'), SubscriptionCheckoutInProgress);
      assert.equal(await close('cs_a3'), true);
      await record('cs_a7');
      // A reused cancel ref is a plain store error, not mistaken for the subscription rule.
      await close('cs_a7');
      await assert.rejects(record('cs_a8'), (err) => {
        assert.ok(!(err instanceof SubscriptionCheckoutInProgress));
        assert.match(String(err), /cancel_ref/);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});
