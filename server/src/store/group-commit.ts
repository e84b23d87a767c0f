import { type InArgs, type InStatement, LibsqlError, type ResultSet, type Transaction } from '@libsql/client';
import { isBusy, retryWhileBusy } from './busy.ts';

/** One caller's write transaction: database statements only, since it may run more than once. */
export type WriteWork<T> = (tx: Transaction) => Promise<T>;

export interface GroupCommitOptions {
  /** Opens the shared write transaction (`BEGIN IMMEDIATE`, holding the process's write queue). */
  begin: () => Promise<Transaction>;
  /** How long a caller may wait for its group before failing with `WRITE_QUEUE_TIMEOUT`. */
  queueTimeoutMs: number;
  /** Most callers in one transaction; bounds how long one group holds the connection (default 64). */
  maxGroupSize?: number;
}

interface Member {
  work: WriteWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The shared transaction ended under one member (SQLite rolled it back); the others may try again. */
class TransactionLost extends Error {
  constructor(
    readonly culprit: Member,
    override readonly cause: unknown,
  ) {
    super('the group transaction was rolled back by SQLite');
  }
}

/**
 * Group commit: write transactions that are waiting at the same moment run inside ONE SQLite
 * transaction, each in its own SAVEPOINT, and share one COMMIT. With `synchronous=FULL` each
 * COMMIT waits for an fsync of the WAL (milliseconds), so one fsync per group instead of one per
 * caller is what lets a process ingest hundreds of webhooks a second without weakening durability.
 *
 * Each caller sees exactly what it would alone: its own writes, plus those of callers released
 * before it in the same group (as if they had committed just before). A caller that throws is
 * rolled back to its savepoint and alone gets its error. Nobody hears anything until the COMMIT is
 * durable; if the COMMIT fails, every caller in the group gets that error and nothing of theirs was
 * written. A SQLITE_BUSY (another process holds the file) runs the whole group again, as one
 * transaction alone would have been run again.
 *
 * A group never waits for work that is not there: it starts on the next turn of the event loop
 * (so requests whose I/O already arrived can join) with whatever is queued by then, and the next
 * group starts as soon as this one has committed.
 */
export class GroupCommit {
  private readonly queue: Member[] = [];
  private running = false;
  private readonly maxGroupSize: number;

  constructor(private readonly options: GroupCommitOptions) {
    this.maxGroupSize = options.maxGroupSize ?? 64;
  }

  /** Runs `work` in a write transaction shared with whoever else is waiting; settles after the COMMIT. */
  run<T>(work: WriteWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: Member = {
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
      };
      // A write transaction opened from inside another caller's work waits for its own group:
      // fail it after the queue timeout instead of hanging both.
      member.timer = setTimeout(() => {
        const index = this.queue.indexOf(member);
        if (index < 0) return;
        this.queue.splice(index, 1);
        reject(
          new LibsqlError(
            `Waited ${this.options.queueTimeoutMs} ms for the store's write queue. A write transaction opened inside another one waits for itself: use the transaction you were given.`,
            'WRITE_QUEUE_TIMEOUT',
          ),
        );
      }, this.options.queueTimeoutMs);
      this.queue.push(member);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    setImmediate(() => void this.runNextGroup());
  }

