import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors.ts';
import { formatCents } from '../money.ts';
import { autoRechargeStateOf } from './auto-recharge-queries.ts';
import type {
  AutoRechargeClaim,
  AutoRechargeOutcome,
  AutoRechargeSettingsInput,
  BillingSession,
  CardOnFile,
  DerivedLedgerResult,
  GrantReversal,
  LedgerChange,
  LedgerResult,
  PaidPeriod,
  ReversalRestore,
  SubscriptionUpdate,
} from './records.ts';
import { integerOrNull, text, textOrNull } from './rows.ts';
import type { SqlStatement, SqlValue, StatementResult } from './sql.ts';
import type { Later, WriteUnit } from './store.ts';
import { StoreError, SubscriptionCheckoutInProgress, WebhookEventAlreadyProcessed } from './store-errors.ts';

/**
 * The named write operations, each turned into SQL statements that need no application code
 * between them: every condition is in the SQL (`ON CONFLICT DO NOTHING`, `INSERT … SELECT …
 * WHERE`, `… WHERE EXISTS (the row this unit just wrote)`), a rule that refuses the whole unit
 * inserts into `write_refusals` (migration 004), and what an operation answers is read from its
 * own statements' results once the unit has committed.
 *
 * So a remote store sends a unit as ONE batch (one round trip; the database's write lock is held
 * only while the server runs it) and the local store runs the very same statements in its
 * group-commit savepoint. Correctness under races comes from these guards and the UNIQUE
 * constraints, never from a read made before the unit.
 */
export class WritePlan implements WriteUnit {
  /** The unit's statements, in the order they run. */
  readonly statements: SqlStatement[] = [];
  private readonly operations: Operation[] = [];
  private readonly at: string;
  /** The ledger row each `creditLedger` of this unit writes, for operations that follow it. */
  private readonly entryIds = new WeakMap<Later<LedgerResult>, string>();

  constructor(now: Date) {
    this.at = now.toISOString();
  }

  ensureAccount(accountId: string): void {
    this.add({}, [
      named(
        `INSERT INTO accounts (id, balance_cents, created_at, updated_at) VALUES (:account, 0, :now, :now)
         ON CONFLICT (id) DO NOTHING`,
        { account: accountId, now: this.at },
      ),
    ]);
  }

  creditLedger(change: LedgerChange): Later<LedgerResult> {
    const { result, entryId } = this.ledgerChange(change, null);
    this.entryIds.set(result, entryId);
    return result;
  }

  saveAutoRechargeSettings(accountId: string, input: AutoRechargeSettingsInput): void {
    const args = {
      account: accountId,
      enabled: input.enabled ? 1 : 0,
      threshold: input.thresholdCents,
      amount: input.amountCents,
      cap: input.monthlyCapCents,
      now: this.at,
      stale: new Date(Date.parse(this.at) - STALE_CHARGE_MS).toISOString(),
      abandoned: 'No answer came from Stripe for this charge; if it went through, it is still credited.',
    };
    const kept = `(state = 'charging' AND EXISTS (SELECT 1 FROM auto_recharge_attempts AS a
        WHERE a.id = auto_recharge_settings.attempt_id AND a.status = 'charging'))
      OR (state = 'action_required' AND excluded.enabled = 1)`;
    this.add({}, [
      // Turning it off gives up a charge waiting for the user (a charge in flight still lands).
      named(
        `UPDATE auto_recharge_attempts SET status = 'canceled', updated_at = :now
         WHERE :enabled = 0 AND status = 'action_required'
           AND id = (SELECT attempt_id FROM auto_recharge_settings WHERE account_id = :account AND state = 'action_required')`,
        args,
      ),
      // A charge claimed long ago with no outcome (the process died before Stripe answered) is
      // given up, so saving the settings can start afresh; a late success still credits it.
      named(
        `UPDATE auto_recharge_attempts
         SET status = 'failed', error_code = 'abandoned', error_message = :abandoned, updated_at = :now
         WHERE status = 'charging' AND created_at < :stale
           AND id = (SELECT attempt_id FROM auto_recharge_settings WHERE account_id = :account AND state = 'charging')`,
        args,
      ),
      // A charge in flight keeps `charging` (its outcome settles it); one waiting for the user
      // stays so while enabled; anything else starts afresh with no error.
      named(
        `INSERT INTO auto_recharge_settings
           (account_id, enabled, threshold_cents, amount_cents, monthly_cap_cents, state, attempt_id, last_error_code, last_error_message, updated_at)
         VALUES (:account, :enabled, :threshold, :amount, :cap, 'idle', NULL, NULL, NULL, :now)
         ON CONFLICT (account_id) DO UPDATE SET
           enabled = excluded.enabled,
           threshold_cents = excluded.threshold_cents,
           amount_cents = excluded.amount_cents,
           monthly_cap_cents = excluded.monthly_cap_cents,
           state = CASE WHEN ${kept} THEN state ELSE 'idle' END,
           last_error_code = CASE WHEN ${kept} THEN last_error_code ELSE NULL END,
           last_error_message = CASE WHEN ${kept} THEN last_error_message ELSE NULL END,
           updated_at = excluded.updated_at`,
        args,
      ),
    ]);
  }

