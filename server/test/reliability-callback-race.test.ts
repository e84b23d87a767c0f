import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const SESSIONS = 40;
const USERS = 8;

describe('the success callback racing the webhook', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close(); // audits the ledger
  });

  test(`${SESSIONS} paid sessions, each fulfilled by two callbacks and duplicated webhooks at once → credited once each`, async () => {
    // 30% of the emulator's deliveries go out twice, in shuffled order.
    await h.emulator.control('/_emulator/faults', { duplicate_rate: 0.3, shuffle: true });
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const user = `racer_${i % USERS}`;
        const cents = 500 + i * 13;
        const res = await h.api('POST', '/api/billing/create-checkout-session', {
          token: h.tokenFor(user),
          body: { amount: cents / 100, return_url: `${HOST_ORIGIN}/wallet` },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return { user, cents, redirectUrl: res.body.redirect_url as string };
      }),
    );
    // Paying emits the webhooks at once; the buyer's browser comes back twice (a reload) meanwhile.
    await Promise.all(
      sessions.map(async ({ redirectUrl }) => {
        const sessionId = /cs_[A-Za-z0-9_]+/.exec(redirectUrl)![0];
        const paid = await h.completeCheckout(redirectUrl);
        assert.equal(paid.status, 200, JSON.stringify(paid.body));
        const { success } = await h.returnLinks(sessionId);
        for (const back of await Promise.all([h.visit(success), h.visit(success)])) {
          assert.equal(back.status, 302, back.body);
          assert.equal(back.location, `${HOST_ORIGIN}/wallet?checkout=success`);
        }
      }),
    );
    await h.webhooksDelivered();

    const expected = new Map<string, number>();
    for (const s of sessions) expected.set(s.user, (expected.get(s.user) ?? 0) + s.cents);
    for (const [user, cents] of expected) assert.equal(await balanceOf(h, user), cents, user);
    const rows = await h.store.sql.run(
      "SELECT source_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'purchase' GROUP BY source_id",
    );
    assert.equal(rows.rows.length, SESSIONS, 'one purchase row per session');
    assert.ok(rows.rows.every((r) => Number(r.n) === 1));
    const open = await h.store.sql.run(
      "SELECT COUNT(*) AS n FROM billing_sessions WHERE status <> 'completed'",
    );
    assert.equal(Number(open.rows[0]!.n), 0, 'every session is marked completed');
  });
});
