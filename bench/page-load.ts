/**
 * `page_load_requests` (a figure in README.md, "Performance and reliability"): a host page with every element inside one
 * `<billing-provider>` loads in headless Chromium (Debian's, driven by playwright-core) from its
 * own origin; the bundle comes from the billing server's `/widgets.js`. The figure counts the
 * requests the page makes to the billing API until the network is idle and every element shows
 * its loaded state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.ts';
import { createApp } from '../server/src/app.ts';
import { systemClock } from '../server/src/clock.ts';
import { loadConfig } from '../server/src/config.ts';
import { openStore } from '../server/src/store/open-store.ts';
import { createStripeClient } from '../server/src/stripe/client.ts';
import { signTestToken } from '../server/src/testing.ts';
import { buildWidgetBundle } from './widget-bundle-support.ts';

const ELEMENTS = [
  'billing-balance',
  'billing-topup',
  'billing-subscription',
  'setup-payment-modal',
  'billing-history',
  'billing-portal-button',
  'billing-auto-recharge',
  'billing-usage',
];

if (buildWidgetBundle() === null) {
  console.log('page_load_requests: no widget sources (widget/index.ts); figure not measured');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-page-'));
const host = createServer();
await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
const hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
const loaded = loadConfig({
  BILLING_DB_URL: `file:${join(dir, 'billing.db')}`,
  BILLING_JWT_SECRET: 'bench-page-load-jwt-secret-0123456789-ab',
  BILLING_ALLOWED_ORIGINS: hostOrigin,
  STRIPE_API_BASE: 'http://127.0.0.1:9',
});
if ('errors' in loaded) throw new Error(loaded.errors.join('\n'));
const { config } = loaded;
const store = await openStore({ url: config.dbUrl });
for (let i = 1; i <= 3; i++) {
  await store.write(new Date(), (unit) =>
    unit.creditLedger({
      accountId: 'user:page-user',
      amountCents: 1000 * i,
      kind: 'grant',
      sourceId: `seed-${i}`,
    }),
  );
}
const app = createApp({ store, stripe: createStripeClient(config), config, clock: systemClock });
const billing = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => billing.once('listening', r));
const billingUrl = `http://127.0.0.1:${(billing.address() as AddressInfo).port}`;
const token = signTestToken(
  { sub: 'page-user', exp: Math.floor(Date.now() / 1000) + 3600 },
  config.jwtSecret,
);
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Every element</title>
<link rel="icon" href="data:,"><script src="${billingUrl}/widgets.js" defer></script></head><body>
<billing-provider api-base="${billingUrl}" token="${token}">
${ELEMENTS.map((e) => `<${e}></${e}>`).join('\n')}
</billing-provider></body></html>`;
host.on('request', (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
});

const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const apiRequests: string[] = [];
  const problems: string[] = [];
  tab.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/billing/'))
      apiRequests.push(`${req.method()} ${url.pathname}${url.search}`);
    else if (url.origin !== hostOrigin && url.origin !== billingUrl && url.protocol !== 'data:')
      problems.push(`left loopback: ${req.url()}`);
  });
  tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  tab.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  await tab.goto(hostOrigin, { waitUntil: 'networkidle' });
  // Every element has upgraded and shows the balance that was seeded.
  for (const name of ELEMENTS) {
    const defined = await tab.evaluate(
      // Runs in the page, where the DOM's customElements registry exists.
      `customElements.get(${JSON.stringify(name)}) !== undefined`,
    );
    if (!defined) problems.push(`${name} is not defined by the bundle`);
  }
  await tab.locator('billing-balance').getByText('60.00').first().waitFor({ timeout: 10_000 });
  await tab.waitForTimeout(500);
  console.log('A page with every element in one <billing-provider>, loaded in headless Chromium');
  console.log(`| elements | billing API requests | requests |\n|---|---|---|`);
  console.log(`| ${ELEMENTS.length + 1} | ${apiRequests.length} | ${apiRequests.join(', ')} |`);
  if (problems.length > 0) {
    console.log(`problems: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
  console.log(JSON.stringify({ figure: 'page_load_requests', value: apiRequests.length, unit: 'requests' }));
} finally {
  await browser.close();
  billing.close();
  host.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
