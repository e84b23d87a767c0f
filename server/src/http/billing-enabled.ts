import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';

/** The BILLING_ENABLED feature flag: with billing off every billing mutation answers 403. */
export function requireBillingEnabled(config: Config): MiddlewareHandler<AppEnv> {
  return async function requireBillingEnabled(_c, next) {
    if (!config.billingEnabled) {
      throw new ApiError(403, 'billing_disabled', 'Billing is turned off on this server.');
    }
    await next();
  };
}
