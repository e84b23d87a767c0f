/**
 * Scaled out as the README's "Scaling out" describes it: two `server/src/main.ts` processes on one
 * remote database (the Hrana test server: the protocol of sqld and Turso), behind a load balancer.
 * Runs only under `npm run test:remote` (BILLING_TEST_DB=remote), which picks up `*.remote-test.ts`
 * files; `npm run test:node` does not see it (it needs the Hrana test server from ../shared).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { startRemoteDatabase } from './remote-db.ts';
import { PAIR_API_KEY, PAIR_HOST_ORIGIN, type ServerPair, startServerPair } from './server-pair.ts';
import { runWebhookStorm } from './webhook-storm.ts';

/** Each 5xx the balancer passed on, one per line, for an assertion message. */
const describeErrors = (pair: ServerPair) =>
  pair.balancer.serverErrors.map((e) => `${e.status} ${e.method} ${e.path}: ${e.body}`).join('\n');

describe('two server processes on one remote database', () => {
  let pair: ServerPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  test('the webhook storm (every event shuffled, 30% twice, at random to either process) ends with the exact ledger and no 5xx', async () => {
    const db = await startRemoteDatabase();
    try {
      const result = await runWebhookStorm({
        topUps: 24,
        subscriptions: 6,
        duplicateRate: 0.3,
        concurrency: 16,
        dbUrl: db.url,
        startOneByOne: true, // the start-up race has its own test below
        // A store that answers this slowly fails the storm rather than stalling the suite.
        timeLimitMs: 60_000,
      });
      const summary = JSON.stringify({ ...result, audit: result.audit.slice(0, 5) });
      assert.equal(result.timedOut, false, `the storm ended within its time limit: ${summary}`);
      assert.deepEqual(result.failedPurchases, [], 'every Checkout session was opened');
      assert.equal(result.serverErrors, 0, `no 5xx answer: ${summary}`);
      assert.equal(result.undelivered, 0, 'every delivery accepted');
      assert.ok(
        result.deliveriesPerProcess.every((n) => n > result.deliveries / 4),
        'both processes took deliveries',
      );
      assert.deepEqual(result.audit, [], 'every balance equals the sum of its ledger rows');
      assert.deepEqual(result.wrongBalances, [], 'every account holds exactly what it paid for');
      assert.equal(result.ledgerCents, result.expectedCents);
      assert.equal(result.processedEvents, result.events, 'each event recorded once');
    } finally {
      await db.stop();
    }
  });

  test('the success callback racing duplicated, shuffled webhooks across both processes credits each payment once, with no 5xx', async () => {
    pair = await startServerPair({ startTogether: false });
    const p = pair;
    await p.emulator.control('/_emulator/faults', { duplicate_rate: 0.3, shuffle: true });
    const sessions = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const user = `racer_${i % 6}`;
        const cents = 500 + i * 13;
        const res = await p.api('POST', '/api/billing/create-checkout-session', {
          token: p.tokenFor(user),
          body: { amount: cents / 100, return_url: `${PAIR_HOST_ORIGIN}/wallet` },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return { user, cents, redirectUrl: res.body.redirect_url as string };
      }),
    );
    // Paying emits the webhooks at once; the buyer's browser comes back twice meanwhile, and the
    // balancer sends each of these requests to either process.
    await Promise.all(
      sessions.map(async ({ redirectUrl }) => {
        const sessionId = /cs_[A-Za-z0-9_]+/.exec(redirectUrl)![0];
        const paid = await p.completeCheckout(redirectUrl);
        assert.equal(paid.status, 200, JSON.stringify(paid.body));
        const { success } = await p.returnLinks(sessionId);
        for (const back of await Promise.all([p.visit(success), p.visit(success)])) {
          assert.equal(back.status, 302, back.body);
          assert.equal(back.location, `${PAIR_HOST_ORIGIN}/wallet?checkout=success`);
        }
      }),
    );
    await p.webhooksDelivered();

    assert.equal(describeErrors(p), '', 'no request answered 5xx');
    assert.ok(
      p.balancer.perBackend.every((n) => n > 0),
      `both processes served: ${p.balancer.perBackend}`,
    );
    const expected = new Map<string, number>();
    for (const s of sessions) expected.set(`user:${s.user}`, (expected.get(`user:${s.user}`) ?? 0) + s.cents);
    const balances = await p.balances();
    for (const [account, cents] of expected) assert.equal(balances.get(account), cents, account);
    assert.equal(
      await p.count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'purchase'"),
      sessions.length,
      'one purchase row per session',
    );
    assert.equal(await p.count("SELECT COUNT(*) FROM billing_sessions WHERE status <> 'completed'"), 0);
    assert.deepEqual(await p.audit(), [], 'every balance equals the sum of its ledger rows');
  });

  test("a new account's first top-up succeeds while its customer.created webhook arrives at the other process", async () => {
    pair = await startServerPair({ startTogether: false });
    const p = pair;
    // Each first top-up creates the Stripe customer, whose customer.created webhook the emulator
    // sends at once, so the event's write and the top-up's own write meet in the database.
    const users = Array.from({ length: 12 }, (_, i) => ({ user: `newcomer_${i}`, cents: 700 + i * 11 }));
    const opened = await Promise.all(
      users.map(async ({ user, cents }) => {
        const res = await p.api('POST', '/api/billing/create-checkout-session', {
          token: p.tokenFor(user),
          body: { amount: cents / 100, return_url: `${PAIR_HOST_ORIGIN}/wallet` },
        });
        return { user, cents, res };
      }),
    );
    const refused = opened.filter((o) => o.res.status !== 200);
    assert.deepEqual(
      refused.map((o) => `${o.user}: ${o.res.status} ${JSON.stringify(o.res.body)}`),
      [],
      'every first top-up opened its Checkout session',
    );
    for (const { res } of opened) assert.equal((await p.completeCheckout(res.body.redirect_url)).status, 200);
    await p.webhooksDelivered();

    assert.equal(describeErrors(p), '', 'no request answered 5xx (webhooks included)');
    assert.ok(
      await p.count("SELECT COUNT(*) FROM webhook_events WHERE type = 'customer.created'"),
      'the customer.created webhooks reached the servers',
    );
    const balances = await p.balances();
    for (const { user, cents } of users) assert.equal(balances.get(`user:${user}`), cents, user);
    assert.deepEqual(await p.audit(), [], 'every balance equals the sum of its ledger rows');
  });

  test('two processes starting at the same moment on a new database both come up, migrated, and write', async () => {
    // Both apply the migrations at once, as two replicas deployed together would.
    pair = await startServerPair();
    const p = pair;
    for (const server of p.servers) {
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200, `${server.url}/readyz: ${await ready.text()}`);
    }
    for (const [i, server] of p.servers.entries()) {
      const res = await fetch(`${server.url}/api/billing/grants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PAIR_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: `starter_${i}`, amount: 1.25, idempotency_key: `start-${i}` }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    const balances = await p.balances();
    assert.deepEqual(
      [balances.get('user:starter_0'), balances.get('user:starter_1')],
      [125, 125],
      'each process wrote its grant',
    );
    assert.deepEqual(await p.audit(), []);
  });
});