  claimAutoRecharge(accountId: string, debit: Later<LedgerResult>): Later<AutoRechargeClaim> {
    const entryId = this.entryIds.get(debit);
    if (entryId === undefined)
      throw new Error('claimAutoRecharge: the debit must be a creditLedger of this unit');
    const attemptId = `ar_${randomUUID().replaceAll('-', '')}`;
    const args = {
      account: accountId,
      entry: entryId,
      attempt: attemptId,
      month: this.at.slice(0, 7),
      now: this.at,
    };
    // The debit this unit just wrote (none on a replay) took the balance from at-or-above the
    // threshold to below it.
    const crossed = `auto_recharge_settings.enabled = 1 AND auto_recharge_settings.state = 'idle'
      AND EXISTS (SELECT 1 FROM ledger_entries AS e WHERE e.id = :entry AND e.amount_cents < 0
        AND e.balance_after_cents < auto_recharge_settings.threshold_cents
        AND e.balance_after_cents - e.amount_cents >= auto_recharge_settings.threshold_cents)`;
    // What this month's charges, started or done, add up to with one more.
    const monthWithOneMore = `(SELECT COALESCE(SUM(a.amount_cents), 0) FROM auto_recharge_attempts AS a
        WHERE a.account_id = :account AND a.month = :month AND a.status IN ('charging', 'succeeded', 'action_required'))
      + auto_recharge_settings.amount_cents`;
    const claim = new Pending<AutoRechargeClaim>();
    this.add(
      {
        settle: ([capped, , started, read]) => {
          const row = read!.rows[0]!;
          const amount = integerOrNull(row[0], 'auto_recharge_attempts.amount_cents');
          const enabled = integerOrNull(row[1], 'auto_recharge_settings.enabled');
          claim.resolve({
            attempt:
              started!.rowsAffected > 0 && amount !== null ? { id: attemptId, amountCents: amount } : null,
            capReached: capped!.rowsAffected > 0,
            settings:
              enabled === null ? null : { enabled: enabled === 1, state: autoRechargeStateOf(row[2]) },
          });
        },
      },
      [
        named(
          `UPDATE auto_recharge_settings SET last_error_code = 'monthly_cap_reached', last_error_message = NULL, updated_at = :now
           WHERE account_id = :account AND ${crossed} AND ${monthWithOneMore} > auto_recharge_settings.monthly_cap_cents`,
          args,
        ),
        named(
          `UPDATE auto_recharge_settings
           SET state = 'charging', attempt_id = :attempt, last_error_code = NULL, last_error_message = NULL, updated_at = :now
           WHERE account_id = :account AND ${crossed} AND ${monthWithOneMore} <= auto_recharge_settings.monthly_cap_cents`,
          args,
        ),
        named(
          `INSERT INTO auto_recharge_attempts (id, account_id, amount_cents, status, month, created_at, updated_at)
           SELECT :attempt, account_id, amount_cents, 'charging', :month, :now, :now
           FROM auto_recharge_settings WHERE account_id = :account AND attempt_id = :attempt AND state = 'charging'`,
          args,
        ),
        named(
          `SELECT (SELECT amount_cents FROM auto_recharge_attempts WHERE id = :attempt), s.enabled, s.state
           FROM (SELECT 1) AS one LEFT JOIN auto_recharge_settings AS s ON s.account_id = :account`,
          args,
          true,
        ),
      ],
    );
    return claim;
  }

