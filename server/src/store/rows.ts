import {
  type Account,
  type BillingSession,
  type BillingSessionStatus,
  type BillingSessionType,
  type CardOnFile,
  LEDGER_KINDS,
  type LedgerEntry,
  type LedgerKind,
  type LedgerMismatch,
  type SubscriptionAccess,
  type SubscriptionMirror,
} from './records.ts';
import type { SqlRow } from './sql.ts';

/**
 * The one place rows become records. Each decoder reads its row by position, in the order of the
 * column list beside it (queries select exactly those columns), and checks every value's type
 * instead of coercing it: a schema that drifted from the code fails loudly here, not as a
 * "null" string in an answer. Both drivers give rows by position (the local one as arrays, the
 * remote one as array-like rows), integers as numbers.
 */

/** A value that must be text. */
export function text(value: unknown, column: string): string {
  if (typeof value === 'string') return value;
  throw new TypeError(`column ${column}: expected text, got ${describe(value)}`);
}

/** Text or NULL. */
export function textOrNull(value: unknown, column: string): string | null {
  return value === null || value === undefined ? null : text(value, column);
}

/** A value that must be an integer a number holds exactly. */
export function integer(value: unknown, column: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
  throw new TypeError(`column ${column}: expected an integer, got ${describe(value)}`);
}

/** An integer or NULL. */
export function integerOrNull(value: unknown, column: string): number | null {
  return value === null || value === undefined ? null : integer(value, column);
}

/** A number (REAL or INTEGER). */
export function real(value: unknown, column: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw new TypeError(`column ${column}: expected a number, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'NULL';
  if (value instanceof ArrayBuffer) return 'a blob';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Text that must be one of `allowed`. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], column: string): T {
  const s = text(value, column);
  if ((allowed as readonly string[]).includes(s)) return s as T;
  throw new TypeError(`column ${column}: unexpected value ${JSON.stringify(s)}`);
}

export const ACCOUNT_COLUMNS =
  'a.id, a.stripe_customer_id, a.balance_cents, a.welcome_granted_at, a.default_payment_method_id, a.email, a.created_at, a.updated_at, c.brand, c.last4, c.exp_month, c.exp_year';

/** An account with its card (migration 009), for `ACCOUNT_COLUMNS`. */
export const ACCOUNT_WITH_CARD = 'accounts a LEFT JOIN account_cards c ON c.account_id = a.id';

export function accountOf(row: SqlRow): Account {
  return {
    id: text(row[0], 'accounts.id'),
    stripeCustomerId: textOrNull(row[1], 'accounts.stripe_customer_id'),
    balanceCents: integer(row[2], 'accounts.balance_cents'),
    welcomeGrantedAt: textOrNull(row[3], 'accounts.welcome_granted_at'),
    defaultPaymentMethodId: textOrNull(row[4], 'accounts.default_payment_method_id'),
    email: textOrNull(row[5], 'accounts.email'),
    createdAt: text(row[6], 'accounts.created_at'),
    updatedAt: text(row[7], 'accounts.updated_at'),
    defaultCard: cardOf(row),
  };
}

/** The card columns (8 to 11, from `account_cards`): all set, or the card is unknown. */
function cardOf(row: SqlRow): CardOnFile | null {
  const brand = textOrNull(row[8], 'account_cards.brand');
  const last4 = textOrNull(row[9], 'account_cards.last4');
  const expMonth = integerOrNull(row[10], 'account_cards.exp_month');
  const expYear = integerOrNull(row[11], 'account_cards.exp_year');
  return brand && last4 && expMonth !== null && expYear !== null ? { brand, last4, expMonth, expYear } : null;
}

export const BILLING_SESSION_COLUMNS =
  'id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url, cancel_ref';

const SESSION_STATUSES: readonly BillingSessionStatus[] = ['in_progress', 'completed', 'cancelled', 'error'];
const SESSION_TYPES: readonly BillingSessionType[] = ['DIRECT_PAYMENT', 'MONTHLY_SUBSCRIPTION', 'SETUP'];

export function billingSessionOf(row: SqlRow): BillingSession {
  return {
    id: text(row[0], 'billing_sessions.id'),
    accountId: text(row[1], 'billing_sessions.account_id'),
    userId: text(row[2], 'billing_sessions.user_id'),
    status: oneOf(row[3], SESSION_STATUSES, 'billing_sessions.status'),
    type: oneOf(row[4], SESSION_TYPES, 'billing_sessions.billing_session_type'),
    priceCents: integerOrNull(row[5], 'billing_sessions.price_cents'),
    priceCode: textOrNull(row[6], 'billing_sessions.price_code'),
    returnUrl: text(row[7], 'billing_sessions.return_url'),
    returnRef: textOrNull(row[8], 'billing_sessions.cancel_ref'),
  };
}

export const LEDGER_ENTRY_COLUMNS =
  'seq, id, kind, amount_cents, description, balance_after_cents, created_at, stripe_object_id, feature';

export function ledgerEntryOf(row: SqlRow): LedgerEntry {
  return {
    seq: integer(row[0], 'ledger_entries.seq'),
    id: text(row[1], 'ledger_entries.id'),
    kind: oneOf<LedgerKind>(row[2], LEDGER_KINDS, 'ledger_entries.kind'),
    amountCents: integer(row[3], 'ledger_entries.amount_cents'),
    description: textOrNull(row[4], 'ledger_entries.description'),
    balanceAfterCents: integer(row[5], 'ledger_entries.balance_after_cents'),
    createdAt: text(row[6], 'ledger_entries.created_at'),
    stripeObjectId: textOrNull(row[7], 'ledger_entries.stripe_object_id'),
    feature: textOrNull(row[8], 'ledger_entries.feature'),
  };
}

export const SUBSCRIPTION_ACCESS_COLUMNS =
  'start_at, end_at, created_at, cancelled_at, stripe_subscription_id';

export function subscriptionAccessOf(row: SqlRow): SubscriptionAccess {
  return {
    startAt: text(row[0], 'subscription_access.start_at'),
    endAt: text(row[1], 'subscription_access.end_at'),
    createdAt: text(row[2], 'subscription_access.created_at'),
    cancelledAt: textOrNull(row[3], 'subscription_access.cancelled_at'),
    stripeSubscriptionId: textOrNull(row[4], 'subscription_access.stripe_subscription_id'),
  };
}

export const SUBSCRIPTION_MIRROR_COLUMNS =
  'stripe_subscription_id, plan_id, status, cancel_at_period_end, current_period_end';

export function subscriptionMirrorOf(row: SqlRow): SubscriptionMirror {
  return {
    stripeSubscriptionId: text(row[0], 'subscriptions.stripe_subscription_id'),
    planId: textOrNull(row[1], 'subscriptions.plan_id'),
    status: text(row[2], 'subscriptions.status'),
    cancelAtPeriodEnd: integer(row[3], 'subscriptions.cancel_at_period_end') !== 0,
    currentPeriodEnd: textOrNull(row[4], 'subscriptions.current_period_end'),
  };
}

/** `account_id, balance_cents, ledger_sum` of the audit query (balance NULL: no account row). */
export function ledgerMismatchOf(row: SqlRow): LedgerMismatch {
  const balance = integerOrNull(row[1], 'audit.balance_cents');
  return {
    accountId: text(row[0], 'audit.account_id'),
    balanceCents: balance === null ? Number.NaN : balance,
    ledgerSumCents: integer(row[2], 'audit.ledger_sum'),
  };
}
