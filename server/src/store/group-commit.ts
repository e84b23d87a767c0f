import { isBusy } from './busy.ts';
import { sqliteCode, toStoreError } from './cached-connection.ts';
import { StatementFailure } from './operations.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import { StoreError } from './store-errors.ts';
import type { WriteConnection } from './write-connection.ts';

export interface GroupCommitOptions {
  /** Most units in one transaction; bounds how long one group holds the file (default 64). */
  maxGroupSize?: number;
  /** Called with the size of each group as it commits (tests and benchmarks count transactions). */
  onCommit?(size: number): void;
}

interface Member {
  statements: SqlStatement[];
  resolve: (results: StatementResult[]) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; results: StatementResult[] } | { ok: false; error: unknown };

/** SQLite rolled the shared transaction back under one member; the others may run again. */
class TransactionLost extends Error {
  constructor(
    readonly culprit: Member,
    readonly failure: unknown,
  ) {
    super('the group transaction was rolled back by SQLite');
  }
}

/**
 * Group commit. A durable commit waits for an fsync of the WAL (0.4 ms on an idle disk here, 2–7 ms
 * under load), which capped one process near 150–300 write transactions a second. Units of work
 * waiting at the same moment therefore run inside ONE transaction, each in its own SAVEPOINT, and
 * share one COMMIT and one fsync (wal-sync.ts): thousands of debits a second with the same
 * durability.
 *
 * Each unit is a list of statements (operations.ts), so a group runs from BEGIN to COMMIT without
 * yielding to the event loop: no other code of this process can write in between, which is why
 * no in-process write lock is needed even with two stores open on one file. Only the wait for
 * another process's write lock is asynchronous (write-connection.ts).
 *
 * A unit sees exactly what it would alone: its own writes and those of units before it in the
 * group (as if they had committed just before). A unit whose statement fails is rolled back to its
 * savepoint and alone gets the failure. Nobody whose unit was written hears back until the COMMIT
 * is durable; if the COMMIT fails, every unit of the group gets that error and nothing of theirs
 * was written.
 *
 * A group never waits for work that is not there: it starts on the next turn of the event loop
 * (so requests whose I/O already arrived can join) with whatever is queued by then, and the next
 * group starts as soon as this one has committed.
 */
export class GroupCommit {
  private readonly queue: Member[] = [];
  private running = false;
  private closed = false;
  private readonly maxGroupSize: number;

  constructor(
    private readonly connection: WriteConnection,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxGroupSize = options.maxGroupSize ?? 64;
  }

  /**
   * Runs `statements` in a write transaction shared with whoever else is waiting; answers their
   * results after the COMMIT. An empty list still takes the write lock once (a readiness probe).
   */
  run(statements: SqlStatement[]): Promise<StatementResult[]> {
    if (this.closed) return Promise.reject(new StoreError('The store is closed.', 'STORE_CLOSED'));
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve, reject });
      this.schedule();
    });
  }

  /** Refuses new units; those already queued fail. */
  close(): void {
    this.closed = true;
    for (const member of this.queue.splice(0)) {
      member.reject(new StoreError('The store is closed.', 'STORE_CLOSED'));
    }
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    setImmediate(() => void this.runNextGroup());
  }

  private async runNextGroup(): Promise<void> {
    let committed: Array<{ member: Member; results: StatementResult[] }> = [];
    let durable: Promise<void> | null = null;
    try {
      committed = await this.commitGroup(this.queue.splice(0, this.maxGroupSize));
      durable = this.connection.lastFlush;
    } finally {
      // The next group may commit while this one's fsync runs (wal-sync.ts).
      this.running = false;
      this.schedule();
    }
    if (committed.length === 0) return;
    try {
      await durable;
    } catch (err) {
      const failure = new StoreError(
        `The commit could not be made durable: ${(err as Error).message}`,
        'SQLITE_IOERR_FSYNC',
        {
          cause: err,
        },
      );
      for (const { member } of committed) member.reject(failure);
      return;
    }
    for (const { member, results } of committed) member.resolve(results);
  }

  /**
   * Commits `members` together. Members that failed are rejected at once (nothing of theirs was
   * written); the committed ones are answered, to be settled once the commit is durable.
   */
  private async commitGroup(
    members: Member[],
  ): Promise<Array<{ member: Member; results: StatementResult[] }>> {
    let remaining = members;
    // Each lost transaction takes its culprit out, so this ends; the bound keeps a failing disk short.
    for (let round = 0; remaining.length > 0; round++) {
      let outcomes: Outcome[];
      try {
        outcomes = await this.connection.transaction(() => this.runAll(remaining));
      } catch (err) {
        if (err instanceof TransactionLost && round < 3) {
          err.culprit.reject(err.failure);
          remaining = remaining.filter((m) => m !== err.culprit);
          continue;
        }
        const cause = toStoreError(err instanceof TransactionLost ? err.failure : err);
        for (const member of remaining) member.reject(cause);
        return [];
      }
      this.options.onCommit?.(remaining.length);
      const committed: Array<{ member: Member; results: StatementResult[] }> = [];
      for (const [i, member] of remaining.entries()) {
        const outcome = outcomes[i]!;
        if (outcome.ok) committed.push({ member, results: outcome.results });
        else member.reject(outcome.error);
      }
      return committed;
    }
    return [];
  }

  /** Resolves once every commit made so far is durable or failed to be (reads wait for it: wal-sync.ts). */
  async durable(): Promise<void> {
    await this.connection.walSync?.durable().catch(() => {});
  }

  /** Runs every member in its savepoint, synchronously; throws only when the group as a whole failed. */
  private runAll(members: Member[]): Outcome[] {
    const outcomes: Outcome[] = [];
    for (const member of members) {
      this.connection.exec('SAVEPOINT unit');
      const results: StatementResult[] = [];
      try {
        for (const statement of member.statements) results.push(this.connection.run(statement));
      } catch (err) {
        const failure = statementFailure(results.length, err);
        // A busy or a transaction SQLite ended belongs to the group: it runs again without this one.
        if (isBusy(err) || !this.connection.inTransaction) throw new TransactionLost(member, failure);
        this.connection.exec('ROLLBACK TO unit; RELEASE unit');
        outcomes.push({ ok: false, error: failure });
        continue;
      }
      if (!this.connection.inTransaction) {
        throw new TransactionLost(
          member,
          new StoreError('A statement of this unit ended the shared transaction.', 'TRANSACTION_CLOSED'),
        );
      }
      this.connection.exec('RELEASE unit');
      outcomes.push({ ok: true, results });
    }
    return outcomes;
  }
}

/** A failed statement as the store reports it: a `StatementFailure` naming it, or the error itself. */
function statementFailure(index: number, err: unknown): unknown {
  const code = sqliteCode(err);
  if (code === null) return err;
  return new StatementFailure(index, code, (err as Error).message, { cause: err });
}
