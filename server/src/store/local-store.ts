import { type InStatement, LibsqlError, type ResultSet } from '@libsql/client';
import { isBusy } from './busy.ts';
import { inWriteTransaction, openDatabase, type Store } from './db.ts';
import { StatementFailure } from './operations.ts';
import type { SqlStatement, StatementResult } from './sql.ts';
import type { SqlConsole } from './store.ts';
import { SqlBillingStore } from './store-base.ts';
import { StoreError } from './store-errors.ts';

/** The store over today's libSQL client and group commit (db.ts). */
export class LocalStore extends SqlBillingStore {
  readonly kind: 'local' | 'remote';
  readonly sql: SqlConsole;

  private constructor(
    private readonly db: Store,
    readonly location: string,
  ) {
    super();
    this.kind = location.startsWith('file:') || location.includes(':memory:') ? 'local' : 'remote';
    this.sql = {
      run: async (sql, args = []) => {
        const rs = await this.db.client.execute({ sql, args: [...args] });
        return { rows: rs.rows.map((row) => ({ ...row })), rowsAffected: rs.rowsAffected };
      },
    };
  }

  static async open(opts: { url: string; authToken?: string }): Promise<LocalStore> {
    return new LocalStore(await openDatabase(opts), opts.url);
  }

  protected async read(statement: SqlStatement): Promise<StatementResult> {
    try {
      return resultOf(await this.db.client.execute(toClient(statement)));
    } catch (err) {
      throw storeError(err);
    }
  }

  protected async readTogether(statements: SqlStatement[]): Promise<StatementResult[]> {
    return Promise.all(statements.map((s) => this.read(s)));
  }

  protected async runUnit(statements: SqlStatement[]): Promise<StatementResult[]> {
    try {
      return await inWriteTransaction(this.db, async (tx) => {
        const results: StatementResult[] = [];
        for (const [i, statement] of statements.entries()) {
          try {
            results.push(resultOf(await tx.execute(toClient(statement))));
          } catch (err) {
            // A busy database is the group's to retry, not this statement's failure.
            if (err instanceof LibsqlError && !isBusy(err)) {
              throw new StatementFailure(i, err.code, err.message, { cause: err });
            }
            throw err;
          }
        }
        return results;
      });
    } catch (err) {
      if (err instanceof StatementFailure) throw err;
      throw storeError(err);
    }
  }

  override balance(accountId: string): number | null | Promise<number | null> {
    return this.db.balances.read(accountId);
  }

  ping(): Promise<boolean> {
    return this.db.ping();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function toClient(statement: SqlStatement): InStatement {
  const args = statement.args;
  return {
    sql: statement.sql,
    args: Array.isArray(args) ? [...args] : { ...(args as Record<string, never>) },
  };
}

function resultOf(rs: ResultSet): StatementResult {
  return { rows: rs.rows, rowsAffected: rs.rowsAffected };
}

function storeError(err: unknown): unknown {
  if (err instanceof LibsqlError) return new StoreError(err.message, err.code, { cause: err });
  return err;
}
