import type {
  Account,
  AutoRechargeAttempt,
  AutoRechargeClaim,
  AutoRechargeOutcome,
  AutoRechargeSettingsInput,
  AutoRechargeView,
  BillingSession,
  CardOnFile,
  DerivedLedgerResult,
  GrantReversal,
  LedgerChange,
  LedgerMismatch,
  LedgerPage,
  LedgerResult,
  PaidPeriod,
  ReconcileCheckpoint,
  ReversalRestore,
  SubscriptionAccess,
  SubscriptionRecords,
  SubscriptionUpdate,
  UsageRecords,
} from './records.ts';
import type { SqlValue } from './sql.ts';

/**
 * The billing store: everything the server reads and writes, as typed reads and named write
 * operations. No SQL leaves `server/src/store/`. Two implementations (open-store.ts picks one by
 * URL): a local file (local-store.ts) and a remote libSQL server (remote-store.ts).
 */
export interface BillingStore {
  /** `local` for a file or memory database, `remote` for sqld/Turso over the network. */
  readonly kind: 'local' | 'remote';
  /** Where the data lives, for logs: a file path, `:memory:`, or the remote URL without credentials. */
  readonly location: string;

  /** The account, or null before its first write. */
  account(accountId: string): Promise<Account | null>;
  /**
   * The account's balance in cents (null: no account yet). The hot read of `GET /credits`: a local
   * store answers synchronously (balance-reader.ts), a remote one with a promise.
   */
  balance(accountId: string): number | null | Promise<number | null>;
  /** The account a Stripe customer belongs to. */
  accountIdForCustomer(customerId: string): Promise<string | null>;
  /** Our record of a Checkout session, or null when we never created it. */
  billingSession(id: string): Promise<BillingSession | null>;
  /** The session whose return links carried `returnRef`. */
  billingSessionByReturnRef(returnRef: string): Promise<BillingSession | null>;
  /** Ids of the account's subscription Checkout sessions still in progress (at most one). */
  openSubscriptionCheckoutIds(accountId: string): Promise<string[]>;
  /** The access row covering `now`, or null. */
  currentAccess(accountId: string, now: Date): Promise<SubscriptionAccess | null>;
  /** Access, mirror and history of the account's subscription, read together. */
  subscriptionRecords(accountId: string, now: Date): Promise<SubscriptionRecords>;
  /**
   * The subscription a cancel or resume acts on: the newest one Stripe still bills, else the one
   * behind access that is still running. Null when there is none.
   */
  liveSubscriptionId(accountId: string, now: Date): Promise<string | null>;
  /** A page of the account's ledger, newest first, below `beforeSeq` (null: from the newest). */
  ledgerPage(accountId: string, limit: number, beforeSeq: number | null): Promise<LedgerPage>;
  /** Reconciliation's checkpoint `id` (one per Stripe account), or null before its first run. */
  reconcileCheckpoint(id: string): Promise<ReconcileCheckpoint | null>;
  /**
   * The account's usage metered from the UTC day `fromDay` (`YYYY-MM-DD`; null: none) per day and
   * feature, and its spend in the 7 × 24 hours before `now`: reads of one index over usage rows
   * (migration 008).
   */
  usageRecords(accountId: string, fromDay: string | null, now: Date): Promise<UsageRecords>;
  /** Whether a Stripe event was already handled. */
  webhookEventProcessed(eventId: string): Promise<boolean>;
  /** Accounts whose balance differs from their ledger (empty when the books agree). */
  auditLedger(): Promise<LedgerMismatch[]>;
  /** The account's auto-recharge settings and the charges that succeeded in `now`'s UTC month. */
  autoRecharge(accountId: string, now: Date): Promise<AutoRechargeView>;
  /** One auto-recharge charge, or null. */
  autoRechargeAttempt(attemptId: string): Promise<AutoRechargeAttempt | null>;

  /**
   * Runs one unit of work: `plan` names the operations (synchronously; it must not read the store
   * or call anything else, which belongs before), and they commit together or not at all. The
   * answer comes once they are durable; a `Later` the plan returns is then read. A refused
   * operation (402, 409, a duplicate event) rejects with its error and leaves nothing written.
   */
  write<T>(now: Date, plan: (unit: WriteUnit) => Later<T>): Promise<T>;
  write(now: Date, plan: (unit: WriteUnit) => void): Promise<void>;

  /** Rate-limit buckets shared by every process on this database (rate-limits.ts). */
  readonly rateLimits: RateLimits;

  /** True while the store can take a write. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  /** Plain SQL for tests, benchmarks and operators' tools; the server itself never uses it. */
  readonly sql: SqlConsole;
}

