import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Transaction } from '@libsql/client';
import { inWriteTransaction, openDatabase as openStore, type Store } from './db.ts';
import { GroupCommit } from './group-commit.ts';
import { auditOf as auditLedger, grantOn, tempDatabase as tempStore } from './old-machinery-test-support.ts';
import { WriteConnection } from './write-connection.ts';
import { writeLockFor } from './write-lock.ts';

const now = new Date('2026-11-01T12:00:00.000Z');
const root = fileURLToPath(new URL('../../..', import.meta.url));

let store: Store;
let url: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ store, url, cleanup } = await tempStore());
});
const writers: WriteConnection[] = [];
afterEach(async () => {
  for (const writer of writers.splice(0)) writer.close();
  assert.deepEqual(await auditLedger(store), [], 'every balance equals the sum of its ledger rows');
  await cleanup();
});

const count = async (sql: string, args: string[] = []) =>
  Number((await store.client.execute({ sql, args })).rows[0]!.n);
const balanceOf = async (accountId: string) =>
  Number(
    (
      await store.client.execute({
        sql: 'SELECT balance_cents FROM accounts WHERE id = ?',
        args: [accountId],
      })
    ).rows[0]?.balance_cents ?? 0,
  );
const grant = (tx: Transaction, accountId: string, amountCents: number, sourceId: string) =>
  grantOn(tx, accountId, amountCents, sourceId, now);

/**
 * A GroupCommit as openStore builds one (a write connection of its own on the store's file, the
 * same write queue), counting the transactions it opens.
 */
function countingGroup(maxGroupSize?: number) {
  const path = url.slice('file:'.length);
  const writer = new WriteConnection(path, writeLockFor(path), 5000);
  writers.push(writer);
  const counter = { transactions: 0 };
  const group = new GroupCommit({
    begin: () => {
      counter.transactions++;
      return writer.begin();
    },
    queueTimeoutMs: 5000,
    maxGroupSize,
  });
  return { group, counter };
}