  settleAutoRecharge(attemptId: string, outcome: AutoRechargeOutcome): void {
    const failed = outcome.status !== 'succeeded';
    const args = {
      attempt: attemptId,
      status: outcome.status,
      intent: outcome.paymentIntentId,
      code: failed ? outcome.errorCode : null,
      message: failed ? outcome.errorMessage : null,
      now: this.at,
    };
    // Which states each outcome may follow: a success ends anything not yet succeeded (a late
    // success after a give-up still counts); a failure ends a charge in flight or waiting for the
    // user; "needs the user" only follows the off-session attempt.
    const from =
      outcome.status === 'succeeded'
        ? "('charging', 'action_required', 'failed', 'canceled')"
        : outcome.status === 'failed'
          ? "('charging', 'action_required')"
          : "('charging')";
    this.add({}, [
      named(
        `UPDATE auto_recharge_attempts
         SET status = :status, payment_intent_id = COALESCE(payment_intent_id, :intent),
             error_code = :code, error_message = :message, updated_at = :now
         WHERE id = :attempt AND status IN ${from}`,
        args,
      ),
      // A decline turns auto-recharge off (the user turns it on again); the settings follow only
      // when they still point at this attempt.
      named(
        `UPDATE auto_recharge_settings
         SET state = CASE WHEN :status = 'succeeded' THEN 'idle' ELSE :status END,
             enabled = CASE WHEN :status = 'failed' THEN 0 ELSE enabled END,
             last_error_code = :code, last_error_message = :message, updated_at = :now
         WHERE attempt_id = :attempt AND state IN ${outcome.status === 'succeeded' ? "('charging', 'action_required', 'failed')" : from}
           AND EXISTS (SELECT 1 FROM auto_recharge_attempts WHERE id = :attempt AND status = :status)`,
        args,
      ),
    ]);
  }

  grantWelcomeCredit(accountId: string, amountCents: number): Later<LedgerResult> {
    const { result, entryId } = this.ledgerChange(
      {
        accountId,
        amountCents,
        kind: 'welcome',
        sourceId: `welcome:${accountId}`,
        description: 'Welcome credit',
      },
      null,
    );
    this.add({}, [
      named(
        `UPDATE accounts SET welcome_granted_at = :now
         WHERE id = :account AND welcome_granted_at IS NULL
           AND EXISTS (SELECT 1 FROM ledger_entries WHERE id = :entry)`,
        { account: accountId, now: this.at, entry: entryId },
      ),
    ]);
    return result;
  }

  recordBillingSession(session: Omit<BillingSession, 'status'>): void {
    this.add(
      {
        failure: (error) =>
          session.type === 'MONTHLY_SUBSCRIPTION' &&
          error.code.startsWith('SQLITE_CONSTRAINT') &&
          // SQLite names the indexed column: only this index's conflict matches, not the id's.
          /UNIQUE constraint failed: billing_sessions\.account_id\b/.test(error.message)
            ? new SubscriptionCheckoutInProgress(session.accountId)
            : null,
      },
      [
        named(
          `INSERT INTO billing_sessions
             (id, account_id, user_id, status, billing_session_type, price_cents, price_code, return_url, cancel_ref, created_at, updated_at)
           VALUES (:id, :account, :user, 'in_progress', :type, :price_cents, :price_code, :return_url, :ref, :now, :now)`,
          {
            id: session.id,
            account: session.accountId,
            user: session.userId,
            type: session.type,
            price_cents: session.priceCents,
            price_code: session.priceCode,
            return_url: session.returnUrl,
            ref: session.returnRef,
            now: this.at,
          },
        ),
      ],
    );
  }

