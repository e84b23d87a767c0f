import type {
  Account,
  BillingSession,
  LedgerMismatch,
  LedgerPage,
  ReconcileCheckpoint,
  UsageDay,
} from './records.ts';
import {
  ACCOUNT_COLUMNS,
  ACCOUNT_WITH_CARD,
  accountOf,
  BILLING_SESSION_COLUMNS,
  billingSessionOf,
  integer,
  LEDGER_ENTRY_COLUMNS,
  ledgerEntryOf,
  ledgerMismatchOf,
  SUBSCRIPTION_ACCESS_COLUMNS,
  SUBSCRIPTION_MIRROR_COLUMNS,
  subscriptionAccessOf,
  subscriptionMirrorOf,
  text,
  textOrNull,
} from './rows.ts';
import { type SqlStatement, type StatementResult, sql, sqlOneRow } from './sql.ts';

/**
 * The store's reads: each a statement and how its answer becomes a record. Both implementations
 * run the same ones (store-base.ts), the local one on a read connection with statements prepared
 * once, the remote one over the network.
 */
export interface ReadQuery<T> {
  statement: SqlStatement;
  decode(result: StatementResult): T;
}

function first<T>(decode: (row: StatementResult['rows'][number]) => T) {
  return (result: StatementResult): T | null =>
    result.rows[0] === undefined ? null : decode(result.rows[0]);
}

/** Stripe statuses in which a subscription still bills or grants access: another one must not start. */
export const LIVE_SUBSCRIPTION_STATUSES = ['active', 'trialing', 'past_due', 'unpaid'] as const;

export const accountById = (accountId: string): ReadQuery<Account | null> => ({
  statement: sqlOneRow(`SELECT ${ACCOUNT_COLUMNS} FROM ${ACCOUNT_WITH_CARD} WHERE a.id = ?`, accountId),
  decode: first(accountOf),
});

export const balanceOf = (accountId: string): ReadQuery<number | null> => ({
  statement: sqlOneRow('SELECT balance_cents FROM accounts WHERE id = ?', accountId),
  decode: first((row) => integer(row[0], 'accounts.balance_cents')),
});

export const accountIdForCustomer = (customerId: string): ReadQuery<string | null> => ({
  statement: sqlOneRow('SELECT id FROM accounts WHERE stripe_customer_id = ?', customerId),
  decode: first((row) => text(row[0], 'accounts.id')),
});

export const billingSessionById = (id: string): ReadQuery<BillingSession | null> => ({
  statement: sqlOneRow(`SELECT ${BILLING_SESSION_COLUMNS} FROM billing_sessions WHERE id = ?`, id),
  decode: first(billingSessionOf),
});

export const billingSessionByReturnRef = (ref: string): ReadQuery<BillingSession | null> => ({
  statement: sqlOneRow(`SELECT ${BILLING_SESSION_COLUMNS} FROM billing_sessions WHERE cancel_ref = ?`, ref),
  decode: first(billingSessionOf),
});

export const openSubscriptionCheckoutIds = (accountId: string): ReadQuery<string[]> => ({
  statement: sql(
    `SELECT id FROM billing_sessions
     WHERE account_id = ? AND billing_session_type = 'MONTHLY_SUBSCRIPTION' AND status = 'in_progress'
     ORDER BY created_at`,
    accountId,
  ),
  decode: (result) => result.rows.map((row) => text(row[0], 'billing_sessions.id')),
});

export const currentAccess = (accountId: string, now: Date) => ({
  statement: sqlOneRow(
    `SELECT ${SUBSCRIPTION_ACCESS_COLUMNS} FROM subscription_access
     WHERE account_id = ? AND status = 'ACTIVE' AND end_at > ? ORDER BY end_at DESC LIMIT 1`,
    accountId,
    now.toISOString(),
  ),
  decode: first(subscriptionAccessOf),
});

export const latestSubscriptionMirror = (accountId: string) => ({
  statement: sqlOneRow(
    `SELECT ${SUBSCRIPTION_MIRROR_COLUMNS} FROM subscriptions
     WHERE account_id = ? ORDER BY (status IN ('canceled', 'incomplete_expired')) ASC, updated_at DESC LIMIT 1`,
    accountId,
  ),
  decode: first(subscriptionMirrorOf),
});

export const hadSubscriptionAccess = (accountId: string): ReadQuery<boolean> => ({
  statement: sqlOneRow('SELECT 1 FROM subscription_access WHERE account_id = ? LIMIT 1', accountId),
  decode: (result) => result.rows.length > 0,
});

/** The newest subscription Stripe still bills for the account, by our mirror. */
export const liveMirroredSubscriptionId = (accountId: string): ReadQuery<string | null> => ({
  statement: sqlOneRow(
    `SELECT stripe_subscription_id FROM subscriptions
     WHERE account_id = ? AND status IN (${LIVE_SUBSCRIPTION_STATUSES.map(() => '?').join(', ')})
     ORDER BY updated_at DESC LIMIT 1`,
    accountId,
    ...LIVE_SUBSCRIPTION_STATUSES,
  ),
  decode: first((row) => text(row[0], 'subscriptions.stripe_subscription_id')),
});

