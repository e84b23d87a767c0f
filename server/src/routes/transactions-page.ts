import { ApiError } from '../errors.ts';
import { formatCents } from '../money.ts';
import type { BillingStore } from '../store/store.ts';

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
  stripe_object_id: string | null;
  feature: string | null;
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

/** A page of the account's ledger as `/transactions` shows it, newest first. */
export async function transactionsPage(
  store: BillingStore,
  accountId: string,
  limit: number,
  before: number | null,
): Promise<{ data: TransactionView[]; next_cursor: string | null }> {
  const page = await store.ledgerPage(accountId, limit, before);
  return {
    data: page.entries.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      amount: formatCents(entry.amountCents),
      amount_cents: entry.amountCents,
      description: entry.description,
      balance_after: formatCents(entry.balanceAfterCents),
      balance_after_cents: entry.balanceAfterCents,
      created_at: entry.createdAt,
      stripe_object_id: entry.stripeObjectId,
      feature: entry.feature,
    })),
    next_cursor: page.nextBeforeSeq === null ? null : encodeCursor(page.nextBeforeSeq),
  };
}