  closeBillingSession(id: string, status: 'cancelled' | 'error'): Later<boolean> {
    const closed = new Pending<boolean>();
    this.add({ settle: ([update]) => closed.resolve(update!.rowsAffected > 0) }, [
      named(
        `UPDATE billing_sessions SET status = :status, updated_at = :now WHERE id = :id AND status = 'in_progress'`,
        { status, now: this.at, id },
      ),
    ]);
    return closed;
  }

  completeBillingSession(id: string): void {
    this.add({}, [
      named(
        `UPDATE billing_sessions SET status = 'completed', updated_at = :now WHERE id = :id AND status <> 'completed'`,
        { now: this.at, id },
      ),
    ]);
  }

  setCustomer(accountId: string, customerId: string): Later<string> {
    const stored = new Pending<string>();
    this.add(
      {
        settle: ([, read]) => {
          const row = read!.rows[0];
          stored.resolve((row && textOrNull(row[0], 'accounts.stripe_customer_id')) || customerId);
        },
      },
      [
        named(
          `UPDATE accounts SET stripe_customer_id = :customer, updated_at = :now
           WHERE id = :account AND stripe_customer_id IS NULL`,
          { customer: customerId, now: this.at, account: accountId },
        ),
        named('SELECT stripe_customer_id FROM accounts WHERE id = :account', { account: accountId }, true),
      ],
    );
    return stored;
  }

  setDefaultPaymentMethod(accountId: string, paymentMethodId: string | null, card?: CardOnFile | null): void {
    const known = paymentMethodId ? card : null;
    this.add({}, [
      named(
        'UPDATE accounts SET default_payment_method_id = :method, updated_at = :now WHERE id = :account',
        { method: paymentMethodId, now: this.at, account: accountId },
      ),
      known
        ? named(
            `INSERT INTO account_cards (account_id, brand, last4, exp_month, exp_year, updated_at)
             SELECT id, :brand, :last4, :exp_month, :exp_year, :now FROM accounts WHERE id = :account
             ON CONFLICT (account_id) DO UPDATE SET brand = excluded.brand, last4 = excluded.last4,
               exp_month = excluded.exp_month, exp_year = excluded.exp_year, updated_at = excluded.updated_at`,
            {
              brand: known.brand,
              last4: known.last4,
              exp_month: known.expMonth,
              exp_year: known.expYear,
              now: this.at,
              account: accountId,
            },
          )
        : named('DELETE FROM account_cards WHERE account_id = :account', { account: accountId }),
    ]);
  }

  mirrorSubscription(update: SubscriptionUpdate): void {
    const statements = [
      // A mirror row that says `canceled` stays so: handlers that read Stripe at different
      // moments may commit out of order, and an older read must not revive it.
      named(
        `INSERT INTO subscriptions
           (stripe_subscription_id, account_id, user_id, plan_id, status, cancel_at_period_end, current_period_end, updated_at)
         VALUES (:subscription, :account, :user, :plan, :status, :cancelling, :period_end, :now)
         ON CONFLICT (stripe_subscription_id) DO UPDATE SET
           status = CASE WHEN subscriptions.status IN ('canceled', 'incomplete_expired') THEN subscriptions.status ELSE excluded.status END,
           cancel_at_period_end = excluded.cancel_at_period_end,
           current_period_end = COALESCE(excluded.current_period_end, subscriptions.current_period_end),
           user_id = COALESCE(excluded.user_id, subscriptions.user_id),
           plan_id = COALESCE(excluded.plan_id, subscriptions.plan_id),
           updated_at = excluded.updated_at`,
        {
          subscription: update.subscriptionId,
          account: update.accountId,
          user: update.userId,
          plan: update.planId,
          status: update.status,
          cancelling: update.cancelAtPeriodEnd ? 1 : 0,
          period_end: update.currentPeriodEnd,
          now: this.at,
        },
      ),
    ];
    if (update.endedAt !== null) {
      statements.push(
        named(
          `UPDATE subscription_access
           SET status = 'DISABLED',
               end_at = CASE WHEN end_at > :ended THEN :ended ELSE end_at END,
               cancelled_at = COALESCE(cancelled_at, :cancelled)
           WHERE stripe_subscription_id = :subscription AND status = 'ACTIVE'`,
          {
            ended: update.endedAt,
            cancelled: update.cancelledAt ?? update.endedAt,
            subscription: update.subscriptionId,
          },
        ),
      );
    } else if (update.cancelAtPeriodEnd) {
      statements.push(
        named(
          `UPDATE subscription_access SET cancelled_at = :cancelled
           WHERE stripe_subscription_id = :subscription AND status = 'ACTIVE' AND cancelled_at IS NULL`,
          { cancelled: update.cancelledAt ?? this.at, subscription: update.subscriptionId },
        ),
      );
    } else {
      statements.push(
        named(
          `UPDATE subscription_access SET cancelled_at = NULL
           WHERE stripe_subscription_id = :subscription AND status = 'ACTIVE' AND cancelled_at IS NOT NULL`,
          { subscription: update.subscriptionId },
        ),
      );
    }
    this.add({}, statements);
  }

