/**
 * What the store holds, as the rest of the server sees it: typed records (decoded from rows in
 * rows.ts) and the inputs of the named write operations (operations.ts). Money is integer cents,
 * times are ISO-8601 strings as stored.
 */

/**
 * Why a balance changed. `refund` is money going back: a host's `/grants` credit of that kind, or a
 * Stripe refund taking back the credit its payment granted (negative); `dispute` takes it back
 * when a chargeback withdraws the funds, `dispute_reinstated` gives exactly that back when the
 * dispute is won.
 */
export type LedgerKind =
  | 'purchase'
  | 'subscription'
  | 'welcome'
  | 'usage'
  | 'grant'
  | 'refund'
  | 'dispute'
  | 'dispute_reinstated';

export const LEDGER_KINDS: readonly LedgerKind[] = [
  'purchase',
  'subscription',
  'welcome',
  'usage',
  'grant',
  'refund',
  'dispute',
  'dispute_reinstated',
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
  /** The Stripe object the entry came from (Checkout session, invoice, refund, dispute), if any. */
  stripeObjectId: string | null;
  /** Usage only: what it was spent on, as `/usage` reported it (null: not said). */
  feature: string | null;
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
  /** Usage only: what it was spent on, a short key such as `chat` (null: not said). */
  feature?: string | null;
  /** Usage only: when the host metered it (ISO-8601 UTC, as `toISOString` writes it; its day is stored beside it). */
  occurredAt?: string | null;
  /** Refuse (402) a debit larger than the balance instead of letting the balance go negative. */
  requireFunds?: boolean;
  /** The Stripe object this change records, when it comes from one. */
  stripeObjectId?: string | null;
}

/**
 * Takes back (part of) what a grant credited, once per `sourceId` (a refund or dispute id): the
 * grant's share `round(grant × afterCents / ofCents) − round(grant × beforeCents / ofCents)`, never
 * more than the grant still holds (the grant plus every entry already reversing it), computed in
 * SQL. The account is the grant's. Nothing is written when the grant is unknown or spent back to zero.
 */
export interface GrantReversal {
  /** The grant's `source_id` (Checkout session, invoice, …). */
  grantSourceId: string;
  sourceId: string;
  kind: 'refund' | 'dispute';
  /** Of `ofCents` paid, the money returned before this one and after it (cumulative, in cents). */
  beforeCents: number;
  afterCents: number;
  ofCents: number;
  stripeObjectId: string;
  description: string;
}

/** Gives back exactly what the entry `reversedSourceId` took, once per `sourceId`. */
export interface ReversalRestore {
  reversedSourceId: string;
  sourceId: string;
  kind: 'dispute_reinstated';
  stripeObjectId: string;
  description: string;
}

/** What a take-back or restore wrote: `amountCents` is 0 when nothing was (new) to write. */
export interface DerivedLedgerResult {
  applied: boolean;
  amountCents: number;
}

/** Reconciliation's progress through Stripe's events list. */
export interface ReconcileCheckpoint {
  /** Every listed event created up to this Unix time (Stripe's clock) was applied. */
  eventCreated: number;
  updatedAt: string;
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

/** Where an account's auto-recharge stands (`auto_recharge_settings.state`). */
export type AutoRechargeState = 'idle' | 'charging' | 'failed' | 'action_required';

/** The auto-recharge settings an account opted into, and the state of its last charge. */
export interface AutoRechargeSettings {
  accountId: string;
  enabled: boolean;
  thresholdCents: number;
  amountCents: number;
  monthlyCapCents: number;
  state: AutoRechargeState;
  /** The attempt `state` is about (the one charging, waiting for the user, or that failed). */
  attemptId: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  updatedAt: string;
}

/** What `/summary` shows of auto-recharge: the settings (null: never set) and this month's charges. */
export interface AutoRechargeView {
  settings: AutoRechargeSettings | null;
  /** Succeeded charges in the current UTC month. */
  chargedThisMonthCents: number;
}

export type AutoRechargeAttemptStatus = 'charging' | 'succeeded' | 'failed' | 'action_required' | 'canceled';

/** One off-session charge started by a debit. */
export interface AutoRechargeAttempt {
  id: string;
  accountId: string;
  amountCents: number;
  status: AutoRechargeAttemptStatus;
  /** UTC `YYYY-MM` of the debit that started it: the month its amount counts against the cap. */
  month: string;
  paymentIntentId: string | null;
  createdAt: string;
}

/** The settings a user saves (`PUT /auto-recharge`), already validated. */
export interface AutoRechargeSettingsInput {
  enabled: boolean;
  thresholdCents: number;
  amountCents: number;
  monthlyCapCents: number;
}

/** What a debit's claim did: started a charge (its attempt), skipped it for the cap, or neither. */
export interface AutoRechargeClaim {
  /** The attempt this debit started, or null. */
  attempt: { id: string; amountCents: number } | null;
  /** The debit crossed the threshold but the charge would have passed the monthly cap. */
  capReached: boolean;
  /** The settings after the claim (null: the account never saved any). */
  settings: { enabled: boolean; state: AutoRechargeState } | null;
}

/** How a charge ended, as Stripe told it (`settleAutoRecharge`). */
export type AutoRechargeOutcome =
  | { status: 'succeeded'; paymentIntentId: string }
  | {
      status: 'failed' | 'action_required';
      paymentIntentId: string | null;
      errorCode: string;
      errorMessage: string;
    };
/** Spend on one feature (null: usage reported without one), in cents. */
export interface FeatureSpend {
  feature: string | null;
  spentCents: number;
}

/** One UTC day of usage: the day (`YYYY-MM-DD`) and its spend per feature, biggest first. */
export interface UsageDay {
  day: string;
  features: FeatureSpend[];
}

/** An account's usage read for the summary: the window's days with usage, and the last 7 days' spend. */
export interface UsageRecords {
  /** Only days with usage, oldest first. */
  days: UsageDay[];
  /** Spend in the 7 × 24 hours before `now`. */
  lastWeekCents: number;
}
