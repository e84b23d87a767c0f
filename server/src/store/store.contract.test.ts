import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { ApiError } from '../errors.ts';
import { storeKinds } from './contract-support.ts';
import type { BillingStore } from './store.ts';
import { SubscriptionCheckoutInProgress, WebhookEventAlreadyProcessed } from './store-errors.ts';

const now = new Date('2026-11-01T12:00:00.000Z');

/**
 * The store's contract, run against every implementation that can be opened here (a temp file;
 * a remote libSQL server when the Hrana test server is available, see contract-support.ts).
 */
for (const kind of storeKinds()) {
  describe(`${kind.name} store`, { skip: kind.skip }, () => {
    after(() => kind.teardown());
    let store: BillingStore;
    let another: () => Promise<BillingStore>;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, another, cleanup } = await kind.open());
    });
    afterEach(async () => {
      assert.deepEqual(await store.auditLedger(), [], 'every balance equals the sum of its ledger rows');
      await cleanup();
    });

    const credit = (accountId: string, amountCents: number, sourceId: string, requireFunds = false) =>
      store.write(now, (unit) =>
        unit.creditLedger({
          accountId,
          amountCents,
          kind: amountCents > 0 ? 'purchase' : 'usage',
          sourceId,
          requireFunds,
        }),
      );
    const entries = async (accountId: string) => (await store.ledgerPage(accountId, 100, null)).entries;
    const count = async (table: string) =>
      Number((await store.sql.run(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);

    describe('creditLedger', () => {
      test('a credit creates the account, writes one row and moves the balance', async () => {
        const result = await credit('acct_a', 1250, 'cs_1');
        assert.equal(result.applied, true);
        assert.equal(result.balanceCents, 1250);
        assert.match(result.entryId!, /^le_/);
        assert.equal(await store.balance('acct_a'), 1250);
        const [entry] = await entries('acct_a');
        assert.equal(entry!.id, result.entryId);
        assert.equal(entry!.kind, 'purchase');
        assert.equal(entry!.amountCents, 1250);
        assert.equal(entry!.balanceAfterCents, 1250);
        assert.equal(entry!.createdAt, now.toISOString());
        const account = await store.account('acct_a');
        assert.equal(account?.createdAt, now.toISOString());
      });

      test('the same source twice counts once', async () => {
        await credit('acct_a', 1250, 'cs_1');
        const again = await credit('acct_a', 1250, 'cs_1');
        assert.deepEqual(again, { applied: false, balanceCents: 1250, entryId: null });
        assert.equal((await entries('acct_a')).length, 1);
      });

      test('the same source with another amount or account is a 409 and writes nothing', async () => {
        await credit('acct_a', 1250, 'key_1');
        for (const [account, amount] of [
          ['acct_a', 999],
          ['acct_b', 1250],
          ['acct_b', -5],
        ] as const) {
          await assert.rejects(credit(account, amount, 'key_1', true), (err: unknown) => {
            assert.ok(err instanceof ApiError);
            assert.equal(err.status, 409);
            assert.equal(err.code, 'idempotency_conflict');
            return true;
          });
        }
        assert.equal(await store.balance('acct_a'), 1250);
        assert.equal(await store.account('acct_b'), null, 'no stray account for a refused change');
      });

      test('with requireFunds a debit larger than the balance is a 402 and writes nothing', async () => {
        await credit('acct_a', 500, 'cs_1');
        await assert.rejects(credit('acct_a', -501, 'use_1', true), (err: unknown) => {
          assert.ok(err instanceof ApiError);
          assert.equal(err.status, 402);
          assert.equal(err.code, 'insufficient_credits');
          assert.equal(err.message, 'The balance of 5.00 does not cover 5.01.');
          return true;
        });
        assert.equal(await store.balance('acct_a'), 500);
        assert.equal((await entries('acct_a')).length, 1);
        // Exactly the balance is fine and leaves zero; the key refused before is still free.
        assert.equal((await credit('acct_a', -500, 'use_1', true)).balanceCents, 0);
      });

      test('a debit on an unknown account with requireFunds creates nothing', async () => {
        await assert.rejects(credit('ghost', -1, 'use_1', true), { code: 'insufficient_credits' });
        assert.equal(await count('accounts'), 0);
      });

      test('a debit without requireFunds may take the balance below zero', async () => {
        await credit('acct_a', 100, 'cs_1');
        assert.equal((await credit('acct_a', -300, 'adj_1')).balanceCents, -200);
      });

      test('zero, fractional or unsafe amounts are programming errors, refused before the store', async () => {
        for (const amount of [0, 1.5, Number.NaN, 2 ** 60]) {
          await assert.rejects(credit('acct_a', amount, `bad_${amount}`), /non-zero safe integer/);
        }
        assert.equal(await count('ledger_entries'), 0);
      });

      test('a refusal anywhere in a unit rolls back every operation of it', async () => {
        await assert.rejects(
          store.write(now, (unit) => {
            unit.creditLedger({ accountId: 'acct_a', amountCents: 700, kind: 'purchase', sourceId: 'cs_x' });
            unit.ensureAccount('acct_b');
            unit.creditLedger({
              accountId: 'acct_b',
              amountCents: -1,
              kind: 'usage',
              sourceId: 'u',
              requireFunds: true,
            });
          }),
          { code: 'insufficient_credits' },
        );
        assert.equal(await count('accounts'), 0);
        assert.equal(await count('ledger_entries'), 0);
        // The source was not consumed: a retry applies it.
        assert.equal((await credit('acct_a', 700, 'cs_x')).applied, true);
      });

      test('later operations of a unit see the earlier ones', async () => {
        await store.write(now, (unit) => {
          unit.creditLedger({ accountId: 'acct_a', amountCents: 300, kind: 'grant', sourceId: 'g1' });
          unit.creditLedger({
            accountId: 'acct_a',
            amountCents: -300,
            kind: 'usage',
            sourceId: 'u1',
            requireFunds: true,
          });
        });
        const [debit, grant] = await entries('acct_a');
        assert.equal(grant?.balanceAfterCents, 300);
        assert.equal(debit?.balanceAfterCents, 0);
      });

      test('racing the same source from many concurrent units credits once', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => credit('acct_a', 300, 'cs_race')));
        assert.equal(results.filter((r) => r.applied).length, 1);
        assert.equal(await store.balance('acct_a'), 300);
      });

      test('concurrent debits never take the balance below zero', async () => {
        await credit('acct_a', 1000, 'cs_1');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) => credit('acct_a', -100, `use_${i}`, true)),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 10);
        assert.equal(await store.balance('acct_a'), 0);
      });

      test('the welcome credit is granted once per account and stamps the account', async () => {
        const first = await store.write(now, (unit) => unit.grantWelcomeCredit('acct_a', 50));
        const again = await store.write(new Date('2026-12-01'), (unit) =>
          unit.grantWelcomeCredit('acct_a', 50),
        );
        assert.equal(first.applied, true);
        assert.equal(again.applied, false);
        const account = await store.account('acct_a');
        assert.equal(account?.balanceCents, 50);
        assert.equal(account?.welcomeGrantedAt, now.toISOString());
      });
    });

    describe('accounts and sessions', () => {
      const session = (id: string, accountId: string, type: 'DIRECT_PAYMENT' | 'MONTHLY_SUBSCRIPTION') => ({
        id,
        accountId,
        userId: accountId.slice(accountId.indexOf(':') + 1),
        type,
        priceCents: 2000,
        priceCode: type === 'MONTHLY_SUBSCRIPTION' ? 'pro' : null,
        returnUrl: 'https://host.example/billing',
        returnRef: `ref_${id}`.padEnd(22, 'x'),
      });

      test('ensureAccount is idempotent and keeps the first creation time', async () => {
        await store.write(now, (unit) => unit.ensureAccount('acct_a'));
        await store.write(new Date('2027-01-01'), (unit) => unit.ensureAccount('acct_a'));
        const account = await store.account('acct_a');
        assert.equal(account?.createdAt, now.toISOString());
        assert.equal(account?.balanceCents, 0);
      });

      test('the first customer recorded stays; later ones are answered with it', async () => {
        const first = await store.write(now, (unit) => {
          unit.ensureAccount('user:a');
          return unit.setCustomer('user:a', 'cus_1');
        });
        const second = await store.write(now, (unit) => unit.setCustomer('user:a', 'cus_2'));
        assert.equal(first, 'cus_1');
        assert.equal(second, 'cus_1');
        assert.equal(await store.accountIdForCustomer('cus_1'), 'user:a');
        assert.equal(await store.accountIdForCustomer('cus_2'), null);
      });

      test('sessions are recorded, found by id and ref, closed and completed', async () => {
        await store.write(now, (unit) =>
          unit.recordBillingSession(session('cs_1', 'user:a', 'DIRECT_PAYMENT')),
        );
        const found = await store.billingSession('cs_1');
        assert.equal(found?.status, 'in_progress');
        assert.equal(found?.priceCents, 2000);
        assert.deepEqual(await store.billingSessionByReturnRef(found!.returnRef!), found);
        assert.equal(await store.write(now, (unit) => unit.closeBillingSession('cs_1', 'cancelled')), true);
        assert.equal(await store.write(now, (unit) => unit.closeBillingSession('cs_1', 'error')), false);
        await store.write(now, (unit) => unit.completeBillingSession('cs_1'));
        assert.equal((await store.billingSession('cs_1'))?.status, 'completed');
        assert.equal(await store.write(now, (unit) => unit.closeBillingSession('cs_1', 'cancelled')), false);
        assert.equal(await store.billingSession('cs_404'), null);
      });

      test('one subscription checkout in progress per account', async () => {
        await store.write(now, (unit) =>
          unit.recordBillingSession(session('cs_1', 'user:a', 'MONTHLY_SUBSCRIPTION')),
        );
        await assert.rejects(
          store.write(now, (unit) =>
            unit.recordBillingSession(session('cs_2', 'user:a', 'MONTHLY_SUBSCRIPTION')),
          ),
          SubscriptionCheckoutInProgress,
        );
        assert.deepEqual(await store.openSubscriptionCheckoutIds('user:a'), ['cs_1']);
        await store.write(now, (unit) => unit.closeBillingSession('cs_1', 'cancelled'));
        await store.write(now, (unit) =>
          unit.recordBillingSession(session('cs_2', 'user:a', 'MONTHLY_SUBSCRIPTION')),
        );
        assert.deepEqual(await store.openSubscriptionCheckoutIds('user:a'), ['cs_2']);
      });
    });

    describe('subscriptions', () => {
      const update = (extra: Partial<Parameters<typeof mirror>[0]> = {}) => ({
        subscriptionId: 'sub_1',
        accountId: 'user:a',
        userId: 'a',
        planId: 'pro',
        status: 'active',
        cancelAtPeriodEnd: false,
        currentPeriodEnd: '2026-12-01T00:00:00.000Z',
        endedAt: null,
        cancelledAt: null,
        ...extra,
      });
      const mirror = (u: {
        subscriptionId: string;
        accountId: string;
        userId: string | null;
        planId: string | null;
        status: string;
        cancelAtPeriodEnd: boolean;
        currentPeriodEnd: string | null;
        endedAt: string | null;
        cancelledAt: string | null;
      }) =>
        store.write(now, (unit) => {
          unit.ensureAccount(u.accountId);
          unit.mirrorSubscription(u);
        });
      const period = (invoiceId: string, credit = 1000) =>
        store.write(now, (unit) => {
          unit.ensureAccount('user:a');
          return unit.recordPaidPeriod({
            accountId: 'user:a',
            userId: 'a',
            subscriptionId: 'sub_1',
            invoiceId,
            startAt: '2026-11-01T00:00:00.000Z',
            endAt: '2026-12-01T00:00:00.000Z',
            includedCredit:
              credit > 0 ? { amountCents: credit, description: 'Pro plan: included credit' } : null,
          });
        });

      test('a paid period grants access and its credit once per invoice', async () => {
        assert.equal(await period('in_1'), true);
        assert.equal(await period('in_1'), false);
        // A replay with another included amount (the plan changed) keeps what was granted.
        assert.equal(await period('in_1', 5000), false);
        assert.equal(await store.balance('user:a'), 1000);
        const access = await store.currentAccess('user:a', now);
        assert.equal(access?.endAt, '2026-12-01T00:00:00.000Z');
        assert.equal(access?.stripeSubscriptionId, 'sub_1');
        assert.equal(await store.liveSubscriptionId('user:a', now), 'sub_1');
      });

      test('the mirror follows Stripe, and an ended subscription stays ended', async () => {
        await period('in_1', 0);
        await mirror(update());
        let records = await store.subscriptionRecords('user:a', now);
        assert.equal(records.latestMirror?.status, 'active');
        assert.equal(records.hadAccess, true);
        await mirror(update({ cancelAtPeriodEnd: true, cancelledAt: '2026-11-02T00:00:00.000Z' }));
        records = await store.subscriptionRecords('user:a', now);
        assert.equal(records.latestMirror?.cancelAtPeriodEnd, true);
        assert.equal(records.currentAccess?.cancelledAt, '2026-11-02T00:00:00.000Z');
        await mirror(update());
        assert.equal((await store.currentAccess('user:a', now))?.cancelledAt, null);
        await mirror(update({ status: 'canceled', endedAt: '2026-11-10T00:00:00.000Z' }));
        // An older read arriving late does not revive it.
        await mirror(update({ status: 'active' }));
        records = await store.subscriptionRecords('user:a', new Date('2026-11-05T00:00:00.000Z'));
        assert.equal(records.latestMirror?.status, 'canceled');
        assert.equal(records.currentAccess, null);
        assert.equal(await store.liveSubscriptionId('user:a', now), null);
      });
    });

    describe('webhook events', () => {
      test('an event is recorded once; a second unit for it is refused and writes nothing', async () => {
        assert.equal(await store.webhookEventProcessed('evt_1'), false);
        await store.write(now, (unit) => {
          unit.recordWebhookEvent('evt_1', 'checkout.session.completed');
          unit.creditLedger({ accountId: 'acct_a', amountCents: 100, kind: 'purchase', sourceId: 'cs_1' });
        });
        assert.equal(await store.webhookEventProcessed('evt_1'), true);
        await assert.rejects(
          store.write(now, (unit) => {
            unit.recordWebhookEvent('evt_1', 'checkout.session.completed');
            unit.creditLedger({ accountId: 'acct_a', amountCents: 100, kind: 'purchase', sourceId: 'cs_2' });
          }),
          WebhookEventAlreadyProcessed,
        );
        assert.equal(await store.balance('acct_a'), 100);
      });
    });

    describe('rate limits', () => {
      const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

      test('a bucket allows a burst of its size, then says how long to wait, and refills with time', async () => {
        for (let i = 0; i < 3; i++) assert.equal(await store.rateLimits.take('k', 3, now), null);
        assert.equal(await store.rateLimits.take('k', 3, now), 20, 'one request every 20 s');
        assert.equal(await store.rateLimits.take('other', 3, now), null, 'keys are independent');
        assert.equal(await store.rateLimits.take('k', 3, at(10)), 10);
        assert.equal(await store.rateLimits.take('k', 3, at(20)), null);
        assert.equal(await store.rateLimits.take('k', 3, at(20)), 20);
        // A clock that went backwards refills nothing and takes nothing.
        assert.equal(await store.rateLimits.take('k', 3, now), 20);
      });

      test('every process on the database draws from the same budget', async () => {
        const second = await another();
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? store : second).rateLimits.take('shared', 6, now),
          ),
        );
        assert.equal(answers.filter((wait) => wait === null).length, 6);
      });

      test('buckets untouched for a minute are swept away', async () => {
        await store.rateLimits.take('old', 5, now);
        // Another store's first take sweeps (each store sweeps about once a minute).
        const second = await another();
        await second.rateLimits.take('new', 5, at(61));
        const keys = (await store.sql.run('SELECT key FROM rate_limits ORDER BY key')).rows.map((r) => r.key);
        assert.deepEqual(keys, ['new']);
      });
    });

    describe('reads', () => {
      test('the ledger pages newest first by sequence', async () => {
        for (let i = 1; i <= 5; i++) await credit('acct_a', i, `s_${i}`);
        const first = await store.ledgerPage('acct_a', 2, null);
        assert.deepEqual(
          first.entries.map((e) => e.amountCents),
          [5, 4],
        );
        const second = await store.ledgerPage('acct_a', 2, first.nextBeforeSeq);
        assert.deepEqual(
          second.entries.map((e) => e.amountCents),
          [3, 2],
        );
        const last = await store.ledgerPage('acct_a', 2, second.nextBeforeSeq);
        assert.deepEqual(
          last.entries.map((e) => e.amountCents),
          [1],
        );
        assert.equal(last.nextBeforeSeq, null);
      });

      test('the audit finds a balance that drifted from its ledger', async () => {
        await credit('acct_a', 1000, 'g1');
        await store.sql.run("UPDATE accounts SET balance_cents = 1001 WHERE id = 'acct_a'");
        assert.deepEqual(await store.auditLedger(), [
          { accountId: 'acct_a', balanceCents: 1001, ledgerSumCents: 1000 },
        ]);
        await store.sql.run("UPDATE accounts SET balance_cents = 1000 WHERE id = 'acct_a'");
      });

      test('usage records: spend per UTC day and feature in the window, and the last week, from the usage index', async () => {
        await credit('acct_a', 10_000, 'fund');
        const use = (cents: number, key: string, feature: string | null, occurredAt: string) =>
          store.write(now, (unit) =>
            unit.creditLedger({
              accountId: 'acct_a',
              amountCents: -cents,
              kind: 'usage',
              sourceId: key,
              feature,
              occurredAt,
              requireFunds: true,
            }),
          );
        await use(100, 'u1', 'chat', '2026-10-20T10:00:00.000Z'); // before the window
        await use(200, 'u2', 'chat', '2026-10-28T23:59:59.999Z');
        await use(50, 'u3', 'images', '2026-10-28T00:00:00.000Z');
        await use(30, 'u4', 'chat', '2026-10-28T08:00:00.000Z');
        await use(70, 'u5', null, '2026-11-01T11:00:00.000Z');
        await credit('acct_b', 500, 'fund_b');
        await credit('acct_b', -40, 'b1'); // another account's usage never counts
        const records = await store.usageRecords('acct_a', '2026-10-26', now);
        assert.deepEqual(records.days, [
          {
            day: '2026-10-28',
            features: [
              { feature: 'chat', spentCents: 230 },
              { feature: 'images', spentCents: 50 },
            ],
          },
          { day: '2026-11-01', features: [{ feature: null, spentCents: 70 }] },
        ]);
        // The last 7 × 24 hours: from 2026-10-25T12:00Z, so u1 is out.
        assert.equal(records.lastWeekCents, 350);
        const [row] = (
          await store.sql.run("SELECT feature, occurred_at FROM ledger_entries WHERE source_id = 'u2'")
        ).rows;
        assert.deepEqual({ ...row }, { feature: 'chat', occurred_at: '2026-10-28T23:59:59.999Z' });
        assert.deepEqual((await store.usageRecords('acct_a', null, now)).days, []);
        // The summary's grouping streams over the index: no table lookups, no sort before grouping.
        const plan = await store.sql.run(
          `EXPLAIN QUERY PLAN SELECT occurred_on, feature, -SUM(amount_cents) AS spent
           FROM ledger_entries WHERE account_id = ? AND kind = 'usage' AND occurred_on >= ?
           GROUP BY occurred_on, feature ORDER BY occurred_on, spent DESC, feature`,
          ['acct_a', '2026-10-26'],
        );
        const detail = plan.rows.map((r) => String(r.detail)).join('\n');
        assert.match(detail, /USING COVERING INDEX ledger_usage_by_day \(account_id=\? AND occurred_on>\?\)/);
        assert.doesNotMatch(detail, /TEMP B-TREE FOR GROUP BY/);
      });

      test('ping answers true while the store is open', async () => {
        assert.equal(await store.ping(), true);
      });
    });

    describe('reverseGrant and restoreReversal (refunds, disputes)', () => {
      const take = (
        unit: Parameters<Parameters<BillingStore['write']>[1]>[0],
        sourceId: string,
        before: number,
        after: number,
        of = 5000,
      ) =>
        unit.reverseGrant({
          grantSourceId: 'cs_grant',
          sourceId,
          kind: sourceId.startsWith('du_') ? 'dispute' : 'refund',
          beforeCents: before,
          afterCents: after,
          ofCents: of,
          stripeObjectId: sourceId,
          description: 'Payment refunded',
        });

      test('takes the share once per source, never more than the grant holds, even from two processes at once', async () => {
        await credit('acct_a', 5000, 'cs_grant');
        await credit('acct_a', -1000, 'use_1');
        const other = await another();
        // Two refunds of $30 each on a $50 payment (Stripe would refuse the second; the cap must hold anyway).
        const [a, b] = await Promise.all([
          store.write(now, (unit) => take(unit, 're_1', 0, 3000)),
          other.write(now, (unit) => take(unit, 're_2', 0, 3000)),
        ]);
        assert.equal(a.amountCents + b.amountCents, -5000);
        assert.equal(await store.balance('acct_a'), -1000, 'spent credit is owed');
        const replay = await store.write(now, (unit) => take(unit, 're_1', 0, 3000));
        assert.deepEqual(replay, { applied: false, amountCents: 0 });
        const [entry] = await entries('acct_a');
        assert.equal(entry!.kind, 'refund');
        assert.match(entry!.stripeObjectId!, /^re_/);
      });

      test('a grant’s share rounds on cumulative amounts, so partial take-backs add up to the grant', async () => {
        await credit('acct_a', 1000, 'cs_grant');
        const parts = [];
        for (const [i, [before, after]] of [
          [0, 333],
          [333, 666],
          [666, 999],
          [999, 2000],
        ].entries()) {
          parts.push(
            (await store.write(now, (unit) => take(unit, `re_${i}`, before!, after!, 2000))).amountCents,
          );
        }
        assert.deepEqual(parts, [-167, -166, -167, -500]);
        assert.equal(await store.balance('acct_a'), 0);
      });

      test('a restore gives back exactly what the dispute took, once; an unknown grant or dispute writes nothing', async () => {
        await credit('acct_a', 5000, 'cs_grant');
        await store.write(now, (unit) => take(unit, 're_1', 0, 2000));
        const taken = await store.write(now, (unit) => take(unit, 'du_1', 0, 5000));
        assert.equal(taken.amountCents, -3000, 'the dispute takes only what the refund left');
        const restore = () =>
          store.write(now, (unit) =>
            unit.restoreReversal({
              reversedSourceId: 'du_1',
              sourceId: 'du_1:reinstated',
              kind: 'dispute_reinstated',
              stripeObjectId: 'du_1',
              description: 'Dispute won',
            }),
          );
        assert.deepEqual(await restore(), { applied: true, amountCents: 3000 });
        assert.deepEqual(await restore(), { applied: false, amountCents: 0 });
        assert.equal(await store.balance('acct_a'), 3000);
        const before = await count('ledger_entries');
        const unknown = await store.write(now, (unit) =>
          unit.reverseGrant({
            grantSourceId: 'cs_unknown',
            sourceId: 're_x',
            kind: 'refund',
            beforeCents: 0,
            afterCents: 100,
            ofCents: 100,
            stripeObjectId: 're_x',
            description: 'x',
          }),
        );
        assert.deepEqual(unknown, { applied: false, amountCents: 0 });
        assert.equal(await count('ledger_entries'), before);
      });

      test('the reconcile checkpoint only moves forward', async () => {
        assert.equal(await store.reconcileCheckpoint('stripe_events'), null);
        await store.write(now, (unit) => unit.advanceReconcileCheckpoint('stripe_events', 2000, 3));
        await store.write(now, (unit) => unit.advanceReconcileCheckpoint('stripe_events', 1000, 0));
        assert.equal((await store.reconcileCheckpoint('stripe_events'))?.eventCreated, 2000);
      });
    });
  });
}
