/**
 * Test support for the server's unit tests (no emulator here: server/src never imports it).
 * Each call builds its own temp libSQL file, config, clock and app.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import type { AppDeps, AppEnv } from './app-env.ts';
import { ManualClock } from './clock.ts';
import { type Config, loadConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { openStore } from './store/open-store.ts';
import type { LedgerKind } from './store/records.ts';
import type { BillingStore } from './store/store.ts';
import { createStripeClient } from './stripe/client.ts';

/**
 * Signs claims as an HS256 JWT, as a host backend would, for tests and benches. Synchronous (and
 * so hand-written: jose's SignJWT is async), because tests mint tokens inline everywhere; the
 * server verifies them with jose. Hosts should copy examples/host-backend/mint-user-token.ts.
 */
export function signTestToken(claims: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const TEST_JWT_SECRET = 'unit-test-jwt-secret-0123456789-abcdef';
export const TEST_API_KEY = 'bk_unit_test_api_key_0123456789abcdef';
export const TEST_ORIGIN = 'http://host.example.test';

/** A fresh migrated store in its own temp directory. */
export async function tempStore(): Promise<{
  store: BillingStore;
  url: string;
  dir: string;
  cleanup(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-unit-'));
  const url = `file:${join(dir, 'billing.db')}`;
  const store = await openStore({ url });
  return {
    store,
    url,
    dir,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The row count of every table the billing flows write: two equal counts mean nothing was written. */
export async function countRows(store: BillingStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'accounts',
    'ledger_entries',
    'billing_sessions',
    'subscription_access',
    'subscriptions',
    'webhook_events',
  ]) {
    const { rows } = await store.sql.run(`SELECT COUNT(*) AS n FROM ${table}`);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

/** A valid configuration for tests; `env` overrides any variable. Stripe points at a closed port. */
export function testConfig(env: Record<string, string> = {}): Config {
  const loaded = loadConfig({
    BILLING_DB_URL: 'file::memory:',
    BILLING_JWT_SECRET: TEST_JWT_SECRET,
    BILLING_API_KEY: TEST_API_KEY,
    BILLING_ALLOWED_ORIGINS: TEST_ORIGIN,
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    BILLING_WELCOME_CREDIT: '50',
    ...env,
  });
  if ('errors' in loaded) throw new Error(`test config: ${loaded.errors.join('; ')}`);
  return loaded.config;
}

export interface TestAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  body: any;
  headers: Headers;
}

export interface TestApp {
  app: Hono<AppEnv>;
  deps: AppDeps;
  store: BillingStore;
  config: Config;
  clock: ManualClock;
  logLines: string[];
  /** An HS256 token for `user` signed with the test secret, valid for an hour unless claims say otherwise. */
  token(user: string, claims?: Record<string, unknown>): string;
  /** Sends a request through `app.request()` (no network); `body` objects are sent as JSON. */
  call(
    method: string,
    path: string,
    opts?: {
      token?: string;
      apiKey?: boolean;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<TestAnswer>;
  /** Credits an account by its key (`user:alice`, `org:acme`) directly, as a purchase would. */
  fund(accountId: string, cents: number, sourceId?: string, kind?: LedgerKind): Promise<void>;
  /** Row counts of every table plus every balance: two equal snapshots mean nothing changed. */
  snapshot(): Promise<string>;
  /** Throws unless every balance equals the sum of its ledger rows. */
  audit(): Promise<void>;
  close(): Promise<void>;
}

/** An app over its own temp store with a manual clock; log lines are captured in `logLines`. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { store, url, cleanup } = await tempStore();
  const config = testConfig({ BILLING_DB_URL: url, ...env });
  const clock = new ManualClock(new Date('2026-11-01T12:00:00.000Z'));
  const logLines: string[] = [];
  const capture = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, msg, ...fields }));
  const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error') };
  const deps: AppDeps = { store, stripe: createStripeClient(config), config, clock, logger };
  const app = createApp(deps);
  let funding = 0;

  return {
    app,
    deps,
    store,
    config,
    clock,
    logLines,
    token(user, claims = {}) {
      const now = Math.floor(clock.now().getTime() / 1000);
      return signTestToken({ sub: user, exp: now + 3600, ...claims }, TEST_JWT_SECRET);
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
      if (opts.apiKey) headers.authorization = `Bearer ${TEST_API_KEY}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async fund(accountId, cents, sourceId = `test_fund_${++funding}`, kind = 'purchase') {
      await store.write(clock.now(), (unit) =>
        unit.creditLedger({ accountId, amountCents: cents, kind, sourceId }),
      );
    },
    async snapshot() {
      const parts = Object.entries(await countRows(store)).map(([table, n]) => `${table}=${n}`);
      const balances = await store.sql.run('SELECT id, balance_cents FROM accounts ORDER BY id');
      for (const row of balances.rows) parts.push(`${row.id}:${row.balance_cents}`);
      return parts.join(' ');
    },
    async audit() {
      const mismatches = await store.auditLedger();
      if (mismatches.length > 0) throw new Error(`ledger audit failed: ${JSON.stringify(mismatches)}`);
    },
    close: cleanup,
  };
}
