import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ApiError } from '../errors.ts';
import { tempStore } from '../testing.ts';
import { auditLedger } from './audit.ts';
import { inWriteTransaction, openStore, type Store } from './db.ts';
import { creditLedger, ensureAccount } from './ledger.ts';

const now = new Date('2026-11-01T12:00:00.000Z');

describe('creditLedger', () => {
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, url, cleanup } = await tempStore());
  });
  afterEach(async () => {
    assert.deepEqual(await auditLedger(store), [], 'every balance equals the sum of its ledger rows');
    await cleanup();
  });

  const credit = (accountId: string, amountCents: number, sourceId: string, requireFunds = false) =>
    inWriteTransaction(store, (tx) =>
      creditLedger(tx, {
        accountId,
        amountCents,
        kind: amountCents > 0 ? 'purchase' : 'usage',
        sourceId,
        now,
        requireFunds,
      }),
    );
  const balance = async (accountId: string) =>
    Number(
      (
        await store.client.execute({
          sql: 'SELECT balance_cents FROM accounts WHERE id = ?',
          args: [accountId],
        })
      ).rows[0]?.balance_cents ?? 0,
    );
  const entries = async (accountId: string) =>
    Number(
      (
        await store.client.execute({
          sql: 'SELECT COUNT(*) AS n FROM ledger_entries WHERE account_id = ?',
          args: [accountId],
        })
      ).rows[0]!.n,
    );

  test('a credit creates the account, writes one row and moves the balance', async () => {
    const result = await credit('acct_a', 1250, 'cs_1');
    assert.equal(result.applied, true);
    assert.equal(result.balanceCents, 1250);
    assert.match(result.entryId!, /^le_/);
    assert.equal(await balance('acct_a'), 1250);
    const row = (await store.client.execute('SELECT * FROM ledger_entries')).rows[0]!;
    assert.equal(row.kind, 'purchase');
    assert.equal(row.source_id, 'cs_1');
    assert.equal(row.balance_after_cents, 1250);
    assert.equal(row.created_at, now.toISOString());
  });

  test('the same source twice counts once', async () => {
    await credit('acct_a', 1250, 'cs_1');
    const again = await credit('acct_a', 1250, 'cs_1');
    assert.deepEqual(again, { applied: false, balanceCents: 1250, entryId: null });
    assert.equal(await entries('acct_a'), 1);
  });

  test('the same source with another amount or account is a conflict and writes nothing', async () => {
    await credit('acct_a', 1250, 'key_1');
    for (const [account, amount] of [
      ['acct_a', 999],
      ['acct_b', 1250],
    ] as const) {
      await assert.rejects(credit(account, amount, 'key_1'), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.status, 409);
        assert.equal(err.code, 'idempotency_conflict');
        return true;
      });
    }
    assert.equal(await balance('acct_a'), 1250);
    assert.equal(await entries('acct_b'), 0);
  });

  test('with requireFunds a debit larger than the balance is 402 and writes nothing', async () => {
    await credit('acct_a', 500, 'cs_1');
    await assert.rejects(credit('acct_a', -501, 'use_1', true), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 402);
      assert.equal(err.code, 'insufficient_credits');
      return true;
    });
    assert.equal(await balance('acct_a'), 500);
    assert.equal(await entries('acct_a'), 1);
    // Exactly the balance is fine and leaves zero.
    assert.equal((await credit('acct_a', -500, 'use_2', true)).balanceCents, 0);
  });

  test('a debit on an unknown account with requireFunds creates nothing', async () => {
    await assert.rejects(credit('ghost', -1, 'use_1', true), { code: 'insufficient_credits' });
    const accounts = await store.client.execute('SELECT COUNT(*) AS n FROM accounts');
    assert.equal(Number(accounts.rows[0]!.n), 0);
  });

  test('zero, fractional or unsafe amounts are programming errors', async () => {
    for (const amount of [0, 1.5, Number.NaN, 2 ** 60]) {
      await assert.rejects(credit('acct_a', amount, `bad_${amount}`));
    }
    assert.equal(await entries('acct_a'), 0);
  });

  test('a failure after the ledger write rolls back the row and the balance together', async () => {
    await assert.rejects(
      inWriteTransaction(store, async (tx) => {
        await creditLedger(tx, {
          accountId: 'acct_a',
          amountCents: 700,
          kind: 'purchase',
          sourceId: 'cs_x',
          now,
        });
        throw new Error('crash after the write');
      }),
      /crash after the write/,
    );
    assert.equal(await balance('acct_a'), 0);
    assert.equal(await entries('acct_a'), 0);
    // The source was not consumed: a retry applies it.
    assert.equal((await credit('acct_a', 700, 'cs_x')).applied, true);
  });

  test('racing the same source from many concurrent transactions credits once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => credit('acct_a', 300, 'cs_race')));
    assert.equal(results.filter((r) => r.applied).length, 1);
    assert.equal(await balance('acct_a'), 300);
  });

  test('two store connections on one file (as two processes) never double-count', async () => {
    const second = await openStore({ url });
    try {
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const s = i % 2 === 0 ? store : second;
        // Each source is written by both "processes"; distinct sources all count.
        work.push(
          inWriteTransaction(s, (tx) =>
            creditLedger(tx, {
              accountId: 'acct_a',
              amountCents: 100,
              kind: 'purchase',
              sourceId: `src_${i % 20}`,
              now,
            }),
          ),
        );
      }
      await Promise.all(work);
      assert.equal(await balance('acct_a'), 2000);
      assert.equal(await entries('acct_a'), 20);
      assert.deepEqual(await auditLedger(second), []);
    } finally {
      await second.close();
    }
  });

  test('ensureAccount is idempotent and keeps the first creation time', async () => {
    const first = await inWriteTransaction(store, (tx) => ensureAccount(tx, 'acct_a', now));
    const later = await inWriteTransaction(store, (tx) =>
      ensureAccount(tx, 'acct_a', new Date('2027-01-01')),
    );
    assert.equal(first.createdAt, now.toISOString());
    assert.equal(later.createdAt, now.toISOString());
    assert.equal(later.balanceCents, 0);
  });
});

describe('auditLedger', () => {
  test('finds a balance that drifted from its ledger, and a ledger row without an account', async () => {
    const { store, cleanup } = await tempStore();
    try {
      await inWriteTransaction(store, (tx) =>
        creditLedger(tx, { accountId: 'acct_a', amountCents: 1000, kind: 'grant', sourceId: 'g1', now }),
      );
      await inWriteTransaction(store, (tx) =>
        creditLedger(tx, { accountId: 'acct_b', amountCents: 500, kind: 'grant', sourceId: 'g2', now }),
      );
      assert.deepEqual(await auditLedger(store), []);
      await store.client.execute("UPDATE accounts SET balance_cents = 1001 WHERE id = 'acct_a'");
      assert.deepEqual(await auditLedger(store), [
        { accountId: 'acct_a', balanceCents: 1001, ledgerSumCents: 1000 },
      ]);
      await store.client.execute("UPDATE accounts SET balance_cents = 1000 WHERE id = 'acct_a'");
      await store.client.execute('PRAGMA foreign_keys = OFF');
      await store.client.execute(
        "INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, balance_after_cents, created_at) VALUES ('le_x', 'nobody', 5, 'grant', 'g3', 5, 'now')",
      );
      const found = await auditLedger(store);
      assert.deepEqual(
        found.map((m) => m.accountId),
        ['nobody'],
      );
    } finally {
      await cleanup();
    }
  });
});
