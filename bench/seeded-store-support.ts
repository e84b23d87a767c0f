/**
 * What the benchmarks over a seeded ledger share (bench/ledger-scale.ts, bench/usage-summary.ts): a
 * store file created with the schema, seeded by raw SQL, checked by the ledger audit, and served by
 * the billing app over HTTP on 127.0.0.1; and the order statistics they report.
 */
import { serve } from '@hono/node-server';
import { createApp } from '../server/src/app.ts';
import { systemClock } from '../server/src/clock.ts';
import { loadConfig } from '../server/src/config.ts';
import { openStore } from '../server/src/store/open-store.ts';
import type { BillingStore } from '../server/src/store/store.ts';
import { createStripeClient } from '../server/src/stripe/client.ts';

/**
 * Creates the schema in `file`, runs `seed(file)` (raw SQL on the closed store), then opens the
 * store, checks that every balance equals its ledger, and serves the app; Stripe is never called.
 */
export async function serveSeededStore(
  file: string,
  jwtSecret: string,
  seed: (file: string) => void,
): Promise<{ url: string; store: BillingStore }> {
  const loaded = loadConfig({
    BILLING_DB_URL: `file:${file}`,
    BILLING_JWT_SECRET: jwtSecret,
    STRIPE_API_BASE: 'http://127.0.0.1:9',
  });
  if ('errors' in loaded) throw new Error(loaded.errors.join('\n'));
  const { config } = loaded;
  (await openStore({ url: config.dbUrl })).close(); // creates the schema
  seed(file);
  const store = await openStore({ url: config.dbUrl });
  const audit = await store.auditLedger();
  if (audit.length > 0) throw new Error(`the seeded ledger does not audit: ${JSON.stringify(audit)}`);
  const app = createApp({ store, stripe: createStripeClient(config), config, clock: systemClock });
  const url = await new Promise<string>((resolve) => {
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  return { url, store };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;
