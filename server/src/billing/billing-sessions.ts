import type { Transaction } from '@libsql/client';
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
}

/** Records a freshly created Checkout session as `in_progress`. */
export async function insertBillingSession(
  store: Store,
  session: Omit<BillingSession, 'status'>,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await store.client.execute({
    sql: `INSERT INTO billing_sessions
            (id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url, created_at, updated_at)
          VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?)`,
    args: [
      session.id,
      session.accountId,
      session.userId,
      session.type,
      session.priceCents,
      session.priceCode,
      session.returnUrl,
      at,
      at,
    ],
  });
}

/** Our record of a Checkout session, or null when we never created it. */
export async function findBillingSession(store: Store, id: string): Promise<BillingSession | null> {
  const result = await store.client.execute({
    sql: `SELECT id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url
          FROM billing_sessions WHERE id = ?`,
    args: [id],
  });
  const row = result.rows[0];
  if (!row) return null;
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    userId: String(row.user_id),
    status: String(row.status) as BillingSessionStatus,
    type: String(row.billing_session_type) as BillingSessionType,
    priceCents: row.price_cents === null ? null : Number(row.price_cents),
    priceCode: row.price_code === null ? null : String(row.price_code),
    returnUrl: String(row.return_url),
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
