import { autoRechargeAttempt, autoRechargeView } from './auto-recharge-queries.ts';
import { InsufficientCredits, isLater, StatementFailure, WritePlan } from './operations.ts';
import type { ReadQuery } from './queries.ts';
import * as q from './queries.ts';
import { SweepSchedule, takeTokenStatements, waitFromResult } from './rate-limits.ts';
import type {
  Account,
  AutoRechargeAttempt,
  AutoRechargeView,
  BillingSession,
  LedgerMismatch,
  LedgerPage,
  ReconcileCheckpoint,
  SubscriptionAccess,
  SubscriptionRecords,
  UsageRecords,
} from './records.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import type { BillingStore, Later, RateLimits, SqlConsole, WriteUnit } from './store.ts';
import { StoreError } from './store-errors.ts';

const WEEK_MS = 7 * 86_400_000;

/**
 * What both implementations share: every typed read and the unit of work, defined once over
 * three ways of running SQL that each implementation provides.
 */
export abstract class SqlBillingStore implements BillingStore {
  abstract readonly kind: 'local' | 'remote';
  abstract readonly location: string;
  abstract readonly sql: SqlConsole;

  /** Runs one read. */
  protected abstract read(statement: SqlStatement): Promise<StatementResult>;
  /** Runs several reads that belong together (one round trip where that matters). */
  protected abstract readTogether(statements: SqlStatement[]): Promise<StatementResult[]>;
  /**
   * Runs a unit's statements in one write transaction and answers their results once committed.
   * A failing statement rolls the unit back and rejects with a `StatementFailure` naming it;
   * anything else (busy, unreachable) rejects with a `StoreError`.
   */
  protected abstract runUnit(statements: SqlStatement[]): Promise<StatementResult[]>;

  protected readonly sweeps = new SweepSchedule();

  /**
   * Each take is a unit of work of its own: locally it joins the next group commit (a few ms, for
   * routes that then call Stripe), remotely it is one write batch.
   */
  readonly rateLimits: RateLimits = {
    take: async (key, perMinute, now) => {
      const nowMs = now.getTime();
      const statements = takeTokenStatements(key, perMinute, nowMs, this.sweeps.due(nowMs));
      let results: StatementResult[];
      try {
        results = await this.runUnit(statements);
      } catch (err) {
        if (err instanceof StatementFailure) throw new StoreError(err.message, err.code, { cause: err });
        throw err;
      }
      return waitFromResult(results, perMinute);
    },
  };

  abstract ping(): Promise<boolean>;
  abstract close(): Promise<void>;

  protected async query<T>(query: ReadQuery<T>): Promise<T> {
    return query.decode(await this.read(query.statement));
  }

  account(accountId: string): Promise<Account | null> {
    return this.query(q.accountById(accountId));
  }

  balance(accountId: string): number | null | Promise<number | null> {
    return this.query(q.balanceOf(accountId));
  }

  accountIdForCustomer(customerId: string): Promise<string | null> {
    return this.query(q.accountIdForCustomer(customerId));
  }

  billingSession(id: string): Promise<BillingSession | null> {
    return this.query(q.billingSessionById(id));
  }

  billingSessionByReturnRef(returnRef: string): Promise<BillingSession | null> {
    return this.query(q.billingSessionByReturnRef(returnRef));
  }

  openSubscriptionCheckoutIds(accountId: string): Promise<string[]> {
    return this.query(q.openSubscriptionCheckoutIds(accountId));
  }

  currentAccess(accountId: string, now: Date): Promise<SubscriptionAccess | null> {
    return this.query(q.currentAccess(accountId, now));
  }

  async subscriptionRecords(accountId: string, now: Date): Promise<SubscriptionRecords> {
    const access = q.currentAccess(accountId, now);
    const mirror = q.latestSubscriptionMirror(accountId);
    const history = q.hadSubscriptionAccess(accountId);
    const [a, m, h] = await this.readTogether([access.statement, mirror.statement, history.statement]);
    return {
      currentAccess: access.decode(a!),
      latestMirror: mirror.decode(m!),
      hadAccess: history.decode(h!),
    };
  }

  async liveSubscriptionId(accountId: string, now: Date): Promise<string | null> {
    const mirrored = q.liveMirroredSubscriptionId(accountId);
    const running = q.runningAccessSubscriptionId(accountId, now);
    const [m, r] = await this.readTogether([mirrored.statement, running.statement]);
    return mirrored.decode(m!) ?? running.decode(r!);
  }

  ledgerPage(accountId: string, limit: number, beforeSeq: number | null): Promise<LedgerPage> {
    return this.query(q.ledgerPage(accountId, limit, beforeSeq));
  }

  reconcileCheckpoint(id: string): Promise<ReconcileCheckpoint | null> {
    return this.query(q.reconcileCheckpoint(id));
  }

  async usageRecords(accountId: string, fromDay: string | null, now: Date): Promise<UsageRecords> {
    const lastWeek = q.usageSpentSince(accountId, new Date(now.getTime() - WEEK_MS).toISOString());
    if (fromDay === null) return { days: [], lastWeekCents: await this.query(lastWeek) };
    const byDay = q.usageByDay(accountId, fromDay);
    const [d, w] = await this.readTogether([byDay.statement, lastWeek.statement]);
    return { days: byDay.decode(d!), lastWeekCents: lastWeek.decode(w!) };
  }

  webhookEventProcessed(eventId: string): Promise<boolean> {
    return this.query(q.webhookEventProcessed(eventId));
  }

  auditLedger(): Promise<LedgerMismatch[]> {
    return this.query(q.ledgerAudit());
  }

  autoRecharge(accountId: string, now: Date): Promise<AutoRechargeView> {
    return this.query(autoRechargeView(accountId, now.toISOString().slice(0, 7)));
  }

  autoRechargeAttempt(attemptId: string): Promise<AutoRechargeAttempt | null> {
    return this.query(autoRechargeAttempt(attemptId));
  }

  write<T>(now: Date, plan: (unit: WriteUnit) => Later<T>): Promise<T>;
  write(now: Date, plan: (unit: WriteUnit) => void): Promise<void>;
  async write(now: Date, build: (unit: WriteUnit) => unknown): Promise<unknown> {
    const plan = new WritePlan(now);
    const answer = build(plan);
    if (plan.statements.length > 0) {
      let results: StatementResult[];
      try {
        results = await this.runUnit(plan.statements);
      } catch (err) {
        if (!(err instanceof StatementFailure)) throw err;
        const refusal = plan.errorFor(err);
        if (refusal instanceof InsufficientCredits) {
          // Read after the refusal, for the message only: the unit itself decided in SQL.
          const balance = await Promise.resolve(this.balance(refusal.accountId)).catch(() => null);
          throw new InsufficientCredits(refusal.accountId, refusal.debitCents, balance ?? 0);
        }
        throw refusal;
      }
      plan.settle(results);
    }
    return isLater(answer) ? answer.value : undefined;
  }
}
