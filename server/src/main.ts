#!/usr/bin/env node
/**
 * The billing server process: configuration from the environment (one line per problem, then
 * exit 1), the app from `createBillingApp` (store with migrations applied, Stripe client), the HTTP
 * server, and a graceful shutdown on SIGINT/SIGTERM.
 */
import { BillingConfigError, createBillingApp } from './billing-app.ts';
import { listen } from './http/listen.ts';
import { jsonLogger } from './logger.ts';

const logger = jsonLogger();
const billing = await createBillingApp({ env: process.env, logger }).catch((err: unknown) => {
  if (!(err instanceof BillingConfigError)) throw err;
  for (const line of err.problems) console.error(`config: ${line}`);
  process.exit(1);
});
const { app, config } = billing;

const { server, port } = await listen(app.fetch, { port: config.port, hostname: config.host });
logger.info('listening', {
  url: `http://${config.host}:${port}`,
  public_url: config.publicUrl,
  stripe: config.emulatorMode
    ? `emulator at ${config.stripeApiBase}`
    : (config.stripeApiBase ?? 'api.stripe.com'),
  billing_enabled: config.billingEnabled,
  store: billing.storeLocation,
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Stop accepting connections, let requests in flight finish, then close the store.
    server.close(() => {
      void billing.close().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  });
}
