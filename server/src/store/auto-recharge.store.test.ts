import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { storeKinds } from './contract-support.ts';
import type { AutoRechargeClaim, LedgerResult } from './records.ts';
import type { BillingStore, Later } from './store.ts';

const now = new Date('2026-11-10T12:00:00.000Z');
const ACCOUNT = 'user:ada';
const ON = { enabled: true, thresholdCents: 1000, amountCents: 2500, monthlyCapCents: 10_000 };

/**
 * The auto-recharge operations on every store implementation: the claim made in a debit's unit
 * of work holds across several stores on one database (as several server processes), a crossing
 * while a charge is in flight claims nothing, outcomes settle once, and a charge that never got an
 * outcome is given up when the settings are saved long after.
 */
for (const kind of storeKinds()) {
  describe(`auto-recharge on the ${kind.name} store`, { skip: kind.skip }, () => {
    after(() => kind.teardown());
    let store: BillingStore;
    let another: () => Promise<BillingStore>;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, another, cleanup } = await kind.open());
      await store.write(now, (unit) => {
        unit.creditLedger({ accountId: ACCOUNT, amountCents: 2000, kind: 'grant', sourceId: 'fund' });
        unit.saveAutoRechargeSettings(ACCOUNT, ON);
      });
    });
    afterEach(async () => {
      assert.deepEqual(await store.auditLedger(), []);
      await cleanup();
    });

    let keys = 0;
    async function debit(on: BillingStore, cents: number, at = now): Promise<AutoRechargeClaim> {
      let claim!: Later<AutoRechargeClaim>;
      await on.write(at, (unit) => {
        const change: Later<LedgerResult> = unit.creditLedger({
          accountId: ACCOUNT,
          amountCents: -cents,
          kind: 'usage',
          sourceId: `debit-${++keys}`,
          requireFunds: true,
        });
        claim = unit.claimAutoRecharge(ACCOUNT, change);
      });
      return claim.value;
    }

    const attempts = async () =>
      (await store.sql.run('SELECT id, status, error_code FROM auto_recharge_attempts ORDER BY created_at'))
        .rows;

    test('40 concurrent debits from four stores on one database claim one charge', async () => {
      const stores = [store, await another(), await another(), await another()];
      // 20.00 in 0.50 steps: exactly one debit takes the balance from 10.00 to 9.50.
      const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => debit(stores[i % 4]!, 50)));
      const started = claims.filter((c) => c.attempt);
      assert.equal(started.length, 1);
      assert.equal(started[0]!.attempt!.amountCents, 2500);
      assert.equal(await store.balance(ACCOUNT), 0);
      assert.equal((await attempts()).length, 1);
      const view = await store.autoRecharge(ACCOUNT, now);
      assert.equal(view.settings?.state, 'charging');
      assert.equal(view.settings?.attemptId, started[0]!.attempt!.id);
    });

    test('a crossing while a charge is in flight claims nothing; outcomes settle once', async () => {
      const first = await debit(store, 1500); // 20.00 → 5.00
      assert.ok(first.attempt);
      await store.write(now, (unit) =>
        unit.creditLedger({ accountId: ACCOUNT, amountCents: 2000, kind: 'grant', sourceId: 'lift' }),
      );
      const second = await debit(store, 1500); // 25.00 → 10.00: not below, no crossing
      assert.equal(second.attempt, null);
      const third = await debit(store, 500); // 10.00 → 5.00 crosses, while the first is in flight
      assert.equal(third.attempt, null);
      assert.deepEqual(third.settings, { enabled: true, state: 'charging' });

      const decline = {
        status: 'failed' as const,
        paymentIntentId: 'pi_1',
        errorCode: 'card_declined',
        errorMessage: 'Your card was declined.',
      };
      await store.write(now, (unit) => unit.settleAutoRecharge(first.attempt!.id, decline));
      let view = await store.autoRecharge(ACCOUNT, now);
      assert.equal(view.settings?.state, 'failed');
      assert.equal(view.settings?.enabled, false);
      assert.equal(view.settings?.lastErrorCode, 'card_declined');
      // An authentication request arriving late changes nothing.
      await store.write(now, (unit) =>
        unit.settleAutoRecharge(first.attempt!.id, { ...decline, status: 'action_required', errorCode: 'x' }),
      );
      view = await store.autoRecharge(ACCOUNT, now);
      assert.equal(view.settings?.lastErrorCode, 'card_declined');
      assert.deepEqual(
        (await attempts()).map((a) => [a.status, a.error_code]),
        [['failed', 'card_declined']],
      );
      assert.equal(view.chargedThisMonthCents, 0);
    });

    test('the cap counts this month’s charges and notes a skipped one', async () => {
      await store.write(now, (unit) =>
        unit.saveAutoRechargeSettings(ACCOUNT, { ...ON, monthlyCapCents: 4000 }),
      );
      const first = await debit(store, 1500);
      await store.write(now, (unit) => {
        unit.creditLedger({ accountId: ACCOUNT, amountCents: 2500, kind: 'purchase', sourceId: 'pi_1' });
        unit.settleAutoRecharge(first.attempt!.id, { status: 'succeeded', paymentIntentId: 'pi_1' });
      });
      assert.equal((await store.autoRecharge(ACCOUNT, now)).chargedThisMonthCents, 2500);
      const capped = await debit(store, 2500); // 30.00 → 5.00, but 25 + 25 > 40
      assert.equal(capped.attempt, null);
      assert.equal(capped.capReached, true);
      assert.equal((await store.autoRecharge(ACCOUNT, now)).settings?.lastErrorCode, 'monthly_cap_reached');
      // Next month counts afresh.
      const december = new Date('2026-12-01T00:00:00.000Z');
      await store.write(december, (unit) =>
        unit.creditLedger({ accountId: ACCOUNT, amountCents: 1000, kind: 'grant', sourceId: 'lift' }),
      );
      const later = await debit(store, 600, december);
      assert.ok(later.attempt);
      assert.equal((await store.autoRecharge(ACCOUNT, december)).chargedThisMonthCents, 0);
    });

    test('a charge left without an outcome is given up only when saved 15 minutes after', async () => {
      const claim = await debit(store, 1500);
      const soon = new Date(now.getTime() + 5 * 60_000);
      await store.write(soon, (unit) => unit.saveAutoRechargeSettings(ACCOUNT, ON));
      assert.equal((await store.autoRecharge(ACCOUNT, soon)).settings?.state, 'charging');
      const late = new Date(now.getTime() + 20 * 60_000);
      await store.write(late, (unit) => unit.saveAutoRechargeSettings(ACCOUNT, ON));
      const view = await store.autoRecharge(ACCOUNT, late);
      assert.equal(view.settings?.state, 'idle');
      assert.deepEqual(
        (await attempts()).map((a) => [a.status, a.error_code]),
        [['failed', 'abandoned']],
      );
      // It went through after all: the success still counts (the credit is the caller's).
      await store.write(late, (unit) =>
        unit.settleAutoRecharge(claim.attempt!.id, { status: 'succeeded', paymentIntentId: 'pi_late' }),
      );
      assert.equal((await attempts())[0]!.status, 'succeeded');
    });
  });
}
