/**
 * Billing accounts are keyed by kind and id: `user:<sub>` for a user's own balance,
 * `org:<account>` for an organisation's shared one. The kind keeps the two namespaces apart, so a
 * user whose id happens to equal an organisation's id never reaches that organisation's account.
 */

/** Whose balance an account is: one user's, or an organisation's shared by its members. */
export type AccountKind = 'user' | 'org';

/** An account key taken apart. */
export interface ParsedAccountKey {
  kind: AccountKind;
  /** The host's id: the user's `sub`, or the organisation's `account` claim / `account_id`. */
  id: string;
}

/** Host ids: printable ASCII without spaces, 1 to 128 characters (they end up in URLs and Stripe metadata). */
const HOST_ID = /^[\x21-\x7e]{1,128}$/;
const KEY = /^(user|org):(.+)$/s;

/** True for a valid host id (`sub`, `account`, `user_id`, `account_id`). */
export function isHostId(value: unknown): value is string {
  return typeof value === 'string' && HOST_ID.test(value);
}

/** The key of a user's own account. */
export function userAccountKey(userId: string): string {
  return `user:${userId}`;
}

/** The key of an organisation's shared account. */
export function orgAccountKey(orgId: string): string {
  return `org:${orgId}`;
}

/**
 * `user:<id>` or `org:<id>` taken apart; null for anything else. The kind is the first segment
 * only, so `user:org:x` is the user `org:x` (a legacy id that contained a colon).
 */
export function parseAccountKey(key: string): ParsedAccountKey | null {
  const match = KEY.exec(key);
  if (!match || !isHostId(match[2])) return null;
  return { kind: match[1] as AccountKind, id: match[2]! };
}
