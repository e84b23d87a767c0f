import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import Stripe from 'stripe';
import type { AppEnv } from '../app-env.ts';
import { ApiError, type ApiErrorStatus, RetryLaterError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { StoreError } from '../store/store-errors.ts';

/** Maps any thrown value to the API's error: ApiError as is, Stripe → 502, store → 503, else 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isClientAbort(err)) {
    return new ApiError(400, 'request_aborted', 'The connection closed before the request body arrived.');
  }
  if (err instanceof Stripe.errors.StripeError) {
    return new ApiError(
      502,
      'stripe_error',
      'The payment provider could not complete the request. Try again.',
    );
  }
  if (err instanceof StoreError && !err.isConstraint) {
    return new ApiError(503, 'store_unavailable', 'The billing store is unavailable. Try again shortly.');
  }
  if (err instanceof HTTPException) {
    const status = err.status as number;
    if (status === 413) return new ApiError(413, 'body_too_large', 'The request body is too large.');
    if (status === 415) {
      return new ApiError(
        415,
        'unsupported_media_type',
        'Send the request body as JSON with "Content-Type: application/json".',
      );
    }
    // Hono's JSON validator found no JSON to parse.
    if (status === 400 && /JSON/i.test(err.message)) {
      return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
    if (status >= 400 && status < 500) {
      return new ApiError(
        (status === 401 || status === 403 || status === 404 ? status : 400) as ApiErrorStatus,
        'bad_request',
        err.message || 'The request is not valid.',
      );
    }
  }
  return new ApiError(500, 'internal_error', 'Something went wrong on our side.');
}

/** Node's error for a request whose client hung up while its body was being read. */
export function isClientAbort(err: unknown): boolean {
  return (
    err instanceof Error && err.message === 'aborted' && (err as { code?: string }).code === 'ECONNRESET'
  );
}

/** The single `onError`: renders `{"error": {...}}` and logs server-side failures with the request id. */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const apiError = toApiError(err);
    // Nobody is left to answer: the request's own log line (requestContext) says it, at info level.
    if (apiError.code === 'request_aborted') c.set('clientAborted', true);
    // A deliberate refusal (busy, rate-limited) is in the request's own log line; no error to report.
    if (apiError.status >= 500 && !(apiError instanceof RetryLaterError)) {
      logger.error('request failed', {
        request_id: c.var.requestId,
        path: c.req.path,
        status: apiError.status,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stripe_code: err instanceof Stripe.errors.StripeError ? err.code : undefined,
        stripe_request_id: err instanceof Stripe.errors.StripeError ? err.requestId : undefined,
        stack: apiError.status === 500 && err instanceof Error ? err.stack : undefined,
      });
    }
    return renderApiError(c, apiError);
  };
}

export function renderApiError(c: Context, error: ApiError): Response {
  if (error instanceof RetryLaterError) c.header('Retry-After', String(error.retryAfterSeconds));
  return c.json(error.toJSON(), error.status);
}

/** A 429 for a spent rate-limit budget. */
export class RateLimitedError extends RetryLaterError {
  constructor(retryAfterSeconds: number, what = 'this account') {
    super(
      429,
      'rate_limited',
      `Too many requests for ${what}. Retry in ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    );
  }
}

/** Unknown paths answer the same JSON envelope as every other error. */
export const notFound: NotFoundHandler<AppEnv> = (c) =>
  // The path is not echoed: an answer never reflects what a caller put in the URL.
  renderApiError(c, new ApiError(404, 'not_found', 'No route for this method and path.'));