  recordPaidPeriod(period: PaidPeriod): Later<boolean> {
    const accessId = `sa_${randomUUID()}`;
    const isNew = new Pending<boolean>();
    this.add({ settle: ([insert]) => isNew.resolve(insert!.rowsAffected > 0) }, [
      named(
        `INSERT INTO subscription_access
           (id, account_id, user_id, status, start_at, end_at, created_at, cancelled_at, stripe_subscription_id, stripe_invoice_payment_id)
         VALUES (:access, :account, :user, 'ACTIVE', :start, :end, :now, NULL, :subscription, :invoice)
         ON CONFLICT (stripe_invoice_payment_id) DO NOTHING`,
        {
          access: accessId,
          account: period.accountId,
          user: period.userId,
          start: period.startAt,
          end: period.endAt,
          now: this.at,
          subscription: period.subscriptionId,
          invoice: period.invoiceId,
        },
      ),
    ]);
    if (period.includedCredit && period.includedCredit.amountCents > 0) {
      // Only with the access row this unit wrote: a period recorded before keeps its credit as it was.
      this.ledgerChange(
        {
          accountId: period.accountId,
          amountCents: period.includedCredit.amountCents,
          kind: 'subscription',
          sourceId: period.invoiceId,
          description: period.includedCredit.description,
          stripeObjectId: period.invoiceId,
        },
        { sql: 'EXISTS (SELECT 1 FROM subscription_access WHERE id = :access)', args: { access: accessId } },
      );
    }
    return isNew;
  }

  recordWebhookEvent(eventId: string, type: string): void {
    this.add(
      {
        failure: (error) =>
          refusalOf(error) === 'event_already_processed' ? new WebhookEventAlreadyProcessed(eventId) : null,
      },
      [
        named(
          `INSERT INTO write_refusals (reason) SELECT 'event_already_processed'
           WHERE EXISTS (SELECT 1 FROM webhook_events WHERE id = :event AND processed_at IS NOT NULL)`,
          { event: eventId },
        ),
        named(
          `INSERT INTO webhook_events (id, type, received_at, processed_at) VALUES (:event, :type, :now, :now)
           ON CONFLICT (id) DO UPDATE SET processed_at = excluded.processed_at`,
          { event: eventId, type, now: this.at },
        ),
      ],
    );
  }

  reverseGrant(reversal: GrantReversal): Later<DerivedLedgerResult> {
    const { beforeCents, afterCents, ofCents } = reversal;
    if (!(ofCents > 0 && beforeCents >= 0 && afterCents > beforeCents)) {
      throw new Error(
        `reverseGrant: need 0 <= before < after and of > 0, got ${beforeCents}, ${afterCents}, ${ofCents}`,
      );
    }
    // The grant's share of the money returned, rounded on the cumulative amounts so that partial
    // take-backs add up to exactly the grant; capped by what the grant still holds.
    return this.derivedEntry(
      `SELECT :entry, a.id, -r.take, :kind, :source, :description, a.balance_cents - r.take, :now, :object, :grant
       FROM (
         SELECT g.account_id AS account_id,
           MIN(
             CAST(ROUND(g.amount_cents * :after * 1.0 / :of) AS INTEGER)
               - CAST(ROUND(g.amount_cents * :before * 1.0 / :of) AS INTEGER),
             g.amount_cents + COALESCE((SELECT SUM(x.amount_cents) FROM ledger_entries AS x WHERE x.reverses_source_id = :grant), 0)
           ) AS take
         FROM ledger_entries AS g WHERE g.source_id = :grant AND g.amount_cents > 0
       ) AS r
       JOIN accounts AS a ON a.id = r.account_id
       WHERE r.take > 0`,
      {
        kind: reversal.kind,
        source: reversal.sourceId,
        description: reversal.description,
        object: reversal.stripeObjectId,
        grant: reversal.grantSourceId,
        before: beforeCents,
        after: afterCents,
        of: ofCents,
      },
    );
  }

