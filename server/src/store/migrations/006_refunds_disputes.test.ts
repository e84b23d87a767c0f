import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createClient } from '@libsql/client';
import { applyMigrations, readMigrations } from '../migrations.ts';
import { openStore } from '../open-store.ts';

test('migration 006 rebuilds the ledger with its rows, seqs and sequence counter, and takes the new kinds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'billing-006-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const url = `file:${join(dir, 'billing.db')}`;
  const legacy = createClient({ url });
  await applyMigrations(
    legacy,
    (await readMigrations()).filter((m) => m.version <= 5),
  );
  await legacy.batch(
    [
      "INSERT INTO accounts (id, balance_cents, created_at, updated_at) VALUES ('user:a', 3500, 't', 't')",
      `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at) VALUES
         ('le_1', 'user:a', 5000, 'purchase', 'cs_1', 'Credit top-up', 5000, 't'),
         ('le_2', 'user:a', 1000, 'subscription', 'in_1', 'Pro plan', 6000, 't'),
         ('le_3', 'user:a', -2500, 'usage', 'api:k1', NULL, 3500, 't'),
         ('le_4', 'user:a', 1, 'grant', 'api:gone', NULL, 3501, 't')`,
      // The newest row is gone: AUTOINCREMENT must still never hand out its seq again.
      "DELETE FROM ledger_entries WHERE id = 'le_4'",
    ],
    'write',
  );
  legacy.close();

  const store = await openStore({ url });
  t.after(() => store.close());
  const rows = await store.sql.run(
    'SELECT seq, id, kind, source_id, stripe_object_id, reverses_source_id FROM ledger_entries ORDER BY seq',
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.seq, r.id, r.kind, r.source_id, r.stripe_object_id, r.reverses_source_id]),
    [
      [1, 'le_1', 'purchase', 'cs_1', 'cs_1', null],
      [2, 'le_2', 'subscription', 'in_1', 'in_1', null],
      [3, 'le_3', 'usage', 'api:k1', null, null],
    ],
  );
  const taken = await store.write(new Date(), (unit) =>
    unit.reverseGrant({
      grantSourceId: 'cs_1',
      sourceId: 'du_1',
      kind: 'dispute',
      beforeCents: 0,
      afterCents: 5000,
      ofCents: 5000,
      stripeObjectId: 'du_1',
      description: 'Payment disputed',
    }),
  );
  assert.deepEqual(taken, { applied: true, amountCents: -5000 });
  const [newest] = (await store.ledgerPage('user:a', 1, null)).entries;
  assert.equal(newest!.seq, 5, 'the sequence goes on from the old counter, past the deleted row');
  assert.equal(newest!.kind, 'dispute');
  assert.equal(await store.balance('user:a'), -1500);
  assert.deepEqual(await store.auditLedger(), []);
  const indexes = await store.sql.run(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_entries' AND sql IS NOT NULL ORDER BY name",
  );
  // The rebuild re-creates the ledger's own indexes (later migrations add theirs, e.g. 008's).
  assert.deepEqual(
    indexes.rows.map((r) => r.name).filter((name) => String(name).startsWith('ledger_entries_')),
    ['ledger_entries_by_account', 'ledger_entries_by_reversed'],
  );
});
