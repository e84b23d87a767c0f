import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transaction } from '@libsql/client';
import { openDatabase, type Store } from './db.ts';
import { WritePlan } from './operations.ts';
import { ledgerAudit } from './queries.ts';
import type { LedgerMismatch } from './records.ts';

/** Test support for the client-based machinery (db.ts) until it is replaced. */
export async function grantOn(
  tx: Transaction,
  accountId: string,
  amountCents: number,
  sourceId: string,
  now: Date,
) {
  const plan = new WritePlan(now);
  const result = plan.creditLedger({ accountId, amountCents, kind: 'grant', sourceId });
  const results = [];
  for (const s of plan.statements) {
    results.push(await tx.execute({ sql: s.sql, args: s.args as never }));
  }
  plan.settle(results.map((r) => ({ rows: r.rows, rowsAffected: r.rowsAffected })));
  return result.value;
}

export async function auditOf(store: Store): Promise<LedgerMismatch[]> {
  const q = ledgerAudit();
  const rs = await store.client.execute({ sql: q.statement.sql, args: q.statement.args as never });
  return q.decode({ rows: rs.rows, rowsAffected: 0 });
}

export async function tempDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'billing-unit-'));
  const url = `file:${join(dir, 'billing.db')}`;
  const store = await openDatabase({ url });
  return {
    store,
    url,
    dir,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
