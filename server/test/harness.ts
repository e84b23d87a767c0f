import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../../stripe-emulator/src/testing.ts';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import type { AppDeps } from '../src/app.ts';
import { createApp } from '../src/app.ts';
import type { Clock } from '../src/clock.ts';
import { type Config, EMULATOR_WEBHOOK_SECRET, loadConfig } from '../src/config.ts';
import { jsonLogger } from '../src/logger.ts';
import { openStore } from '../src/store/open-store.ts';
import type { BillingStore } from '../src/store/store.ts';
import { createStripeClient } from '../src/stripe/client.ts';
import { countRows, signTestToken } from '../src/testing.ts';
import { openTestDatabase } from './test-database.ts';

/** The origin of the pretend host app that embeds the widgets. */
export const HOST_ORIGIN = 'http://app.example.test';
export const API_KEY = 'bk_test_harness_api_key_0123456789';
const JWT_SECRET = 'harness-jwt-secret-0123456789-abcdef';
/**
 * How long the emulator's webhook deliveries may take to settle: seconds normally, but on the
 * remote store under a loaded CI machine 40 paid sessions' deliveries have taken over 15 s.
 */
const WEBHOOKS_WITHIN_MS = 60_000;

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  body: any;
  headers: Headers;
}

/**
 * One billing server on a real HTTP listener on 127.0.0.1, with its own temp libSQL file (or, under
 * `npm run test:remote`, its own Hrana test server: test-database.ts), talking
 * through the official SDK to its own emulator, which delivers signed webhooks to the server's
 * `/api/billing/webhook`. The server's clock follows the emulator's time, so `advance()` moves both.
 */
export interface BillingHarness {
  emulator: RunningEmulator;
  /** The server's SDK client (tests use it as a Stripe dashboard would). */
  stripe: Stripe;
  store: BillingStore;
  config: Config;
  url: string;
  clock: Clock;
  tokenFor(user: string, claims?: Record<string, unknown>): string;
  api(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; raw?: string },
  ): Promise<ApiAnswer>;
  /** Stripe's return links for a session, as the buyer's browser gets them (with the session's ref). */
  returnLinks(sessionId: string): Promise<{ success: string; cancel: string }>;
  /** A GET that does not follow redirects (the browser coming back from Stripe). */
  visit(url: string): Promise<{ status: number; location: string | null; body: string }>;
  /** Pays a Checkout session the way its hosted page would; answers the control endpoint's reply. */
  completeCheckout(redirectUrl: string, card?: string): Promise<{ status: number; body: ApiAnswer['body'] }>;
  advance(seconds: number): Promise<void>;
  /** Posts `event` to the server's webhook, signed now with the endpoint's secret, as Stripe would. */
  postEvent(event: object): Promise<Response>;
  /** Waits until the emulator has delivered every queued webhook. */
  webhooksDelivered(): Promise<void>;
  /** Every table's row count: "the store unchanged" checks compare two of these. */
  snapshot(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Collects the server's structured log lines (one JSON object each). */
  logs?: string[];
  /**
   * Runs before the store is opened (so before its migrations run), with the emulator up: a test
   * writes a store of an older version and the Stripe objects behind it. Webhooks sent meanwhile
   * are acknowledged and dropped, as if the server that wrote that store had handled them.
   */
  beforeStoreOpens?(setup: { dbUrl: string; serverUrl: string; stripe: Stripe }): Promise<void>;
}

