import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Hono } from 'hono';
import { BillingConfigError, createBillingApp } from './billing-app.ts';
import { silentLogger } from './logger.ts';
import { signTestToken, TEST_API_KEY, TEST_JWT_SECRET } from './testing.ts';

test('bad settings: BillingConfigError lists every problem, one line per variable', async () => {
  await assert.rejects(
    createBillingApp({ env: { PORT: 'abc', STRIPE_SECRET_KEY: 'sk_test_x', BILLING_CURRENCY: 'dollars' } }),
    (err: unknown) => {
      assert.ok(err instanceof BillingConfigError);
      assert.deepEqual(err.problems.map((line) => line.split(':')[0]).sort(), [
        'BILLING_API_KEY',
        'BILLING_CURRENCY',
        'BILLING_JWT_SECRET',
        'PORT',
        'STRIPE_WEBHOOK_SECRET',
      ]);
      return true;
    },
  );
});

test('mounted under /billing in a host app: store created, routes below the mount, widget API guarded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'billing-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const billing = await createBillingApp({
    env: {
      STRIPE_SECRET_KEY: 'sk_test_mounted',
      STRIPE_WEBHOOK_SECRET: 'whsec_mounted',
      // Nothing here calls Stripe; an address nobody listens on makes sure of it.
      STRIPE_API_BASE: 'http://127.0.0.1:9',
      BILLING_PUBLIC_URL: 'https://shop.example.test/billing',
      BILLING_DB_URL: `file:${join(dir, 'nested', 'billing.db')}`,
      BILLING_JWT_SECRET: TEST_JWT_SECRET,
      BILLING_API_KEY: TEST_API_KEY,
    },
    logger: silentLogger,
  });
  t.after(() => billing.close());
  assert.ok(existsSync(join(dir, 'nested', 'billing.db')), 'the store file is created with its folder');
  assert.equal(billing.config.publicUrl, 'https://shop.example.test/billing');

  const host = new Hono();
  host.get('/', (c) => c.text('host'));
  host.route('/billing', billing.app);

  assert.equal(await (await host.request('/')).text(), 'host');
  assert.equal((await host.request('/billing/readyz')).status, 200);
  assert.equal((await host.request('/readyz')).status, 404);
  assert.equal((await host.request('/billing/api/billing/credits')).status, 401);
  const token = signTestToken({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 }, TEST_JWT_SECRET);
  const credits = await host.request('/billing/api/billing/credits', {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(await credits.json(), { credits: '0.00' });
});
