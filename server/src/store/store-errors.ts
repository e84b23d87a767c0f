/**
 * A failure of the database itself (busy, unreachable, closed, a disk error), from either driver.
 * The HTTP layer answers 503 `store_unavailable` for it; `code` is SQLite's (`SQLITE_BUSY`, …) or
 * the driver's.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }

  /** True for a constraint the statement broke: a programming error, not an outage. */
  get isConstraint(): boolean {
    return this.code.startsWith('SQLITE_CONSTRAINT');
  }
}

/**
 * A unit of work was refused because the account already has a subscription Checkout in progress:
 * the partial unique index `billing_sessions_one_subscription_checkout` refused the row.
 */
export class SubscriptionCheckoutInProgress extends Error {
  constructor(readonly accountId: string) {
    super(`account ${accountId} already has a subscription checkout in progress`);
    this.name = 'SubscriptionCheckoutInProgress';
  }
}

/** A unit of work recording a Stripe event was refused: the event had already been handled. */
export class WebhookEventAlreadyProcessed extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} was already processed`);
    this.name = 'WebhookEventAlreadyProcessed';
  }
}
