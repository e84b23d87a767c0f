import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import type { AppEnv } from './app-env.ts';
import { startReconciler } from './billing/reconcile.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Config, loadConfig } from './config.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { createStripeClient } from './stripe/client.ts';

/** What `createBillingApp` needs; everything but `env` has a production default. */
export interface BillingAppOptions {
  /**
   * The settings, read and validated as the standalone server reads them (the variables in the
   * README's Configuration table). Defaults to `process.env`.
   */
  env?: Record<string, string | undefined>;
  /** Where structured log lines go; defaults to one JSON object per line on stdout. */
  logger?: Logger;
  /** The time the server acts on; defaults to the wall clock. */
  clock?: Clock;
}

/** A billing server ready to mount in a host's Hono app: `hostApp.route('/billing', billing.app)`. */
export interface BillingApp {
  /** Serves `/api/billing/*`, `/widgets.js`, `/healthz` and `/readyz` below its mount path. */
  app: Hono<AppEnv>;
  /** The validated configuration the app runs with. */
  config: Config;
  /** Where the data lives, for logs: `local <file path>` or `remote <URL without credentials>`. */
  storeLocation: string;
  /** Stops the periodic reconciliation and closes the store; call it after the host's HTTP server has stopped taking requests. */
  close(): Promise<void>;
}

/** The settings were refused: `problems` holds one line per variable (`NAME: what is wrong`). */
export class BillingConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid billing configuration:\n${problems.join('\n')}`);
    this.name = 'BillingConfigError';
  }
}

/**
 * Builds the billing server from its settings: validates them (throwing `BillingConfigError` with
 * every problem at once), opens the libSQL store and applies its migrations, creates the Stripe
 * client, and returns the app. When mounted below a path, `BILLING_PUBLIC_URL` must include that
 * path (`https://example.com/billing`), since Stripe's return links are built from it.
 */
export async function createBillingApp(options: BillingAppOptions = {}): Promise<BillingApp> {
  const loaded = loadConfig(options.env ?? process.env);
  if ('errors' in loaded) throw new BillingConfigError(loaded.errors);
  const { config } = loaded;

  if (config.dbUrl.startsWith('file:') && !config.dbUrl.includes(':memory:')) {
    mkdirSync(dirname(config.dbUrl.slice('file:'.length).split('?')[0]!), { recursive: true });
  }
  const store = await openStore({ url: config.dbUrl, authToken: config.dbAuthToken });
  const deps = {
    store,
    stripe: createStripeClient(config),
    config,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? jsonLogger(),
  };
  const app = createApp(deps);
  // Replays Stripe's events list at start-up and every BILLING_RECONCILE_INTERVAL_S, so payments
  // whose webhooks were lost are still applied (billing/reconcile.ts).
  const reconciler = startReconciler(deps);
  return {
    app,
    config,
    storeLocation: `${store.kind} ${store.location}`,
    close: async () => {
      await reconciler.stop();
      await store.close();
    },
  };
}
