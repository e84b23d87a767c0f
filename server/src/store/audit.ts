import type { Store } from './db.ts';

/** An account whose cached balance disagrees with its ledger. */
export interface LedgerMismatch {
  accountId: string;
  balanceCents: number;
  ledgerSumCents: number;
}

/**
 * Invariant 1 of DESIGN section 6, checked without repairing anything: every account whose
 * `balance_cents` differs from the sum of its ledger rows (or whose last row's
 * `balance_after_cents` differs from its balance). An empty list means the books agree.
 */
export async function auditLedger(store: Store): Promise<LedgerMismatch[]> {
  const rs = await store.client.execute(`
    SELECT a.id AS account_id, a.balance_cents AS balance_cents,
           COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.account_id = a.id), 0) AS ledger_sum,
           (SELECT l.balance_after_cents FROM ledger_entries l WHERE l.account_id = a.id ORDER BY l.seq DESC LIMIT 1) AS last_after
    FROM accounts a
    WHERE a.balance_cents <> COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.account_id = a.id), 0)
       OR a.balance_cents <> COALESCE((SELECT l.balance_after_cents FROM ledger_entries l WHERE l.account_id = a.id ORDER BY l.seq DESC LIMIT 1), 0)
    UNION ALL
    SELECT l.account_id, NULL, SUM(l.amount_cents), NULL FROM ledger_entries l
    WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.account_id)
    GROUP BY l.account_id`);
  return rs.rows.map((row) => ({
    accountId: String(row.account_id),
    balanceCents: row.balance_cents === null ? Number.NaN : Number(row.balance_cents),
    ledgerSumCents: Number(row.ledger_sum),
  }));
}