  restoreReversal(restore: ReversalRestore): Later<DerivedLedgerResult> {
    return this.derivedEntry(
      `SELECT :entry, r.account_id, -r.amount_cents, :kind, :source, :description, a.balance_cents - r.amount_cents, :now, :object, r.reverses_source_id
       FROM ledger_entries AS r JOIN accounts AS a ON a.id = r.account_id
       WHERE r.source_id = :reversed AND r.amount_cents < 0`,
      {
        kind: restore.kind,
        source: restore.sourceId,
        description: restore.description,
        object: restore.stripeObjectId,
        reversed: restore.reversedSourceId,
      },
    );
  }

  advanceReconcileCheckpoint(id: string, eventCreated: number, eventsApplied: number): void {
    this.add({}, [
      named(
        `INSERT INTO reconcile_checkpoints (id, event_created, events_applied, updated_at)
         VALUES (:id, :created, :applied, :now)
         ON CONFLICT (id) DO UPDATE SET
           event_created = MAX(reconcile_checkpoints.event_created, excluded.event_created),
           events_applied = reconcile_checkpoints.events_applied + excluded.events_applied,
           updated_at = excluded.updated_at`,
        { id, created: eventCreated, applied: eventsApplied, now: this.at },
      ),
    ]);
  }

  /**
   * A ledger row whose account and amount come from other rows (`select` yields the row's values in
   * the columns' order, `:entry` first), written once per `source`; the balance moves only when
   * it was written. Three statements: the insert, the balance, and the outcome read.
   */
  private derivedEntry(select: string, values: Record<string, SqlValue>): Later<DerivedLedgerResult> {
    const args: Record<string, SqlValue> = { ...values, entry: newEntryId(), now: this.at };
    const result = new Pending<DerivedLedgerResult>();
    this.add(
      {
        settle: ([, , read]) => {
          const row = read!.rows[0];
          const amount = row ? integerOrNull(row[0], 'ledger_entries.amount_cents') : null;
          result.resolve({ applied: amount !== null, amountCents: amount ?? 0 });
        },
      },
      [
        named(
          `INSERT INTO ledger_entries
             (id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at, stripe_object_id, reverses_source_id)
           ${select}
           ON CONFLICT (source_id) DO NOTHING`,
          args,
        ),
        named(
          `UPDATE accounts
           SET balance_cents = balance_cents + (SELECT amount_cents FROM ledger_entries WHERE id = :entry), updated_at = :now
           WHERE id = (SELECT account_id FROM ledger_entries WHERE id = :entry)`,
          args,
        ),
        named('SELECT amount_cents FROM ledger_entries WHERE id = :entry', args, true),
      ],
    );
    return result;
  }

