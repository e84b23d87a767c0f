/**
 * `embedded_click_to_card_field_ms` (a figure in README.md, "Performance and reliability"): a host
 * page on its own origin with `<billing-topup>` in a `<billing-provider checkout-mode="embedded">`,
 * the bundle from the billing server's `/widgets.js`, Stripe played by the emulator, in headless
 * Chromium (Debian's, through playwright-core). The figure is the median time from the click on
 * "Add $25.00" until the card number field in the on-page Checkout frame is visible: the session,
 * `/config`, the on-page chunk (fetched cross-origin from beside the bundle), Stripe.js (the
 * emulator's stand-in) and the frame's page. Each round is a fresh page, so nothing is cached in
 * memory; the browser's HTTP cache is kept, as for a person paying a second time.
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
import { startEmulator } from '../stripe-emulator/src/testing.ts';
import { buildWidgetBundle } from './widget-bundle-support.ts';

const ROUNDS = 7;

if (buildWidgetBundle() === null) {
  console.log('embedded_click_to_card_field_ms: no widget sources (widget/index.ts); figure not measured');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
const host = createServer();
await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
const hostOrigin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
const emulator = await startEmulator();
const loaded = loadConfig({
  BILLING_DB_URL: `file:${join(dir, 'billing.db')}`,
  BILLING_JWT_SECRET: 'bench-embedded-jwt-secret-0123456789-abc',
  BILLING_ALLOWED_ORIGINS: hostOrigin,
  STRIPE_API_BASE: emulator.url,
});
if ('errors' in loaded) throw new Error(loaded.errors.join('\n'));
const { config } = loaded;
const store = await openStore({ url: config.dbUrl });
const app = createApp({ store, stripe: createStripeClient(config), config, clock: systemClock });
const billing = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => billing.once('listening', r));
const billingUrl = `http://127.0.0.1:${(billing.address() as AddressInfo).port}`;
const token = signTestToken(
  { sub: 'bench-payer', exp: Math.floor(Date.now() / 1000) + 3600 },
  config.jwtSecret,
);
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay on the page</title>
<link rel="icon" href="data:,"><script src="${billingUrl}/widgets.js" defer></script></head><body>
<billing-provider api-base="${billingUrl}" token="${token}" checkout-mode="embedded">
<billing-topup presets="25"></billing-topup>
</billing-provider></body></html>`;
host.on('request', (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
});

const browser = await chromium.launch(chromiumLaunchOptions());
const times: number[] = [];
const problems: string[] = [];
try {
  const context = await browser.newContext();
  for (let round = 0; round < ROUNDS; round++) {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    tab.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await tab.goto(hostOrigin, { waitUntil: 'networkidle' });
    const topup = tab.locator('billing-topup');
    await topup.getByRole('button', { name: '$25.00', exact: true }).click();
    const submit = topup.getByRole('button', { name: 'Add $25.00' });
    await submit.waitFor();
    const clicked = performance.now();
    await submit.click();
    await tab
      .frameLocator('iframe[title="Secure checkout"]')
      .getByLabel('Card number')
      .waitFor({ timeout: 15_000 });
    times.push(performance.now() - clicked);
    await tab.close();
  }
  times.sort((a, b) => a - b);
  const median = Math.round(times[Math.floor(times.length / 2)]!);
  console.log('On-page Checkout: click on "Add $25.00" → card number field visible (Chromium, emulator)');
  console.log(`| rounds | median ms | min ms | max ms |\n|---|---|---|---|`);
  console.log(`| ${ROUNDS} | ${median} | ${Math.round(times[0]!)} | ${Math.round(times.at(-1)!)} |`);
  if (problems.length > 0) {
    console.log(`problems: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
  console.log(JSON.stringify({ figure: 'embedded_click_to_card_field_ms', value: median, unit: 'ms' }));
} finally {
  await browser.close();
  billing.close();
  host.close();
  await emulator.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
