import { randomBytes } from 'node:crypto';
import type { Row, Transaction } from '@libsql/client';
import { ApiError } from '../errors.ts';
import { formatCents } from '../money.ts';

/** Why a balance changed. */
export type LedgerKind = 'purchase' | 'subscription' | 'welcome' | 'usage' | 'grant' | 'refund';

export const LEDGER_KINDS: readonly LedgerKind[] = [
  'purchase',
  'subscription',
  'welcome',
  'usage',
  'grant',
  'refund',
];

/** A row of `accounts`. */
export interface AccountRow {
  id: string;
  stripeCustomerId: string | null;
  balanceCents: number;
  welcomeGrantedAt: string | null;
  defaultPaymentMethodId: string | null;
  email: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One credit or debit to apply to an account. */
export interface LedgerCredit {
  accountId: string;
  /** Signed integer cents: positive credits, negative debits; never zero. */
  amountCents: number;
  kind: LedgerKind;
  /** The external fact this records (session id, invoice id, idempotency key): counted once. */
  sourceId: string;
  description?: string | null;
  now: Date;
  /** Refuse (402) a debit larger than the balance instead of letting the balance go negative. */
  requireFunds?: boolean;
}

export function accountFromRow(row: Row): AccountRow {
  return {
    id: String(row.id),
    stripeCustomerId: row.stripe_customer_id === null ? null : String(row.stripe_customer_id),
    balanceCents: Number(row.balance_cents),
    welcomeGrantedAt: row.welcome_granted_at === null ? null : String(row.welcome_granted_at),
    defaultPaymentMethodId:
      row.default_payment_method_id === null ? null : String(row.default_payment_method_id),
    email: row.email === null ? null : String(row.email),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

/** Returns the account, creating it with a zero balance the first time it is seen. */
export async function ensureAccount(tx: Transaction, accountId: string, now: Date): Promise<AccountRow> {
  const at = now.toISOString();
  await tx.execute({
    sql: 'INSERT INTO accounts (id, balance_cents, created_at, updated_at) VALUES (?, 0, ?, ?) ON CONFLICT (id) DO NOTHING',
    args: [accountId, at, at],
  });
  const rs = await tx.execute({ sql: 'SELECT * FROM accounts WHERE id = ?', args: [accountId] });
  return accountFromRow(rs.rows[0]!);
}

/**
 * Applies one balance change and its ledger row in the caller's transaction (DESIGN section 6).
 * Idempotent by `sourceId`: when that source is already recorded for the same account and
 * amount nothing is written and `applied` is false; for a different account or amount it is a
 * 409 `idempotency_conflict`. With `requireFunds`, a debit larger than the balance is a 402
 * `insufficient_credits` and nothing is written.
 */
export async function creditLedger(
  tx: Transaction,
  e: LedgerCredit,
): Promise<{ applied: boolean; balanceCents: number; entryId: string | null }> {
  if (!Number.isSafeInteger(e.amountCents) || e.amountCents === 0) {
    throw new Error(`creditLedger: amountCents must be a non-zero safe integer, got ${e.amountCents}`);
  }
  const existing = await tx.execute({
    sql: 'SELECT id, account_id, amount_cents FROM ledger_entries WHERE source_id = ?',
    args: [e.sourceId],
  });
  if (existing.rows.length > 0) {
    const row = existing.rows[0]!;
    if (String(row.account_id) !== e.accountId || Number(row.amount_cents) !== e.amountCents) {
      throw new ApiError(
        409,
        'idempotency_conflict',
        'This idempotency key was already used for a different account or amount.',
        'idempotency_key',
      );
    }
    const account = await ensureAccount(tx, e.accountId, e.now);
    return { applied: false, balanceCents: account.balanceCents, entryId: null };
  }

  const account = await ensureAccount(tx, e.accountId, e.now);
  const balanceAfter = account.balanceCents + e.amountCents;
  if (e.requireFunds && e.amountCents < 0 && balanceAfter < 0) {
    throw new ApiError(
      402,
      'insufficient_credits',
      `The balance of ${formatCents(account.balanceCents)} does not cover ${formatCents(-e.amountCents)}.`,
      'amount',
    );
  }
  if (!Number.isSafeInteger(balanceAfter)) {
    throw new ApiError(400, 'amount_too_large', 'This change would overflow the balance.', 'amount');
  }
  const at = e.now.toISOString();
  const entryId = `le_${randomBytes(12).toString('hex')}`;
  await tx.execute({
    sql: `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [entryId, e.accountId, e.amountCents, e.kind, e.sourceId, e.description ?? null, balanceAfter, at],
  });
  await tx.execute({
    sql: 'UPDATE accounts SET balance_cents = ?, updated_at = ? WHERE id = ?',
    args: [balanceAfter, at, e.accountId],
  });
  return { applied: true, balanceCents: balanceAfter, entryId };
}