  private async runNextGroup(): Promise<void> {
    const members = this.queue.splice(0, this.maxGroupSize);
    for (const member of members) clearTimeout(member.timer);
    try {
      await this.commitGroup(members);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /** Commits `members` together and settles each of them (never throws). */
  private async commitGroup(members: Member[]): Promise<void> {
    let remaining = members;
    // Each lost transaction takes its culprit out, so this ends; the bound keeps a failing disk short.
    for (let round = 0; ; round++) {
      try {
        const outcomes = await retryWhileBusy(() => this.attempt(remaining));
        for (const [i, member] of remaining.entries()) {
          const outcome = outcomes[i]!;
          if (outcome.ok) member.resolve(outcome.value);
          else member.reject(outcome.error);
        }
        return;
      } catch (err) {
        if (err instanceof TransactionLost) {
          err.culprit.reject(err.cause);
          remaining = remaining.filter((m) => m !== err.culprit);
          if (remaining.length === 0) return;
          if (round < 3) continue;
        }
        const cause = err instanceof TransactionLost ? err.cause : err;
        for (const member of remaining) member.reject(cause);
        return;
      }
    }
  }

  /** One transaction for all of `members`, each in a savepoint; throws when the group as a whole failed. */
  private async attempt(members: Member[]): Promise<Outcome[]> {
    const tx = await this.options.begin();
    try {
      const outcomes: Outcome[] = [];
      for (const [i, member] of members.entries()) {
        outcomes.push(await runInSavepoint(tx, `group_member_${i}`, member));
      }
      await tx.commit();
      return outcomes;
    } finally {
      // Rolls back whatever a failed attempt left open; does nothing after a COMMIT.
      tx.close();
    }
  }
}

/**
 * Runs one member's work between SAVEPOINT and RELEASE. Its own failure rolls back to the
 * savepoint and becomes its outcome; a BUSY or a transaction SQLite ended is thrown for the group.
 */
async function runInSavepoint(tx: Transaction, name: string, member: Member): Promise<Outcome> {
  // executeMultiple skips the driver's prepare-and-describe step: ~1 µs instead of ~15 µs a statement.
  await tx.executeMultiple(`SAVEPOINT ${name}`);
  const view = new MemberTransaction(tx);
  let outcome: Outcome;
  try {
    outcome = { ok: true, value: await member.work(view) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Statements the work left running after it settled must not land in another member's savepoint.
  view.seal();
  if (!outcome.ok && isBusy(outcome.error)) throw outcome.error;
  if (tx.closed) {
    throw new TransactionLost(
      member,
      outcome.ok
        ? new LibsqlError('The transaction was rolled back by the database.', 'TRANSACTION_CLOSED')
        : outcome.error,
    );
  }
  try {
    await tx.executeMultiple(outcome.ok ? `RELEASE ${name}` : `ROLLBACK TO ${name}; RELEASE ${name}`);
  } catch (err) {
    if (tx.closed) throw new TransactionLost(member, outcome.ok ? err : outcome.error);
    throw err;
  }
  return outcome;
}

/**
 * What one member's work sees: the shared transaction's statements, but not its end, which
 * belongs to the group (the work commits by returning and rolls back by throwing).
 */
class MemberTransaction implements Transaction {
  private sealed = false;

  constructor(private readonly shared: Transaction) {}

  /** Refuses every later statement (the member's work has settled). */
  seal(): void {
    this.sealed = true;
  }

  execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    if (this.sealed) return Promise.reject(closedError());
    const statement: InStatement = typeof stmt === 'string' ? { sql: stmt, args: args ?? [] } : stmt;
    return this.shared.execute(statement);
  }

  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    if (this.sealed) return Promise.reject(closedError());
    return this.shared.batch(stmts);
  }

  executeMultiple(sql: string): Promise<void> {
    if (this.sealed) return Promise.reject(closedError());
    return this.shared.executeMultiple(sql);
  }

  commit(): Promise<void> {
    return Promise.reject(managedError());
  }

  rollback(): Promise<void> {
    return Promise.reject(managedError());
  }

  close(): void {
    throw managedError();
  }

  get closed(): boolean {
    return this.sealed || this.shared.closed;
  }
}

function closedError(): LibsqlError {
  return new LibsqlError('The write transaction has already ended for this caller.', 'TRANSACTION_CLOSED');
}

function managedError(): LibsqlError {
  return new LibsqlError(
    'inWriteTransaction commits when the function returns and rolls back when it throws; do not end the transaction yourself.',
    'TRANSACTION_MANAGED',
  );
}
