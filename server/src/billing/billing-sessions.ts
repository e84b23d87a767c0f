import { LibsqlError, type Transaction } from '@libsql/client';
import type { Store } from '../store/db.ts';

/** What a Checkout session was created for (the `billing_session_type` column). */
export type BillingSessionType = 'DIRECT_PAYMENT' | 'MONTHLY_SUBSCRIPTION' | 'SETUP';
export type BillingSessionStatus = 'in_progress' | 'completed' | 'cancelled' | 'error';

/** One row of `billing_sessions`: our record of a Checkout session we created. */
export interface BillingSession {
  id: string;
  accountId: string;
  userId: string;
  status: BillingSessionStatus;
  type: BillingSessionType;
  priceCents: number | null;
  priceCode: string | null;
  returnUrl: string;
  /**
   * The unguessable token in the session's `success_url` and `cancel_url` (column `cancel_ref`;
   * null for rows older than migration 002): only the buyer's browser, sent back by Stripe, has it.
   */
  returnRef: string | null;
}

const COLUMNS =
  'id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url, cancel_ref';

/**
 * Thrown by `insertBillingSession` when the account already has a subscription Checkout in
 * progress: the partial unique index `billing_sessions_one_subscription_checkout` refused the row.
 */
export class SubscriptionCheckoutInProgress extends Error {
  constructor(readonly accountId: string) {
    super(`account ${accountId} already has a subscription checkout in progress`);
    this.name = 'SubscriptionCheckoutInProgress';
  }
}

/** Records a freshly created Checkout session as `in_progress`. */
export async function insertBillingSession(
  store: Store,
  session: Omit<BillingSession, 'status'>,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  try {
    await store.client.execute({
      sql: `INSERT INTO billing_sessions
              (id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url, cancel_ref, created_at, updated_at)
            VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        session.id,
        session.accountId,
        session.userId,
        session.type,
        session.priceCents,
        session.priceCode,
        session.returnUrl,
        session.returnRef,
        at,
        at,
      ],
    });
  } catch (err) {
    if (session.type === 'MONTHLY_SUBSCRIPTION' && isOneSubscriptionCheckoutConflict(err)) {
      throw new SubscriptionCheckoutInProgress(session.accountId);
    }
    throw err;
  }
}

/** SQLite names the indexed column, so only this index's conflict matches (not the id or cancel_ref). */
function isOneSubscriptionCheckoutConflict(err: unknown): boolean {
  return (
    err instanceof LibsqlError &&
    err.code.startsWith('SQLITE_CONSTRAINT') &&
    /UNIQUE constraint failed: billing_sessions\.account_id\b/.test(err.message)
  );
}

/** Our record of a Checkout session, or null when we never created it. */
export async function findBillingSession(store: Store, id: string): Promise<BillingSession | null> {
  const result = await store.client.execute({
    sql: `SELECT ${COLUMNS} FROM billing_sessions WHERE id = ?`,
    args: [id],
  });
  return result.rows[0] ? billingSessionOf(result.rows[0]) : null;
}

/** The session whose return links carried `returnRef`, or null when no session did. */
export async function findBillingSessionByReturnRef(
  store: Store,
  returnRef: string,
): Promise<BillingSession | null> {
  const result = await store.client.execute({
    sql: `SELECT ${COLUMNS} FROM billing_sessions WHERE cancel_ref = ?`,
    args: [returnRef],
  });
  return result.rows[0] ? billingSessionOf(result.rows[0]) : null;
}

/** Ids of the account's subscription Checkout sessions still `in_progress` (at most one after 002). */
export async function openSubscriptionCheckoutIds(store: Store, accountId: string): Promise<string[]> {
  const result = await store.client.execute({
    sql: `SELECT id FROM billing_sessions
          WHERE account_id = ? AND billing_session_type = 'MONTHLY_SUBSCRIPTION' AND status = 'in_progress'
          ORDER BY created_at`,
    args: [accountId],
  });
  return result.rows.map((row) => String(row.id));
}

function billingSessionOf(row: Record<string, unknown>): BillingSession {
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    userId: String(row.user_id),
    status: String(row.status) as BillingSessionStatus,
    type: String(row.billing_session_type) as BillingSessionType,
    priceCents: row.price_cents === null ? null : Number(row.price_cents),
    priceCode: row.price_code === null ? null : String(row.price_code),
    returnUrl: String(row.return_url),
    returnRef: row.cancel_ref === null || row.cancel_ref === undefined ? null : String(row.cancel_ref),
  };
}

/** Marks a session completed (whatever it was before: a paid session wins over a cancel click). */
export async function markBillingSessionCompleted(tx: Transaction, id: string, now: Date): Promise<void> {
  await tx.execute({
    sql: `UPDATE billing_sessions SET status = 'completed', updated_at = ? WHERE id = ? AND status <> 'completed'`,
    args: [now.toISOString(), id],
  });
}

/**
 * Moves an `in_progress` session to `status` (cancelled or error); a completed session keeps its
 * state, so a late cancel or expiry never hides a payment.
 */
export async function closeBillingSession(
  client: Pick<Transaction, 'execute'>,
  id: string,
  status: 'cancelled' | 'error',
  now: Date,
): Promise<boolean> {
  const result = await client.execute({
    sql: `UPDATE billing_sessions SET status = ?, updated_at = ? WHERE id = ? AND status = 'in_progress'`,
    args: [status, now.toISOString(), id],
  });
  return result.rowsAffected > 0;
}
