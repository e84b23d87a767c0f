/**
 * The server side of bench/credits.ts, run as its own process: a bare Hono route on one port and
 * the billing app (real libSQL file, real HS256 tokens, JSON request logs to /dev/null) on another.
 * Prints `{"bare": url, "billing": url, "token": jwt}` once both listen.
 */
import { mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp } from '../server/src/app.ts';
import { systemClock } from '../server/src/clock.ts';
import { loadConfig } from '../server/src/config.ts';
import { jsonLogger } from '../server/src/logger.ts';
import { openStore } from '../server/src/store/open-store.ts';
import { createStripeClient } from '../server/src/stripe/client.ts';
import { signTestToken } from '../server/src/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-credits-'));
const loaded = loadConfig({
  BILLING_DB_URL: `file:${join(dir, 'billing.db')}`,
  BILLING_JWT_SECRET: 'bench-secret-bench-secret-bench-secret!!',
  STRIPE_API_BASE: 'http://127.0.0.1:9',
});
if ('errors' in loaded) throw new Error(loaded.errors.join('\n'));
const { config } = loaded;
const store = await openStore({ url: config.dbUrl });
await store.write(new Date(), (unit) =>
  unit.creditLedger({
    accountId: 'user:bench-user',
    amountCents: 1250,
    kind: 'grant',
    sourceId: 'bench',
  }),
);
const devNull = openSync('/dev/null', 'w');
const billing = createApp({
  store,
  stripe: createStripeClient(config),
  config,
  clock: systemClock,
  logger: jsonLogger((chunk) => writeSync(devNull, chunk)),
});

const bare = new Hono();
bare.get('/bare', (c) => c.json({ credits: '12.50' }));

const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
  new Promise<string>((resolve) => {
    serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
const bareUrl = await listen(bare.fetch);
const billingUrl = await listen(billing.fetch);
const token = signTestToken(
  { sub: 'bench-user', exp: Math.floor(Date.now() / 1000) + 3600 },
  config.jwtSecret,
);
process.stdout.write(
  `${JSON.stringify({ bare: `${bareUrl}/bare`, billing: `${billingUrl}/api/billing/credits`, token })}\n`,
);
// Exit cleanly (flushing --cpu-prof output when profiling) when the bench is done.
process.on('SIGTERM', () => process.exit(0));
