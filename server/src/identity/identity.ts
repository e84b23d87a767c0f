/** Who is calling a widget-facing route, from a verified token. */
export interface Identity {
  /** The token's `sub`, as the host sent it. */
  userId: string;
  /**
   * The billing account every query is scoped by: `org:<account>` when the token carries an
   * `account` claim, else `user:<sub>` (see account-key.ts).
   */
  accountId: string;
  email: string | null;
}
