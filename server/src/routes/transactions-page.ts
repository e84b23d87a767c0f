import type { Client } from '@libsql/client';
import { ApiError } from '../errors.ts';
import { formatCents } from '../money.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** One ledger entry as `/transactions` shows it. */
export interface TransactionView {
  id: string;
  kind: string;
  amount: string;
  amount_cents: number;
  description: string | null;
  balance_after: string;
  balance_after_cents: number;
  created_at: string;
}

/** `limit` from the query string: 1..100, default 20. */
export function parsePageSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_SIZE) {
    throw new ApiError(
      400,
      'invalid_limit',
      `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
      'limit',
    );
  }
  return Number(raw);
}

// The cursor is opaque to clients: the ledger sequence number of the last entry shown.
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const match = /^s([1-9]\d{0,14})$/.exec(text);
  if (!match) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this server gave out.', 'cursor');
  return Number(match[1]);
}

/**
 * A page of the account's ledger, newest first, by keyset on the entry sequence (an index range
 * scan, so page cost does not grow with the ledger).
 */
export async function transactionsPage(
  client: Client,
  accountId: string,
  limit: number,
  before: number | null,
): Promise<{ data: TransactionView[]; next_cursor: string | null }> {
  const rs = await client.execute({
    sql: `SELECT seq, id, kind, amount_cents, description, balance_after_cents, created_at FROM ledger_entries
          WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    args: [accountId, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
  });
  const rows = rs.rows.slice(0, limit);
  const data = rows.map((row) => ({
    id: String(row.id),
    kind: String(row.kind),
    amount: formatCents(Number(row.amount_cents)),
    amount_cents: Number(row.amount_cents),
    description: row.description === null ? null : String(row.description),
    balance_after: formatCents(Number(row.balance_after_cents)),
    balance_after_cents: Number(row.balance_after_cents),
    created_at: String(row.created_at),
  }));
  const last = rows[rows.length - 1];
  return { data, next_cursor: rs.rows.length > limit && last ? encodeCursor(Number(last.seq)) : null };
}
