/**
 * A host as a user of the installed package writes one, run with plain node inside a fresh project
 * by e2e/packed-tarball.test.ts: its own Hono app with the billing server mounted under /billing,
 * the package's Stripe emulator in front of it, and one top-up from Checkout to the balance.
 * Prints one JSON line with what it saw, and exits 1 with the reason when a step fails.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createEmulator } from 'billing-widgets/emulator';
import { createBillingApp } from 'billing-widgets/server';
import { Hono } from 'hono';
import { SignJWT } from 'jose';

const JWT_SECRET = 'host-jwt-secret-at-least-32-characters-long';
const WEBHOOK_SECRET = 'whsec_packed_host';
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: node host.mjs DATA_DIR');

// The elements need a DOM; in node the entry points only have to resolve to shipped files.
const entries = {};
for (const specifier of ['billing-widgets', 'billing-widgets/elements', 'billing-widgets/widgets.js']) {
  const file = fileURLToPath(import.meta.resolve(specifier));
  if (!existsSync(file)) throw new Error(`${specifier} resolves to ${file}, which is missing`);
  entries[specifier] = file;
}

const host = new Hono();
const server = serve({ fetch: host.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// The webhook endpoint is the mounted path, as it would be registered in Stripe's dashboard.
const emulator = createEmulator({
  webhooks: [{ url: `${origin}/billing/api/billing/webhook`, secret: WEBHOOK_SECRET }],
});
const stripeUrl = await emulator.listen(0);

const problems = [];
const billing = await createBillingApp({
  env: {
    STRIPE_SECRET_KEY: 'sk_test_packed_host',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_PUBLISHABLE_KEY: 'pk_test_packed_host',
    STRIPE_API_BASE: stripeUrl,
    BILLING_PUBLIC_URL: `${origin}/billing`,
    BILLING_DB_URL: `file:${dataDir}/billing.db`,
    BILLING_JWT_SECRET: JWT_SECRET,
    BILLING_API_KEY: 'bk_packed_host_api_key_0123456789',
  },
  logger: {
    info() {},
    warn(msg, fields) {
      problems.push({ level: 'warn', msg, ...fields });
    },
    error(msg, fields) {
      problems.push({ level: 'error', msg, ...fields });
    },
  },
});
host.get('/', (c) => c.text('the host app'));
host.route('/billing', billing.app);

try {
  console.log(JSON.stringify(await topUp()));
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  if (problems.length) console.error(JSON.stringify(problems));
  process.exitCode = 1;
} finally {
  await emulator.close();
  await new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });
  await billing.close();
}

/** Buys 25.00 of credit as user ada and answers what each step showed. */
async function topUp() {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const ready = await fetch(`${origin}/billing/readyz`);
  const widgets = await fetch(`${origin}/billing/widgets.js`);
  const openapi = await fetch(`${origin}/billing/api/billing/openapi.json`);
  const referenceCss = await fetch(`${origin}/billing/api/billing/reference/swagger-ui.css`);
  const hostHome = await (await fetch(`${origin}/`)).text();

  const checkout = await fetch(`${origin}/billing/api/billing/create-checkout-session`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ amount: 25, return_url: `${origin}/account` }),
  });
  if (checkout.status !== 200) throw new Error(`checkout: ${checkout.status} ${await checkout.text()}`);
  const { redirect_url } = await checkout.json();
  const sessionId = /cs_[A-Za-z0-9_]+/.exec(redirect_url)?.[0];
  if (!sessionId) throw new Error(`no Checkout session id in ${redirect_url}`);

  // What the hosted payment page does when the buyer pays with the test card.
  const completed = await fetch(`${stripeUrl}/_emulator/checkout/sessions/${sessionId}/complete`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card: '4242424242424242' }),
  });
  if (completed.status !== 200) throw new Error(`complete: ${completed.status} ${await completed.text()}`);
  const session = await completed.json();

  // Only the webhook can credit now: the buyer has not come back through the success link yet.
  const credits = await waitForCredits(auth, '25.00');

  const back = await fetch(session.success_url.replace('{CHECKOUT_SESSION_ID}', sessionId), {
    redirect: 'manual',
  });
  return {
    entries,
    ready: ready.status,
    widgets: { status: widgets.status, type: widgets.headers.get('content-type') },
    openapi: { status: openapi.status, version: (await openapi.json()).openapi },
    referenceCss: referenceCss.status,
    hostHome,
    successUrl: session.success_url,
    credits,
    back: { status: back.status, location: back.headers.get('location') },
    problems,
  };
}

async function waitForCredits(headers, expected) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await fetch(`${origin}/billing/api/billing/credits`, { headers });
    const { credits } = await answer.json();
    if (credits === expected || Date.now() > deadline) return credits;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