  /**
   * Five statements (four for a debit): create the account for a credit; insert the ledger row
   * computed from the balance, only when funds allow and the source is new; move the balance only
   * if that row is there; refuse the unit when neither this row nor a matching replay is; read the
   * outcome. `guard` (SQL with its own arguments) must also hold for anything to be written.
   */
  private ledgerChange(
    change: LedgerChange,
    guard: { sql: string; args: Record<string, SqlValue> } | null,
  ): { result: Later<LedgerResult>; entryId: string } {
    const amount = change.amountCents;
    if (!Number.isSafeInteger(amount) || amount === 0) {
      throw new Error(`creditLedger: amountCents must be a non-zero safe integer, got ${amount}`);
    }
    const entryId = newEntryId();
    const args: Record<string, SqlValue> = {
      account: change.accountId,
      amount,
      kind: change.kind,
      source: change.sourceId,
      description: change.description ?? null,
      feature: change.feature ?? null,
      occurred: change.occurredAt ?? null,
      now: this.at,
      entry: entryId,
      funds: change.requireFunds && amount < 0 ? 1 : 0,
      object: change.stripeObjectId ?? null,
      ...guard?.args,
    };
    const andGuard = guard ? ` AND ${guard.sql}` : '';
    const statements: SqlStatement[] = [];
    if (amount > 0) {
      statements.push(
        named(
          `INSERT INTO accounts (id, balance_cents, created_at, updated_at)
           SELECT :account, 0, :now, :now
           WHERE NOT EXISTS (SELECT 1 FROM ledger_entries WHERE source_id = :source)${andGuard}
           ON CONFLICT (id) DO NOTHING`,
          args,
        ),
      );
    }
    statements.push(
      named(
        `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, description, feature, occurred_at, occurred_on, balance_after_cents, created_at, stripe_object_id)
         SELECT :entry, id, :amount, :kind, :source, :description, :feature, :occurred, substr(:occurred, 1, 10), balance_cents + :amount, :now, :object
         FROM accounts
         WHERE id = :account
           AND (:funds = 0 OR balance_cents + :amount >= 0)
           AND balance_cents + :amount BETWEEN -9007199254740991 AND 9007199254740991${andGuard}
         ON CONFLICT (source_id) DO NOTHING`,
        args,
      ),
      named(
        `UPDATE accounts SET balance_cents = balance_cents + :amount, updated_at = :now
         WHERE id = :account AND EXISTS (SELECT 1 FROM ledger_entries WHERE id = :entry)`,
        args,
      ),
      named(
        `INSERT INTO write_refusals (reason)
         SELECT CASE
             WHEN e.id IS NOT NULL THEN 'idempotency_conflict'
             WHEN :amount < 0 AND COALESCE(a.balance_cents, 0) + :amount < 0 THEN 'insufficient_credits'
             ELSE 'balance_overflow'
           END
         FROM (SELECT 1) AS one
         LEFT JOIN ledger_entries AS e ON e.source_id = :source
         LEFT JOIN accounts AS a ON a.id = :account
         WHERE (e.id IS NULL OR e.account_id <> :account OR e.amount_cents <> :amount)${andGuard}`,
        args,
      ),
      named(
        `SELECT e.id, (SELECT balance_cents FROM accounts WHERE id = :account)
         FROM (SELECT 1) AS one LEFT JOIN ledger_entries AS e ON e.source_id = :source`,
        args,
        true,
      ),
    );
    const result = new Pending<LedgerResult>();
    this.add(
      {
        settle: (results) => {
          const row = results.at(-1)!.rows[0]!;
          const applied = row[0] === entryId;
          result.resolve({
            applied,
            balanceCents: integerOrNull(row[1], 'accounts.balance_cents') ?? 0,
            entryId: applied ? text(row[0], 'ledger_entries.id') : null,
          });
        },
        failure: (error) => ledgerRefusal(error, change),
      },
      statements,
    );
    return { result, entryId };
  }

  /**
   * Settles every operation from the unit's results (one per statement, in order), once the unit
   * has committed.
   */
  settle(results: readonly StatementResult[]): void {
    for (const op of this.operations) op.settle?.(results.slice(op.first, op.first + op.count));
  }

  /**
   * The error the caller sees for a unit that failed at statement `failure.index`: the owning
   * operation's refusal (402, 409, a duplicate event, a second subscription checkout), else a
   * `StoreError` (503 unless it is a constraint, which is a bug).
   */
  errorFor(failure: StatementFailure): Error {
    const op = this.operations.find((o) => failure.index >= o.first && failure.index < o.first + o.count);
    const mapped = op?.failure?.(failure);
    if (mapped) return mapped;
    return new StoreError(failure.message, failure.code, { cause: failure.cause });
  }

