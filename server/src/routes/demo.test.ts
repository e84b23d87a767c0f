import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { createStripeClient } from '../stripe/client.ts';

/** An app on a temp store; Stripe points at a closed port (the demo routes never call it). */
async function demoApp(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'billing-demo-'));
  const loaded = loadConfig({
    BILLING_DB_URL: `file:${join(dir, 'billing.db')}`,
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    ...env,
  });
  if ('errors' in loaded) throw new Error(loaded.errors.join('; '));
  const store = await openStore({ url: loaded.config.dbUrl });
  const app = createApp({
    store,
    stripe: createStripeClient(loaded.config),
    config: loaded.config,
    clock: systemClock,
  });
  return {
    app,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('in emulator mode /demo/token mints a working user token and / serves the demo page', async () => {
  const { app, close } = await demoApp({});
  try {
    const res = await app.request('/demo/token?user=zoe');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, 'zoe');
    assert.ok(claims.exp > Date.now() / 1000);
    const credits = await app.request('/api/billing/credits', {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(credits.status, 200);
    assert.deepEqual(await credits.json(), { credits: '0.00' });

    const page = await app.request('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    // The vanilla HTML example: every element, its token from /demo/token, the bundle from this server.
    for (const tag of [
      '<billing-provider',
      '<billing-balance',
      '<billing-topup',
      '<billing-subscription',
      '<setup-payment-modal',
      '<billing-history',
      '<billing-portal-button',
      '<billing-auto-recharge',
      '/demo/token',
      '4242 4242 4242 4242',
    ]) {
      assert.ok(html.includes(tag), `the page has ${tag}`);
    }
    assert.match(html, /<script src="\/widgets\.js(\?v=[0-9a-f]{16})?" defer>/);
  } finally {
    await close();
  }
});

test('/demo/token refuses a user name that is not a plain identifier', async () => {
  const { app, close } = await demoApp({});
  try {
    for (const user of ['', 'a b', 'x'.repeat(65), '<script>', 'zoe%00']) {
      const res = await app.request(`/demo/token?user=${encodeURIComponent(user)}`);
      assert.equal(res.status, 400, user);
      const body = (await res.json()) as { error: { code: string; field: string } };
      assert.equal(body.error.code, 'invalid_user');
      assert.equal(body.error.field, 'user');
    }
  } finally {
    await close();
  }
});

test('with real Stripe keys there is no demo page, no token minting and no Stripe.js stand-in', async () => {
  const { app, close } = await demoApp({
    STRIPE_SECRET_KEY: 'sk_live_real_key',
    STRIPE_WEBHOOK_SECRET: 'whsec_real',
    STRIPE_PUBLISHABLE_KEY: 'pk_live_real_key',
    BILLING_API_KEY: 'bk_live_0123456789abcdef012345',
    BILLING_JWT_SECRET: 'host-secret-of-at-least-32-characters',
  });
  try {
    assert.equal((await app.request('/demo/token?user=zoe')).status, 404);
    assert.equal((await app.request('/')).status, 404);
    // On-page Checkout loads Stripe's own script (loadStripe's default).
    const config = (await (await app.request('/api/billing/config')).json()) as Record<string, unknown>;
    assert.equal(config.stripe_js_url, null);
    assert.equal(config.publishable_key, 'pk_live_real_key');
  } finally {
    await close();
  }
});

test('a demo token is never signed with the configured secret and works on this server only', async () => {
  const secret = 'a-production-secret-shared-by-staging-0123';
  const first = await demoApp({ BILLING_JWT_SECRET: secret });
  const second = await demoApp({ BILLING_JWT_SECRET: secret });
  try {
    const { token } = (await (await first.app.request('/demo/token?user=zoe')).json()) as { token: string };
    const [header, payload, signature] = token.split('.');
    const withConfigured = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    assert.notEqual(signature, withConfigured, 'not signed with BILLING_JWT_SECRET');
    const ask = (app: typeof first.app) =>
      app.request('/api/billing/credits', { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await ask(first.app)).status, 200);
    // Another server with the same BILLING_JWT_SECRET (production, say) refuses it.
    assert.equal((await ask(second.app)).status, 401);
  } finally {
    await first.close();
    await second.close();
  }
});

test('off loopback a server without Stripe keys does not start, so /demo/token cannot exist there', () => {
  for (const env of [
    { BILLING_PUBLIC_URL: 'https://billing.example.com' },
    { HOST: '0.0.0.0' },
    { HOST: '10.0.0.5' },
  ]) {
    const loaded = loadConfig({ BILLING_JWT_SECRET: 'a-production-secret-shared-by-staging-0123', ...env });
    assert.ok('errors' in loaded, JSON.stringify(env));
    assert.deepEqual(
      loaded.errors.map((line) => line.split(':')[0]),
      ['STRIPE_SECRET_KEY'],
    );
  }
  for (const env of [
    { HOST: '127.0.0.1' },
    { HOST: 'localhost', BILLING_PUBLIC_URL: 'http://localhost:8787' },
    { HOST: '::1' },
  ]) {
    assert.ok('config' in loadConfig(env), JSON.stringify(env));
  }
});
