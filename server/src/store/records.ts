/**
 * What the store holds, as the rest of the server sees it: typed records (decoded from rows in
 * rows.ts) and the inputs of the named write operations (operations.ts). Money is integer cents,
 * times are ISO-8601 strings as stored.
 */

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

/** A billing account: its balance (always the sum of its ledger), Stripe customer and card. */
/** The part of a saved card a person recognises it by; nothing more is stored. */
export interface CardOnFile {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface Account {
  /** The account key, `user:<id>` or `org:<id>` (identity/account-key.ts). */
  id: string;
  stripeCustomerId: string | null;
  balanceCents: number;
  welcomeGrantedAt: string | null;
  defaultPaymentMethodId: string | null;
  /** What the default card looked like when it was saved; null when none is known. */
  defaultCard: CardOnFile | null;
  email: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One row of an account's ledger. */
export interface LedgerEntry {
  /** Orders the ledger; the transactions page's cursor. */
  seq: number;
  id: string;
  kind: LedgerKind;
  amountCents: number;
  description: string | null;
  balanceAfterCents: number;
  createdAt: string;
}

/** A page of an account's ledger, newest first. */
export interface LedgerPage {
  entries: LedgerEntry[];
  /** The `seq` to page on from (entries below it), or null on the last page. */
  nextBeforeSeq: number | null;
}

/** One credit or debit to apply to an account. */
export interface LedgerChange {
  accountId: string;
  /** Signed integer cents: positive credits, negative debits; never zero. */
  amountCents: number;
  kind: LedgerKind;
  /** The external fact this records (session id, invoice id, idempotency key): counted once. */
  sourceId: string;
  description?: string | null;
  /** Refuse (402) a debit larger than the balance instead of letting the balance go negative. */
  requireFunds?: boolean;
}

/** What a ledger change did: `applied` false when its source was already recorded (a replay). */
export interface LedgerResult {
  applied: boolean;
  balanceCents: number;
  /** The new entry's id; null for a replay. */
  entryId: string | null;
}

/** What a Checkout session was created for (the `billing_session_type` column). */
export type BillingSessionType = 'DIRECT_PAYMENT' | 'MONTHLY_SUBSCRIPTION' | 'SETUP';
export type BillingSessionStatus = 'in_progress' | 'completed' | 'cancelled' | 'error';

/** Our record of a Checkout session we created. */
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

/** A paid period of subscription access. */
export interface SubscriptionAccess {
  startAt: string;
  endAt: string;
  createdAt: string;
  cancelledAt: string | null;
  stripeSubscriptionId: string | null;
}

/** Our mirror of a Stripe subscription's state. */
export interface SubscriptionMirror {
  stripeSubscriptionId: string;
  planId: string | null;
  status: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
}

/** What the store knows of an account's subscription, read in one go. */
export interface SubscriptionRecords {
  /** The access row covering now (ACTIVE, ending in the future), or null. */
  currentAccess: SubscriptionAccess | null;
  /** The most relevant mirror row: a live one before an ended one, then the newest. */
  latestMirror: SubscriptionMirror | null;
  /** Whether the account ever had an access row. */
  hadAccess: boolean;
}

/**
 * A subscription's state as read from Stripe, for `mirrorSubscription`. What happens to the access
 * rows follows from it: `endedAt` set → they end (DISABLED, cut at that time when it came early);
 * else `cancelAtPeriodEnd` → they are marked cancelling (`cancelledAt`); else that mark is cleared.
 */
export interface SubscriptionUpdate {
  subscriptionId: string;
  accountId: string;
  userId: string | null;
  planId: string | null;
  status: string;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  /** When the subscription ended; null while Stripe may still bill it. */
  endedAt: string | null;
  /** When a cancellation was asked for (Stripe's `canceled_at`), if known. */
  cancelledAt: string | null;
}

/** A paid subscription period (an invoice), for `recordPaidPeriod`. */
export interface PaidPeriod {
  accountId: string;
  userId: string | null;
  subscriptionId: string;
  /** Grants the period once: a second record with the same invoice changes nothing. */
  invoiceId: string;
  startAt: string;
  endAt: string;
  /** Credit that comes with the period, written only when the period is new. */
  includedCredit: { amountCents: number; description: string } | null;
}

/** An account whose cached balance disagrees with its ledger. */
export interface LedgerMismatch {
  accountId: string;
  balanceCents: number;
  ledgerSumCents: number;
}