describe('group commit', () => {
  test('concurrent credits share one transaction; exactly the callers that did not throw are written, each once', async () => {
    const { group, counter } = countingGroup();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        group.run(async (tx) => {
          const result = await grant(tx, `acct_${i % 4}`, 100 + i, `src_${i}`);
          // Every third caller fails after writing: its row and balance change must vanish alone.
          if (i % 3 === 0) throw new Error(`caller ${i} failed`);
          return result;
        }),
      ),
    );
    assert.equal(counter.transactions, 1, 'all 40 were queued at once: one transaction, one COMMIT');
    let expectedRows = 0;
    const expected = new Map<string, number>();
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 3 === 0) {
        assert.equal(outcome.status, 'rejected');
        assert.match(String((outcome as PromiseRejectedResult).reason), new RegExp(`caller ${i} failed`));
      } else {
        assert.equal(outcome.status, 'fulfilled', String((outcome as PromiseRejectedResult).reason));
        expectedRows++;
        expected.set(`acct_${i % 4}`, (expected.get(`acct_${i % 4}`) ?? 0) + 100 + i);
      }
    }
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_entries'), expectedRows);
    assert.equal(await count('SELECT COUNT(DISTINCT source_id) AS n FROM ledger_entries'), expectedRows);
    for (let i = 0; i < 40; i += 3) {
      assert.equal(
        await count('SELECT COUNT(*) AS n FROM ledger_entries WHERE source_id = ?', [`src_${i}`]),
        0,
      );
    }
    for (const [account, cents] of expected) assert.equal(await balanceOf(account), cents, account);
  });

  test('through inWriteTransaction: throwing callers get their own error and leave nothing, the rest commit once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        inWriteTransaction(store, async (tx) => {
          await grant(tx, 'acct_a', 10, `g_${i % 20}`); // ten sources are asked for twice
          if (i === 13 || i === 25) throw new Error(`no ${i}`);
          return i;
        }),
      ),
    );
    assert.deepEqual(
      results.flatMap((r, i) => (r.status === 'rejected' ? [i] : [])),
      [13, 25],
    );
    // Source 13 has no twin, so it is missing; source 5 was written by caller 5 whatever caller 25 did.
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_entries'), 19);
    assert.equal(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE source_id = 'g_13'"), 0);
    assert.equal(await balanceOf('acct_a'), 190);
  });

  test("a caller sees its own writes, and never another caller's rolled-back ones", async () => {
    const seen: Record<string, number> = {};
    const [first, second, third] = await Promise.allSettled([
      inWriteTransaction(store, async (tx) => {
        await grant(tx, 'acct_a', 500, 'doomed');
        throw new Error('rolled back');
      }),
      inWriteTransaction(store, async (tx) => {
        const doomed = await tx.execute(
          "SELECT COUNT(*) AS n FROM ledger_entries WHERE source_id = 'doomed'",
        );
        seen.doomed = Number(doomed.rows[0]!.n);
        await grant(tx, 'acct_a', 40, 'kept');
        const mine = await tx.execute("SELECT balance_cents FROM accounts WHERE id = 'acct_a'");
        seen.own = Number(mine.rows[0]!.balance_cents);
        return 'ok';
      }),
      inWriteTransaction(store, async (tx) => {
        // Released callers before it in the group count as committed, as they would one at a time.
        const r = await grant(tx, 'acct_a', 2, 'later');
        return r.balanceCents;
      }),
    ]);
    assert.equal(first.status, 'rejected');
    assert.deepEqual(second, { status: 'fulfilled', value: 'ok' });
    assert.deepEqual(third, { status: 'fulfilled', value: 42 });
    assert.deepEqual(seen, { doomed: 0, own: 40 });
    assert.equal(await balanceOf('acct_a'), 42);
  });

  test('a COMMIT that fails rejects every caller of the group, and nothing of theirs is written', async () => {
    // A deferred foreign key is checked at COMMIT, so one caller's orphan row fails the whole COMMIT.
    await store.client.execute('CREATE TABLE parents (id TEXT PRIMARY KEY)');
    await store.client.execute(
      'CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const { group, counter } = countingGroup();
    const outcomes = await Promise.allSettled([
      group.run((tx) => grant(tx, 'acct_a', 100, 's1')),
      group.run(async (tx) => {
        await tx.execute("INSERT INTO children (id, parent) VALUES ('c1', 'missing')");
      }),
      group.run((tx) => grant(tx, 'acct_b', 300, 's2')),
      group.run(async () => {
        throw new Error('its own failure');
      }),
    ]);
    assert.equal(counter.transactions, 1);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String((outcome as PromiseRejectedResult).reason), /FOREIGN KEY constraint failed/);
    }
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_entries'), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM accounts'), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM children'), 0);
    // The store carries on: the next group commits.
    await Promise.all([
      inWriteTransaction(store, (tx) => grant(tx, 'acct_a', 100, 's1')),
      inWriteTransaction(store, (tx) => grant(tx, 'acct_b', 300, 's2')),
    ]);
    assert.equal(await balanceOf('acct_a'), 100);
    assert.equal(await balanceOf('acct_b'), 300);
  });

  test('a caller that ends the shared transaction fails alone; the others run again and commit once', async () => {
    const { group, counter } = countingGroup();
    const runs = { before: 0, after: 0 };
    const outcomes = await Promise.allSettled([
      group.run(async (tx) => {
        runs.before++;
        return grant(tx, 'acct_a', 100, 'before');
      }),
      group.run(async (tx) => {
        // Like SQLite's own rollback after SQLITE_FULL or an I/O error: the whole transaction is gone.
        await tx.execute('ROLLBACK');
      }),
      group.run(async (tx) => {
        runs.after++;
        return grant(tx, 'acct_a', 5, 'after');
      }),
    ]);
    assert.equal(outcomes[0]!.status, 'fulfilled');
    assert.equal(outcomes[1]!.status, 'rejected');
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /TRANSACTION_CLOSED/);
    assert.equal(outcomes[2]!.status, 'fulfilled');
    assert.equal((outcomes[2] as PromiseFulfilledResult<{ balanceCents: number }>).value.balanceCents, 105);
    assert.deepEqual(runs, { before: 2, after: 1 });
    assert.equal(counter.transactions, 2);
    assert.equal(await balanceOf('acct_a'), 105);
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_entries'), 2);
  });

  test('callers cannot end the transaction themselves, nor write into it after they returned', async () => {
    let late: unknown;
    let lateDone!: () => void;
    const lateWrite = new Promise<void>((resolve) => {
      lateDone = resolve;
    });
    const [leaky, slow, selfCommit] = await Promise.allSettled([
      inWriteTransaction(store, async (tx) => {
        await grant(tx, 'acct_a', 10, 'on_time');
        // Fires while the next caller of the same group is still running.
        setTimeout(() => {
          tx.execute({
            sql: "INSERT INTO webhook_events (id, type, received_at) VALUES ('late', 't', 'n')",
          }).then(lateDone, (err: unknown) => {
            late = err;
            lateDone();
          });
        }, 5);
      }),
      inWriteTransaction(store, async (tx) => {
        await new Promise((r) => setTimeout(r, 60));
        await grant(tx, 'acct_b', 20, 'slow');
      }),
      inWriteTransaction(store, async (tx) => {
        await grant(tx, 'acct_a', 1, 'self_commit');
        await tx.commit();
      }),
    ]);
    await lateWrite;
    assert.equal(leaky.status, 'fulfilled');
    assert.equal(slow.status, 'fulfilled');
    assert.equal(selfCommit.status, 'rejected');
    assert.match(String((selfCommit as PromiseRejectedResult).reason), /TRANSACTION_MANAGED/);
    assert.match(String(late), /TRANSACTION_CLOSED/);
    assert.equal(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE id = 'late'"), 0);
    assert.equal(await balanceOf('acct_a'), 10);
    assert.equal(await balanceOf('acct_b'), 20);
  });

  test('a write transaction opened inside another fails after the queue timeout; the rest of the group commits', async () => {
    const path = url.slice('file:'.length);
    const writer = new WriteConnection(path, writeLockFor(path), 200);
    writers.push(writer);
    const group = new GroupCommit({ begin: () => writer.begin(), queueTimeoutMs: 200 });
    const started = performance.now();
    const [nested, plain] = await Promise.allSettled([
      group.run(async (tx) => {
        await grant(tx, 'acct_a', 70, 'outer');
        await group.run((inner) => grant(inner, 'acct_a', 1, 'inner'));
      }),
      group.run((tx) => grant(tx, 'acct_b', 30, 'neighbour')),
    ]);
    assert.ok(performance.now() - started < 3000);
    assert.equal(nested.status, 'rejected');
    assert.match(String((nested as PromiseRejectedResult).reason), /WRITE_QUEUE_TIMEOUT/);
    assert.equal(plain.status, 'fulfilled');
    assert.equal(await balanceOf('acct_a'), 0);
    assert.equal(await balanceOf('acct_b'), 30);
  });

  test('groups are bounded: 100 callers at once with a limit of 16 take 7 transactions', async () => {
    const { group, counter } = countingGroup(16);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => group.run((tx) => grant(tx, 'acct_a', 1, `b_${i}`))),
    );
    assert.equal(counter.transactions, 7);
    assert.equal(await balanceOf('acct_a'), 100);
  });

  test('an in-memory store groups on its one connection too', async () => {
    const memory = await openStore({ url: 'file::memory:' });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          inWriteTransaction(memory, async (tx) => {
            await grant(tx, 'acct_m', 5, `m_${i}`);
            if (i === 4) throw new Error('four fails');
          }),
        ),
      );
      assert.deepEqual(
        outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : [])),
        [4],
      );
      const rs = await memory.client.execute("SELECT balance_cents FROM accounts WHERE id = 'acct_m'");
      assert.equal(rs.rows[0]!.balance_cents, 55);
      assert.deepEqual(await auditLedger(memory), []);
    } finally {
      await memory.close();
    }
  });

  test('a group waits for another process that holds the file, then commits every caller once', async () => {
    const file = url.slice('file:'.length);
    // Another process takes the write lock and gives it back after 300 ms.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require('libsql');
const db = new Database(${JSON.stringify(file)});
db.exec('BEGIN IMMEDIATE');
console.log('locked');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 300);`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: holder.stdout! });
    const [line] = await once(lines, 'line');
    assert.equal(line, 'locked');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        inWriteTransaction(store, (tx) => grant(tx, 'acct_a', 10, `w_${i}`)),
      ),
    );
    assert.ok(results.every((r) => r.applied));
    assert.equal(await balanceOf('acct_a'), 100);
    if (holder.exitCode === null) await once(holder, 'exit');
    assert.equal(holder.exitCode, 0);
  });
});
