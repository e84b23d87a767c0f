import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { GroupCommit } from './group-commit.ts';
import { LocalStore } from './local-store.ts';
import { StatementFailure } from './operations.ts';
import { sql } from './sql.ts';
import { WriteConnection } from './write-connection.ts';

const now = new Date('2026-11-01T12:00:00.000Z');

let dir: string;
let path: string;
let groups: number[];
let store: LocalStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'billing-group-'));
  path = join(dir, 'billing.db');
  groups = [];
  store = await LocalStore.open({ url: `file:${path}`, groupCommit: { onCommit: (n) => groups.push(n) } });
});
afterEach(async () => {
  assert.deepEqual(await store.auditLedger(), [], 'every balance equals the sum of its ledger rows');
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async (query: string, args: string[] = []) =>
  Number((await store.sql.run(query, args)).rows[0]!.n);
const grant = (accountId: string, amountCents: number, sourceId: string) =>
  store.write(now, (unit) => unit.creditLedger({ accountId, amountCents, kind: 'grant', sourceId }));
const debit = (accountId: string, amountCents: number, sourceId: string) =>
  store.write(now, (unit) =>
    unit.creditLedger({ accountId, amountCents: -amountCents, kind: 'usage', sourceId, requireFunds: true }),
  );

describe('group commit', () => {
  test('concurrent units share one transaction; exactly the units that were not refused are written, each once', async () => {
    await grant('acct_0', 1000, 'seed');
    groups.length = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        // Every third unit is a debit larger than the balance: refused, it must vanish alone.
        i % 3 === 0 ? debit('acct_0', 5000 + i, `use_${i}`) : grant(`acct_${i % 4}`, 100 + i, `src_${i}`),
      ),
    );
    assert.deepEqual(groups, [40], 'all 40 were queued at once: one transaction, one COMMIT');
    const expected = new Map<string, number>([['acct_0', 1000]]);
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 3 === 0) {
        assert.equal(outcome.status, 'rejected');
        assert.equal((outcome as PromiseRejectedResult).reason.code, 'insufficient_credits');
      } else {
        assert.equal(outcome.status, 'fulfilled', String((outcome as PromiseRejectedResult).reason));
        expected.set(`acct_${i % 4}`, (expected.get(`acct_${i % 4}`) ?? 0) + 100 + i);
      }
    }
    assert.equal(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE source_id LIKE 'use_%'"), 0);
    for (const [account, cents] of expected) assert.equal(await store.balance(account), cents, account);
  });

  test("a unit sees the units before it in the group, and never a refused one's writes", async () => {
    const [refused, first, second] = await Promise.allSettled([
      store.write(now, (unit) => {
        unit.creditLedger({ accountId: 'acct_a', amountCents: 500, kind: 'grant', sourceId: 'doomed' });
        unit.creditLedger({ accountId: 'acct_a', amountCents: 499, kind: 'grant', sourceId: 'doomed' });
      }),
      grant('acct_a', 40, 'kept'),
      // Units released before it in the group count as committed, as they would one at a time.
      debit('acct_a', 38, 'later'),
    ]);
    assert.deepEqual(groups, [3]);
    assert.equal(refused.status, 'rejected');
    assert.equal((first as PromiseFulfilledResult<{ balanceCents: number }>).value.balanceCents, 40);
    assert.equal((second as PromiseFulfilledResult<{ balanceCents: number }>).value.balanceCents, 2);
    assert.equal(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE source_id = 'doomed'"), 0);
  });

  test('a COMMIT that fails rejects every unit of the group, and nothing of theirs is written', async () => {
    // A deferred foreign key is checked at COMMIT, so one unit's orphan row fails the whole COMMIT.
    await store.sql.run('CREATE TABLE parents (id TEXT PRIMARY KEY)');
    await store.sql.run(
      'CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const writer = new WriteConnection(path);
    const group = new GroupCommit(writer);
    try {
      const outcomes = await Promise.allSettled([
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e1', 't', 'n')")]),
        group.run([sql("INSERT INTO children (id, parent) VALUES ('c1', 'missing')")]),
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e2', 't', 'n')")]),
      ]);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.match(String((outcome as PromiseRejectedResult).reason), /FOREIGN KEY constraint failed/);
      }
      assert.equal(await count('SELECT COUNT(*) AS n FROM webhook_events'), 0);
      assert.equal(await count('SELECT COUNT(*) AS n FROM children'), 0);
      // The connection carries on: the next group commits.
      await Promise.all([
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e1', 't', 'n')")]),
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e2', 't', 'n')")]),
      ]);
      assert.equal(await count('SELECT COUNT(*) AS n FROM webhook_events'), 2);
    } finally {
      group.close();
      writer.close();
    }
  });

  test('a statement that fails is reported by its position; its unit alone is rolled back', async () => {
    const writer = new WriteConnection(path);
    const group = new GroupCommit(writer);
    try {
      const [ok, failed] = await Promise.allSettled([
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e1', 't', 'n')")]),
        group.run([
          sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e2', 't', 'n')"),
          sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e1', 't', 'n')"),
        ]),
      ]);
      assert.equal(ok.status, 'fulfilled');
      const reason = (failed as PromiseRejectedResult).reason;
      assert.ok(reason instanceof StatementFailure);
      assert.equal(reason.index, 1);
      assert.equal(reason.code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
      assert.equal(await count("SELECT COUNT(*) AS n FROM webhook_events WHERE id = 'e2'"), 0);
    } finally {
      group.close();
      writer.close();
    }
  });

  test('a unit whose statement makes SQLite end the transaction fails alone; the others run again and commit once', async () => {
    const writer = new WriteConnection(path);
    const commits: number[] = [];
    const group = new GroupCommit(writer, { onCommit: (n) => commits.push(n) });
    try {
      const outcomes = await Promise.allSettled([
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('before', 't', 'n')")]),
        // Like SQLite's own rollback after SQLITE_FULL or an I/O error: the whole transaction is gone.
        group.run([sql('ROLLBACK')]),
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('after', 't', 'n')")]),
      ]);
      assert.equal(outcomes[0]!.status, 'fulfilled');
      assert.equal(outcomes[1]!.status, 'rejected');
      assert.equal(outcomes[2]!.status, 'fulfilled');
      assert.deepEqual(commits, [2]);
      assert.equal(await count('SELECT COUNT(*) AS n FROM webhook_events'), 2);
    } finally {
      group.close();
      writer.close();
    }
  });

  test('groups are bounded: 100 units at once with a limit of 16 take 7 transactions', async () => {
    const writer = new WriteConnection(path);
    const commits: number[] = [];
    const group = new GroupCommit(writer, { maxGroupSize: 16, onCommit: (n) => commits.push(n) });
    try {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          group.run([
            sql('INSERT INTO webhook_events (id, type, received_at) VALUES (?, ?, ?)', `e${i}`, 't', 'n'),
          ]),
        ),
      );
      assert.equal(commits.length, 7);
      assert.equal(await count('SELECT COUNT(*) AS n FROM webhook_events'), 100);
    } finally {
      group.close();
      writer.close();
    }
  });

  test('an in-memory store groups on its one connection too', async () => {
    const memory = await LocalStore.open({ url: 'file::memory:' });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          i === 4
            ? memory.write(now, (unit) =>
                unit.creditLedger({
                  accountId: 'acct_m',
                  amountCents: -500,
                  kind: 'usage',
                  sourceId: 'u',
                  requireFunds: true,
                }),
              )
            : memory.write(now, (unit) =>
                unit.creditLedger({ accountId: 'acct_m', amountCents: 5, kind: 'grant', sourceId: `m_${i}` }),
              ),
        ),
      );
      assert.deepEqual(
        outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : [])),
        [4],
      );
      assert.equal(await memory.balance('acct_m'), 55);
      assert.deepEqual(await memory.auditLedger(), []);
    } finally {
      await memory.close();
    }
  });

  test('a group waits for another process that holds the file, without blocking reads, then commits every unit once', async () => {
    await grant('acct_a', 1, 'seed');
    // Another process takes the write lock and gives it back after 300 ms.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require('libsql');
const db = new Database(${JSON.stringify(path)});
db.exec('BEGIN IMMEDIATE');
console.log('locked');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 300);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = await once(createInterface({ input: holder.stdout! }), 'line');
    assert.equal(line, 'locked');
    const writes = Promise.all(Array.from({ length: 10 }, (_, i) => grant('acct_a', 10, `w_${i}`)));
    // While the writes wait, this process still answers reads at once.
    const started = performance.now();
    assert.equal(await store.account('acct_a').then((a) => a?.balanceCents), 1);
    assert.ok(performance.now() - started < 100, 'a read waited for the other process');
    const results = await writes;
    assert.ok(results.every((r) => r.applied));
    assert.equal(await store.balance('acct_a'), 101);
    if (holder.exitCode === null) await once(holder, 'exit');
    assert.equal(holder.exitCode, 0);
  });

  test('a write lock held past the busy timeout fails the group with SQLITE_BUSY; the next one commits', async () => {
    const writer = new WriteConnection(path, { busyTimeoutMs: 200 });
    const group = new GroupCommit(writer);
    const holder = new WriteConnection(path);
    try {
      assert.equal(holder.tryBegin(), true);
      const started = performance.now();
      await assert.rejects(
        group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e', 't', 'n')")]),
        { code: 'SQLITE_BUSY' },
      );
      assert.ok(performance.now() - started >= 190);
      holder.connection.exec('ROLLBACK');
      await group.run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e', 't', 'n')")]);
      assert.equal(await count('SELECT COUNT(*) AS n FROM webhook_events'), 1);
    } finally {
      holder.close();
      group.close();
      writer.close();
    }
  });

  test('a unit is answered only once its commit is durable, and an fsync that fails fails the unit', async () => {
    const writer = new WriteConnection(path);
    const group = new GroupCommit(writer);
    const walSync = writer.walSync!;
    let finish!: (err?: Error) => void;
    walSync.flush = () =>
      new Promise<void>((resolve, reject) => {
        finish = (err) => (err ? reject(err) : resolve());
      });
    try {
      let answered = false;
      const unit = group
        .run([sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e1', 't', 'n')")])
        .then(() => {
          answered = true;
        });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(answered, false, 'committed, but not yet durable');
      finish();
      await unit;
      assert.equal(answered, true);

      const failing = group.run([
        sql("INSERT INTO webhook_events (id, type, received_at) VALUES ('e2', 't', 'n')"),
      ]);
      await new Promise((r) => setTimeout(r, 50));
      finish(new Error('EIO: i/o error, fsync'));
      await assert.rejects(failing, { code: 'SQLITE_IOERR_FSYNC' });
    } finally {
      group.close();
      writer.close();
    }
  });
});
