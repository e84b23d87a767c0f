import type Stripe from 'stripe';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Identity } from './identity/identity.ts';
import type { Logger } from './logger.ts';
import type { BillingStore } from './store/store.ts';

/** Everything the app needs, passed in so tests build their own (no module-level singletons). */
export interface AppDeps {
  store: BillingStore;
  stripe: Stripe;
  config: Config;
  clock: Clock;
  logger?: Logger;
}

/** Hono environment of the billing app: per-request variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by `requireUser` on widget-facing routes. */
    identity?: Identity;
    /** Set when the client hung up before its request body arrived (logged as one info line). */
    clientAborted?: boolean;
  };
}
