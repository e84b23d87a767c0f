/**
 * The billing server as a library (`billing-widgets/server`): `createBillingApp` to mount it in a
 * host's Hono app, and the types it is configured and logged with. The standalone process is
 * `main.ts`.
 */
export type { AppEnv } from './app-env.ts';
export {
  type BillingApp,
  type BillingAppOptions,
  BillingConfigError,
  createBillingApp,
} from './billing-app.ts';
export type { Clock } from './clock.ts';
export type { Config, Plan } from './config.ts';
export type { Logger } from './logger.ts';
