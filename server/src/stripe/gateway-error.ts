import Stripe from 'stripe';
import { ApiError } from '../errors.ts';

/**
 * Runs one Stripe call and turns a failure into a 502 `stripe_error` the client can show. Stripe's
 * own message is kept (it never holds a secret), prefixed by what we were doing, so logs and
 * answers say which step failed. Errors that are not Stripe's pass through untouched.
 */
export async function callStripe<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw stripeFailure(action, err);
  }
}

/** The 502 for a failed Stripe call (named apart from the error handler's `toApiError`); anything else is returned as is. */
export function stripeFailure(action: string, err: unknown): unknown {
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  const detail = err.code ? `${err.message} (${err.code})` : err.message;
  return new ApiError(502, 'stripe_error', `Stripe could not ${action}: ${detail}`);
}

/** True when Stripe answered that the object does not exist (a 404 `resource_missing`). */
export function isStripeMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && err.code === 'resource_missing';
}