  private add(handlers: Omit<Operation, 'first' | 'count'>, statements: SqlStatement[]): void {
    this.operations.push({ ...handlers, first: this.statements.length, count: statements.length });
    this.statements.push(...statements);
  }
}

/** A 402 for a debit larger than the balance; the store fills in the balance it read afterwards. */
export class InsufficientCredits extends ApiError {
  constructor(
    readonly accountId: string,
    readonly debitCents: number,
    balanceCents: number | null,
  ) {
    super(
      402,
      'insufficient_credits',
      balanceCents === null
        ? `The balance does not cover ${formatCents(debitCents)}.`
        : `The balance of ${formatCents(balanceCents)} does not cover ${formatCents(debitCents)}.`,
      'amount',
    );
  }
}

/** A statement of a unit that failed: its position in the unit and the driver's code and message. */
export class StatementFailure extends Error {
  constructor(
    readonly index: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StatementFailure';
  }
}

interface Operation {
  first: number;
  count: number;
  /** Reads the operation's answer from its statements' results. */
  settle?(results: StatementResult[]): void;
  /** The error for a failed statement of this operation; null when it is a plain store failure. */
  failure?(error: StatementFailure): Error | null;
}

/** A `Later` the plan fills in after the commit. */
class Pending<T> implements Later<T> {
  private settled = false;
  private result: T | undefined;

  resolve(value: T): void {
    this.settled = true;
    this.result = value;
  }

  get value(): T {
    if (!this.settled) throw new Error('A write operation was read before its unit of work committed.');
    return this.result as T;
  }
}

/** Whether a value is a `Later` of some plan (the unit's answer). */
export function isLater(value: unknown): value is Later<unknown> {
  return value instanceof Pending;
}

/** The reason a `write_refusals` row named (migration 004), or null for any other failure. */
export function refusalOf(error: StatementFailure): string | null {
  if (!error.code.startsWith('SQLITE_CONSTRAINT')) return null;
  return /CHECK constraint failed: ([a-z_]+)/.exec(error.message)?.[1] ?? null;
}

function ledgerRefusal(error: StatementFailure, change: LedgerChange): Error | null {
  switch (refusalOf(error)) {
    case 'idempotency_conflict':
      return new ApiError(
        409,
        'idempotency_conflict',
        'This idempotency key was already used for a different account or amount.',
        'idempotency_key',
      );
    case 'insufficient_credits':
      return new InsufficientCredits(change.accountId, -change.amountCents, null);
    case 'balance_overflow':
      return new ApiError(400, 'amount_too_large', 'This change would overflow the balance.', 'amount');
    default:
      return null;
  }
}

/**
 * `le_` and 24 hex digits: the time first, so the ledger's unique index on `id` grows at its right
 * edge instead of touching a random page per entry (38 instead of 50 WAL pages per group of 16
 * debits), then 48 random bits from `randomUUID`, whose entropy Node draws in batches (a
 * `randomBytes` call per entry was 4% of a /usage request's CPU).
 */
function newEntryId(): string {
  const random = randomUUID();
  return `le_${Date.now().toString(16).padStart(12, '0')}${random.slice(0, 8)}${random.slice(9, 13)}`;
}

/** How long a claimed charge may go without an outcome before saving the settings gives it up. */
const STALE_CHARGE_MS = 15 * 60_000;

const parameterNames = new Map<string, string[]>();

/**
 * A statement with named arguments: exactly the `:name` parameters its SQL uses, taken from
 * `args` (a remote server refuses a statement given arguments it does not use).
 */
function named(sql: string, args: Record<string, SqlValue>, oneRow = false): SqlStatement {
  let names = parameterNames.get(sql);
  if (names === undefined) {
    names = [...new Set(Array.from(sql.matchAll(/:([a-z_][a-z0-9_]*)/g), (m) => m[1]!))];
    parameterNames.set(sql, names);
  }
  const used: Record<string, SqlValue> = {};
  for (const name of names) {
    if (!(name in args)) throw new Error(`statement parameter :${name} has no argument`);
    used[name] = args[name]!;
  }
  return oneRow ? { sql, args: used, oneRow } : { sql, args: used };
}
