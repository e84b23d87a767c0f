import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readMigrations } from './migrations.ts';
import { openStore } from './open-store.ts';

const now = new Date('2026-11-01T12:00:00.000Z');

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'billing-db-'));
  return {
    dir,
    url: `file:${join(dir, 'billing.db')}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('openStore', () => {
  test('creates every table of the design, records each migration once, and keeps data across reopen', async () => {
    const { url, cleanup } = tempDir();
    try {
      const first = await openStore({ url });
      const tables = await first.sql.run("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
      const names = tables.rows.map((r) => String(r.name));
      for (const table of [
        'accounts',
        'billing_sessions',
        'ledger_entries',
        'schema_migrations',
        'subscription_access',
        'subscriptions',
        'webhook_events',
      ]) {
        assert.ok(names.includes(table), `table ${table}`);
      }
      const columns = await first.sql.run('PRAGMA table_info(accounts)');
      const accountColumns = columns.rows.map((r) => String(r.name));
      assert.ok(accountColumns.includes('default_payment_method_id'));
      assert.ok(accountColumns.includes('email'));
      await first.write(now, (unit) =>
        unit.creditLedger({ accountId: 'acct_a', amountCents: 1250, kind: 'purchase', sourceId: 'cs_1' }),
      );
      const mode = await first.sql.run('PRAGMA journal_mode');
      assert.equal(String(mode.rows[0]!.journal_mode).toLowerCase(), 'wal');
      await first.close();

      const second = await openStore({ url });
      const migrations = await second.sql.run('SELECT version FROM schema_migrations');
      assert.equal(migrations.rows.length, (await readMigrations()).length);
      assert.equal(second.balance('acct_a'), 1250);
      await second.close();
    } finally {
      cleanup();
    }
  });

  test('two stores opening one new file at once apply the migrations once', async () => {
    const { url, cleanup } = tempDir();
    try {
      const [a, b] = await Promise.all([openStore({ url }), openStore({ url })]);
      const rows = await a.sql.run('SELECT COUNT(*) AS n FROM schema_migrations');
      assert.equal(Number(rows.rows[0]!.n), (await readMigrations()).length);
      await a.close();
      await b.close();
    } finally {
      cleanup();
    }
  });

  test('migration files are numbered from 001, each number once, in increasing order', async () => {
    const migrations = await readMigrations();
    assert.ok(migrations.length >= 1);
    assert.equal(migrations[0]!.version, 1);
    for (const [i, m] of migrations.entries()) if (i > 0) assert.ok(m.version > migrations[i - 1]!.version);
    const files = readdirSync(new URL('./migrations/', import.meta.url)).filter((n) => n.endsWith('.sql'));
    assert.equal(files.length, migrations.length);
  });

  test('ping answers true while open and false once closed; the balance reader sees other writers', async () => {
    const { url, cleanup } = tempDir();
    try {
      const reader = await openStore({ url });
      const writer = await openStore({ url });
      assert.equal(reader.balance('acct_a'), null);
      await writer.write(now, (unit) =>
        unit.creditLedger({ accountId: 'acct_a', amountCents: 300, kind: 'grant', sourceId: 'g1' }),
      );
      // No cache: a write by another connection (another process in production) shows at once.
      assert.equal(reader.balance('acct_a'), 300);
      assert.equal(await reader.ping(), true);
      await reader.close();
      assert.equal(await reader.ping(), false);
      await writer.close();
    } finally {
      cleanup();
    }
  });

  test('a file that cannot be opened fails at start-up', async () => {
    await assert.rejects(openStore({ url: 'file:/nonexistent-dir/sub/billing.db' }));
  });
});

describe('writers in one process', () => {
  test('concurrent units of work and console writes all commit, without stalling on the busy timeout', async () => {
    const { url, cleanup } = tempDir();
    try {
      const store = await openStore({ url });
      const started = performance.now();
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) =>
          store.write(now, (unit) =>
            unit.creditLedger({ accountId: 'acct_a', amountCents: 10, kind: 'grant', sourceId: `g${i}` }),
          ),
        ),
        ...Array.from({ length: 10 }, (_, i) =>
          store.sql.run("INSERT INTO webhook_events (id, type, received_at) VALUES (?, 'test', 'now')", [
            `evt_${i}`,
          ]),
        ),
      ]);
      // Unqueued, each collision blocks the thread for the 5 s busy timeout.
      assert.ok(performance.now() - started < 4000, `took ${Math.round(performance.now() - started)} ms`);
      assert.equal(await store.balance('acct_a'), 300);
      await store.close();
    } finally {
      cleanup();
    }
  });

  test('two stores on one file (as two processes) never double-count', async () => {
    const { url, cleanup } = tempDir();
    try {
      const [a, b] = [await openStore({ url }), await openStore({ url })];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          // Each source is written by both "processes"; distinct sources all count.
          (i % 2 === 0 ? a : b).write(now, (unit) =>
            unit.creditLedger({
              accountId: 'acct_a',
              amountCents: 100,
              kind: 'purchase',
              sourceId: `src_${i % 20}`,
            }),
          ),
        ),
      );
      assert.equal(await a.balance('acct_a'), 2000);
      assert.equal((await b.ledgerPage('acct_a', 100, null)).entries.length, 20);
      assert.deepEqual(await b.auditLedger(), []);
      await a.close();
      await b.close();
    } finally {
      cleanup();
    }
  });

  test("the WAL is checkpointed while writes come in (by the store's worker)", async () => {
    const { url, cleanup } = tempDir();
    try {
      const store = await openStore({ url });
      const file = url.slice('file:'.length);
      const before = statSync(file).size;
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.write(now, (unit) =>
              unit.creditLedger({
                accountId: `acct_${i}`,
                amountCents: 1,
                kind: 'grant',
                sourceId: `s_${batch}_${i}`,
              }),
            ),
          ),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      // Only a checkpoint writes pages into the database file itself.
      const deadline = Date.now() + 5000;
      while (statSync(file).size === before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.ok(statSync(file).size > before, 'the database file grew: a checkpoint ran');
      const writerSetting = await store.sql.run('PRAGMA wal_autocheckpoint');
      assert.ok(Number(Object.values(writerSetting.rows[0]!)[0]) > 0, 'other connections keep the default');
      await store.close();
    } finally {
      cleanup();
    }
  });
});