/** The subscription behind the account's access that is still running. */
export const runningAccessSubscriptionId = (accountId: string, now: Date): ReadQuery<string | null> => ({
  statement: sqlOneRow(
    `SELECT stripe_subscription_id FROM subscription_access
     WHERE account_id = ? AND status = 'ACTIVE' AND end_at > ? AND stripe_subscription_id IS NOT NULL
     ORDER BY end_at DESC LIMIT 1`,
    accountId,
    now.toISOString(),
  ),
  decode: first((row) => text(row[0], 'subscription_access.stripe_subscription_id')),
});

/**
 * A page of the account's ledger, newest first, by keyset on the entry sequence (an index range
 * scan, so page cost does not grow with the ledger).
 */
export const ledgerPage = (
  accountId: string,
  limit: number,
  beforeSeq: number | null,
): ReadQuery<LedgerPage> => ({
  statement: sql(
    `SELECT ${LEDGER_ENTRY_COLUMNS} FROM ledger_entries
     WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    accountId,
    beforeSeq ?? Number.MAX_SAFE_INTEGER,
    limit + 1,
  ),
  decode: (result) => {
    const entries = result.rows.slice(0, limit).map(ledgerEntryOf);
    const last = entries.at(-1);
    return { entries, nextBeforeSeq: result.rows.length > limit && last ? last.seq : null };
  },
});

export const reconcileCheckpoint = (id: string): ReadQuery<ReconcileCheckpoint | null> => ({
  statement: sqlOneRow('SELECT event_created, updated_at FROM reconcile_checkpoints WHERE id = ?', id),
  decode: first((row) => ({
    eventCreated: integer(row[0], 'reconcile_checkpoints.event_created'),
    updatedAt: text(row[1], 'reconcile_checkpoints.updated_at'),
  })),
});

export const webhookEventProcessed = (eventId: string): ReadQuery<boolean> => ({
  statement: sqlOneRow('SELECT 1 FROM webhook_events WHERE id = ? AND processed_at IS NOT NULL', eventId),
  decode: (result) => result.rows.length > 0,
});

/**
 * The money invariant, checked without repairing anything: every account whose `balance_cents`
 * differs from the sum of its ledger rows (or from its last row's `balance_after_cents`), and
 * every ledger row without an account. An empty list means the books agree.
 */
export const ledgerAudit = (): ReadQuery<LedgerMismatch[]> => ({
  statement: sql(`
    SELECT a.id AS account_id, a.balance_cents AS balance_cents,
           COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.account_id = a.id), 0) AS ledger_sum
    FROM accounts a
    WHERE a.balance_cents <> COALESCE((SELECT SUM(l.amount_cents) FROM ledger_entries l WHERE l.account_id = a.id), 0)
       OR a.balance_cents <> COALESCE((SELECT l.balance_after_cents FROM ledger_entries l WHERE l.account_id = a.id ORDER BY l.seq DESC LIMIT 1), 0)
    UNION ALL
    SELECT l.account_id, NULL, SUM(l.amount_cents) FROM ledger_entries l
    WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.account_id)
    GROUP BY l.account_id`),
  decode: (result) => result.rows.map(ledgerMismatchOf),
});

/**
 * The account's usage from the UTC day `fromDay` (`YYYY-MM-DD`) on, per day and feature, oldest
 * day first and each day's biggest feature first. A range scan of the partial index
 * `ledger_usage_by_day` (migration 008), which is in the grouping's order and covers every column
 * read: the cost follows the rows in the window, not the ledger's size.
 */
export const usageByDay = (accountId: string, fromDay: string): ReadQuery<UsageDay[]> => ({
  statement: sql(
    `SELECT occurred_on, feature, -SUM(amount_cents) AS spent
     FROM ledger_entries
     WHERE account_id = ? AND kind = 'usage' AND occurred_on >= ?
     GROUP BY occurred_on, feature
     ORDER BY occurred_on, spent DESC, feature`,
    accountId,
    fromDay,
  ),
  decode: (result) => {
    const days: UsageDay[] = [];
    for (const row of result.rows) {
      const day = text(row[0], 'ledger_entries.occurred_on');
      const spend = {
        feature: textOrNull(row[1], 'ledger_entries.feature'),
        spentCents: integer(row[2], 'usage spent'),
      };
      if (days.at(-1)?.day === day) days.at(-1)!.features.push(spend);
      else days.push({ day, features: [spend] });
    }
    return days;
  },
});

/** The account's usage spend since `from` (an ISO instant), in cents; the same index. */
export const usageSpentSince = (accountId: string, from: string): ReadQuery<number> => ({
  statement: sqlOneRow(
    `SELECT COALESCE(-SUM(amount_cents), 0) FROM ledger_entries
     WHERE account_id = ? AND kind = 'usage' AND occurred_on >= ? AND occurred_at >= ?`,
    accountId,
    from.slice(0, 10),
    from,
  ),
  decode: (result) => integer(result.rows[0]?.[0] ?? 0, 'usage spent'),
});
