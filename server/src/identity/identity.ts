/** Who is calling a widget-facing route, from a verified token. */
export interface Identity {
  /** The token's `sub`. */
  userId: string;
  /** The billing account (`account` claim, defaulting to `sub`): every query is scoped by it. */
  accountId: string;
  email: string | null;
}

export { requireApiKey } from './api-key.ts';
export { requireUser } from './require-user.ts';