/** A value a write operation answers, readable once its unit of work has committed. */
export interface Later<T> {
  readonly value: T;
}

/**
 * The named write operations of one unit of work. Each is planned when called and runs, in call
 * order, when the plan returns. Every time written is the unit's `now`.
 */
export interface WriteUnit {
  /** Creates the account with a zero balance unless it exists. */
  ensureAccount(accountId: string): void;
  /**
   * One balance change and its ledger row, once per `sourceId`: a replay with the same account and
   * amount changes nothing (`applied` false); another account or amount is a 409
   * `idempotency_conflict`; with `requireFunds`, a debit larger than the balance is a 402
   * `insufficient_credits`. A credit creates the account; a refused change creates nothing.
   */
  creditLedger(change: LedgerChange): Later<LedgerResult>;
  /** The welcome credit, once per account (`welcome:<account>`), stamping `welcome_granted_at`. */
  grantWelcomeCredit(accountId: string, amountCents: number): Later<LedgerResult>;
  /**
   * Records a Checkout session we created as `in_progress`. A second open subscription checkout for
   * the account rejects the unit with `SubscriptionCheckoutInProgress` (store-errors.ts).
   */
  recordBillingSession(session: Omit<BillingSession, 'status'>): void;
  /** Moves an `in_progress` session to `status`; answers whether it did (a completed one stays so). */
  closeBillingSession(id: string, status: 'cancelled' | 'error'): Later<boolean>;
  /** Marks a session completed, whatever it was (a paid session wins over a cancel click). */
  completeBillingSession(id: string): void;
  /** Records the account's Stripe customer unless it has one; answers the one it has now. */
  setCustomer(accountId: string, customerId: string): Later<string>;
  /**
   * Replaces the account's default card (null: none) and what it looks like (`card`; null when
   * unknown, e.g. Stripe could not say).
   */
  setDefaultPaymentMethod(accountId: string, paymentMethodId: string | null, card?: CardOnFile | null): void;
  /** Writes the subscription's mirror row and brings its access rows in line (see SubscriptionUpdate). */
  mirrorSubscription(update: SubscriptionUpdate): void;
  /** One access row per invoice, with the period's included credit; answers whether it was new. */
  recordPaidPeriod(period: PaidPeriod): Later<boolean>;
  /**
   * Records a Stripe event as handled. When it already was (a concurrent delivery committed first),
   * the unit is refused with `WebhookEventAlreadyProcessed` and nothing of it is written.
   */
  recordWebhookEvent(eventId: string, type: string): void;
  /** Takes back (part of) a grant: a refund or a dispute (see GrantReversal). */
  reverseGrant(reversal: GrantReversal): Later<DerivedLedgerResult>;
  /** Gives back what a take-back took: a won dispute (see ReversalRestore). */
  restoreReversal(restore: ReversalRestore): Later<DerivedLedgerResult>;
  /** Moves checkpoint `id` forward to `eventCreated` (never back) and counts the events applied. */
  advanceReconcileCheckpoint(id: string, eventCreated: number, eventsApplied: number): void;
  /**
   * Saves the account's auto-recharge settings. A charge in flight stays `charging`; one waiting
   * for the user stays so while enabled and is given up when disabled; otherwise the state is
   * `idle` with no error.
   */
  saveAutoRechargeSettings(accountId: string, settings: AutoRechargeSettingsInput): void;
  /**
   * After `debit` (a `creditLedger` of this unit): when that debit took the balance from at or above
   * the account's enabled threshold to below it and no charge is in flight, starts one charge
   * (`charging`, one attempt row) unless it would pass the monthly cap, which is noted instead. The
   * conditional UPDATE of the one settings row is the guard: concurrent units, in any process, claim
   * at most once. A replayed debit claims nothing.
   */
  claimAutoRecharge(accountId: string, debit: Later<LedgerResult>): Later<AutoRechargeClaim>;
  /** Records how a charge ended; a late or repeated outcome changes nothing it should not. */
  settleAutoRecharge(attemptId: string, outcome: AutoRechargeOutcome): void;
}

/** Token buckets kept in the store. */
export interface RateLimits {
  /**
   * Takes one request from `key`'s budget of `perMinute` a minute (bursts up to the same number);
   * answers the seconds to wait when there is none, else null.
   */
  take(key: string, perMinute: number, now: Date): Promise<number | null>;
}

/** Direct SQL, outside the named operations: tests, benchmarks, dumps and fault injection only. */
export interface SqlConsole {
  /** Runs one statement (a write commits on its own); rows come as objects keyed by column name. */
  run(
    sql: string,
    args?: readonly SqlValue[],
  ): Promise<{ rows: Record<string, unknown>[]; rowsAffected: number }>;
}
