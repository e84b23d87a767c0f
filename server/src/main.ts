/**
 * The billing server process: configuration from the environment (one line per problem, then
 * exit 1), the store with migrations applied, the Stripe client, the HTTP server, and a graceful
 * shutdown on SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { listen } from './http/listen.ts';
import { jsonLogger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import { createStripeClient } from './stripe/client.ts';

const loaded = loadConfig(process.env);
if ('errors' in loaded) {
  for (const line of loaded.errors) console.error(`config: ${line}`);
  process.exit(1);
}
const { config } = loaded;
const logger = jsonLogger();

if (config.dbUrl.startsWith('file:') && !config.dbUrl.includes(':memory:')) {
  mkdirSync(dirname(config.dbUrl.slice('file:'.length).split('?')[0]!), { recursive: true });
}
const store = await openStore({ url: config.dbUrl, authToken: config.dbAuthToken });
const stripe = createStripeClient(config);
const app = createApp({ store, stripe, config, clock: systemClock, logger });

const { server, port } = await listen(app.fetch, { port: config.port, hostname: config.host });
logger.info('listening', {
  url: `http://${config.host}:${port}`,
  public_url: config.publicUrl,
  stripe: config.emulatorMode
    ? `emulator at ${config.stripeApiBase}`
    : (config.stripeApiBase ?? 'api.stripe.com'),
  billing_enabled: config.billingEnabled,
  store: `${store.kind} ${store.location}`,
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Stop accepting connections, let requests in flight finish, then close the store.
    server.close(() => {
      void store.close().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  });
}
