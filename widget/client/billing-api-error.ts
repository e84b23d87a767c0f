/** A failed billing call: the server's error envelope, or `network_error` when no answer came. */
export class BillingApiError extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The server's machine-readable code, e.g. `amount_too_small`. */
    readonly code: string,
    message: string,
    /** The request field the error is about, when there is one. */
    readonly field?: string,
    /** The server's `X-Request-Id` for the failed request, to find it in the server's log. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'BillingApiError';
  }
}
