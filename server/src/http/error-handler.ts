import { LibsqlError } from '@libsql/client';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import Stripe from 'stripe';
import type { AppEnv } from '../app-env.ts';
import { ApiError, type ApiErrorStatus } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Maps any thrown value to the API's error: ApiError as is, Stripe → 502, store → 503, else 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Stripe.errors.StripeError) {
    return new ApiError(
      502,
      'stripe_error',
      'The payment provider could not complete the request. Try again.',
    );
  }
  if (err instanceof LibsqlError && !err.code.includes('CONSTRAINT')) {
    return new ApiError(503, 'store_unavailable', 'The billing store is unavailable. Try again shortly.');
  }
  if (err instanceof HTTPException) {
    const status = err.status as number;
    if (status === 413) return new ApiError(413, 'body_too_large', 'The request body is too large.');
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

/** The single `onError`: renders `{"error": {...}}` and logs server-side failures with the request id. */
export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
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
  if (error.status === 429 && error instanceof RateLimitedError) {
    c.header('Retry-After', String(error.retryAfterSeconds));
  }
  return c.json(error.toJSON(), error.status);
}

/** A 429 that carries how long to wait (sent as `Retry-After`). */
export class RateLimitedError extends ApiError {
  constructor(
    readonly retryAfterSeconds: number,
    what = 'this account',
  ) {
    super(429, 'rate_limited', `Too many requests for ${what}. Retry in ${retryAfterSeconds} s.`);
  }
}

/** Unknown paths answer the same JSON envelope as every other error. */
export const notFound: NotFoundHandler<AppEnv> = (c) =>
  renderApiError(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`));