export async function startBillingHarness(
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<BillingHarness> {
  const db = await openTestDatabase();
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        fetch: (req) => (handler ? handler(req) : new Response('starting', { status: 503 })),
        port: 0,
        hostname: '127.0.0.1',
      },
      () => resolve(s),
    );
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator = await startEmulator({
    webhooks: [{ url: `${url}/api/billing/webhook`, secret: EMULATOR_WEBHOOK_SECRET }],
  });
  const loaded = loadConfig({
    BILLING_DB_URL: db.url,
    BILLING_PUBLIC_URL: url,
    BILLING_ALLOWED_ORIGINS: `${HOST_ORIGIN},${url}`,
    STRIPE_API_BASE: emulator.url,
    BILLING_JWT_SECRET: JWT_SECRET,
    BILLING_API_KEY: API_KEY,
    BILLING_WELCOME_CREDIT: '50',
    BILLING_RATE_LIMIT_PER_MINUTE: '10000',
    BILLING_CALLBACK_RATE_LIMIT_PER_MINUTE: '10000',
    ...env,
  });
  if ('errors' in loaded) throw new Error(`harness config: ${loaded.errors.join('; ')}`);
  const { config } = loaded;
  const stripe = createStripeClient(config);
  if (options.beforeStoreOpens) {
    handler = () => Response.json({ received: true });
    await options.beforeStoreOpens({ dbUrl: config.dbUrl, serverUrl: url, stripe });
    await emulator.emu.webhooks.drained(WEBHOOKS_WITHIN_MS);
    handler = undefined;
  }
  const store = await openStore({ url: config.dbUrl });
  const clock: Clock = { now: () => new Date(Date.now() + emulator.emu.store.timeOffsetSeconds * 1000) };
  const logs = options.logs;
  const deps: AppDeps = {
    store,
    stripe,
    config,
    clock,
    // The logger writes batches of lines; the test wants them one by one.
    ...(logs ? { logger: jsonLogger((chunk) => logs.push(...chunk.split('\n').filter(Boolean))) } : {}),
    // BILLING_TEST_LOGS=1 shows the server's own account of a failure (a 503's store error).
    ...(!logs && process.env.BILLING_TEST_LOGS
      ? { logger: jsonLogger((chunk) => process.stderr.write(chunk)) }
      : {}),
  };
  const app = createApp(deps);
  handler = (req) => app.fetch(req);

  const tokenFor = (user: string, claims: Record<string, unknown> = {}) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    return signTestToken(
      { sub: user, email: `${user}@example.test`, exp: now + 3600, ...claims },
      JWT_SECRET,
    );
  };

  return {
    emulator,
    stripe,
    store,
    config,
    url,
    clock,
    tokenFor,
    async api(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Non-JSON answers (HTML, redirects) are compared as text.
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async returnLinks(sessionId) {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      const fill = (link: string | null | undefined) =>
        (link ?? '').replace('{CHECKOUT_SESSION_ID}', sessionId);
      return { success: fill(session.success_url), cancel: fill(session.cancel_url) };
    },
    async visit(target) {
      const res = await fetch(target, { redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location'), body: await res.text() };
    },
    async completeCheckout(redirectUrl, card = '4242424242424242') {
      const id = /cs_[A-Za-z0-9_]+/.exec(redirectUrl)?.[0];
      if (!id) throw new Error(`no Checkout session id in ${redirectUrl}`);
      return emulator.control(`/_emulator/checkout/sessions/${id}/complete`, { card });
    },
    async advance(seconds) {
      const res = await emulator.control('/_emulator/advance', { seconds });
      if (res.status !== 200) throw new Error(`advance failed: ${JSON.stringify(res.body)}`);
    },
    postEvent(event) {
      const payload = JSON.stringify(event);
      return fetch(`${url}/api/billing/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signPayload(payload, config.stripeWebhookSecret, Math.floor(Date.now() / 1000)),
        },
        body: payload,
      });
    },
    webhooksDelivered: () => emulator.emu.webhooks.drained(WEBHOOKS_WITHIN_MS),
    async snapshot() {
      const counts = await countRows(store);
      const sum = await store.sql.run('SELECT COALESCE(SUM(balance_cents), 0) AS s FROM accounts');
      counts.balance_total_cents = Number(sum.rows[0]!.s);
      return counts;
    },
    async close() {
      const mismatches = await store.auditLedger();
      await emulator.close();
      await new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await store.close();
      await db.close();
      if (mismatches.length) throw new Error(`ledger audit failed: ${JSON.stringify(mismatches)}`);
    },
  };
}

/**
 * Saves `card` for `user` as the setup modal does: a setup-mode Checkout session, paid as its hosted
 * page would. Answers the session id (its success link is not visited yet).
 */
export async function setUpCard(
  h: BillingHarness,
  user: string,
  card = '4242424242424242',
  returnUrl = `${HOST_ORIGIN}/settings`,
): Promise<string> {
  const res = await h.api('POST', '/api/billing/create-customer-setup-session', {
    token: h.tokenFor(user),
    body: { return_url: returnUrl },
  });
  if (res.status !== 200) throw new Error(`setup session failed: ${JSON.stringify(res.body)}`);
  const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
  const done = await h.completeCheckout(res.body.redirect_url, card);
  if (done.status !== 200) throw new Error(`setup checkout failed: ${JSON.stringify(done.body)}`);
  return sessionId;
}

/** The balance the server reports for `user`, in cents. */
export async function balanceOf(h: BillingHarness, user: string): Promise<number> {
  const res = await h.api('GET', '/api/billing/summary', { token: h.tokenFor(user) });
  if (res.status !== 200) throw new Error(`summary failed: ${JSON.stringify(res.body)}`);
  return res.body.credits_cents;
}
