import type { Account, BillingSession, LedgerMismatch, LedgerPage } from './records.ts';
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
