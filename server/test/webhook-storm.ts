/**
 * The webhook storm (README.md, "Reliability suite"): real Checkout top-ups and subscriptions are paid in an
 * emulator that delivers nothing itself; then every event it emitted is signed and posted, with a
 * share of them twice, in shuffled order, spread at random over two server processes that share
 * one libSQL database (a temp file, or the remote database the caller names). Stripe behaves the same way (at-least-once, any order), so the ledger must end
 * exactly at the sum of what was paid. Used by the reliability test (small) and the bench (large).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { startEmulator } from '../../stripe-emulator/src/testing.ts';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import { EMULATOR_WEBHOOK_SECRET } from '../src/config.ts';
import { openStore } from '../src/store/open-store.ts';
import type { LedgerMismatch } from '../src/store/records.ts';
import { signTestToken } from '../src/testing.ts';
import { freePort, type ServerProcess, startServerProcess, startServerProcesses } from './server-process.ts';

const JWT_SECRET = 'storm-jwt-secret-0123456789-abcdefgh';
const API_KEY = 'bk_storm_api_key_0123456789abcdef';
/** The default plan: $20 a month with $10 of included credit per paid invoice. */
const PLAN_CREDIT_CENTS = 1000;

export interface StormOptions {
  /** Paid top-up Checkout sessions. */
  topUps: number;
  /** Paid subscription Checkout sessions (one account each). */
  subscriptions: number;
  /** Share of events delivered a second time (0.3 = 30 %). */
  duplicateRate: number;
  /** Deliveries in flight at once, across both processes. */
  concurrency: number;
  /** The database both processes share (default: a temp libSQL file, removed afterwards). */
  dbUrl?: string;
  /**
   * True: the second process starts once the first listens (the storm alone is tested); default
   * false: both start at once and race through the migrations on the new database.
   */
  startOneByOne?: boolean;
  /**
   * After this long no new purchase, delivery or retry starts (requests in flight finish) and the
   * result says `timedOut`: a store that answers slowly fails the storm instead of stalling the suite.
   */
  timeLimitMs?: number;
}

export interface StormResult {
  events: number;
  deliveries: number;
  /** Deliveries answered non-2xx and sent again, as Stripe would. */
  redeliveries: number;
  /** Deliveries still refused after 5 attempts (the storm gives up on them). */
  undelivered: number;
  /** Answers with a 5xx status from either process, during the purchases and the storm. */
  serverErrors: number;
  /** Purchases that could not be made, with the answer (their amounts are not expected). */
  failedPurchases: string[];
  deliveriesPerProcess: [number, number];
  seconds: number;
  expectedCents: number;
  ledgerCents: number;
  /** Accounts whose balance differs from what they paid for. */
  wrongBalances: string[];
  audit: LedgerMismatch[];
  /** Events recorded as processed in `webhook_events` (each exactly once). */
  processedEvents: number;
  /** The time limit ended the storm before every purchase and delivery was made. */
  timedOut: boolean;
  /** Ledger equals the expected sum, every balance is right, and the audit is clean. */
  exact: boolean;
}

/** A top-up amount in dollars with cents, at least the $5 minimum, varied so sums are not round. */
function topUpAmount(i: number): number {
  return Number(`${5 + (i % 23)}.${String((i * 37) % 100).padStart(2, '0')}`);
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Runs `work` over `items` with at most `limit` in flight; none starts after `until` (epoch ms). */
async function inPool<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  until = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < until) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return next >= items.length;
}

export async function runWebhookStorm(options: StormOptions): Promise<StormResult> {
  const dir = options.dbUrl ? null : mkdtempSync(join(tmpdir(), 'billing-storm-'));
  const dbUrl = options.dbUrl ?? `file:${join(dir!, 'billing.db')}`;
  const emulator = await startEmulator();
  const servers: ServerProcess[] = [];
  try {
    const ports = [await freePort(), await freePort()];
    const env = (port: number) => ({
      PORT: String(port),
      BILLING_DB_URL: dbUrl,
      BILLING_PUBLIC_URL: `http://127.0.0.1:${port}`,
      STRIPE_API_BASE: emulator.url,
      BILLING_JWT_SECRET: JWT_SECRET,
      BILLING_API_KEY: API_KEY,
      BILLING_RATE_LIMIT_PER_MINUTE: '100000',
    });
    if (options.startOneByOne) {
      for (const port of ports) servers.push(await startServerProcess(env(port)));
    } else {
      // Started together: both apply migrations to the same new database at once.
      servers.push(...(await startServerProcesses(ports.map(env))));
    }

    // Expected balances by account key: each user pays for his own account, `user:<name>`.
    const expected = new Map<string, number>();
    const expect = (user: string, cents: number) =>
      expected.set(`user:${user}`, (expected.get(`user:${user}`) ?? 0) + cents);
    const token = (user: string) =>
      signTestToken({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
    let serverErrors = 0;
    const failedPurchases: string[] = [];
    /** Opens and pays a Checkout session; false (and the answer in failedPurchases) when refused. */
    const pay = async (server: ServerProcess, user: string, path: string, body: unknown) => {
      const res = await fetch(`${server.url}/api/billing/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token(user)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { redirect_url?: string };
      if (res.status >= 500) serverErrors++;
      if (res.status !== 200 || !answer.redirect_url) {
        failedPurchases.push(`${path} for ${user}: ${res.status} ${JSON.stringify(answer)}`);
        return false;
      }
      const sessionId = /cs_[A-Za-z0-9_]+/.exec(answer.redirect_url)![0];
      const done = await emulator.control(`/_emulator/checkout/sessions/${sessionId}/complete`, {
        card: '4242424242424242',
      });
      if (done.status !== 200) throw new Error(`completing ${sessionId}: ${JSON.stringify(done.body)}`);
      return true;
    };

    const topUpUsers = Math.max(1, Math.ceil(options.topUps / 8));
    const purchases = [
      ...Array.from({ length: options.topUps }, (_, i) => ({ kind: 'topup' as const, i })),
      ...Array.from({ length: options.subscriptions }, (_, i) => ({ kind: 'subscribe' as const, i })),
    ];
    const until = Date.now() + (options.timeLimitMs ?? Number.POSITIVE_INFINITY);
    const purchased = await inPool(
      purchases,
      8,
      async ({ kind, i }) => {
        const server = servers[i % 2]!;
        if (kind === 'topup') {
          const user = `storm_topup_${i % topUpUsers}`;
          const amount = topUpAmount(i);
          if (await pay(server, user, 'create-checkout-session', { amount })) {
            expect(user, Math.round(Number(amount) * 100));
          }
        } else {
          const user = `storm_sub_${i}`;
          if (await pay(server, user, 'subscription-checkout-session', {})) expect(user, PLAN_CREDIT_CENTS);
        }
      },
      until,
    );

    const events: Stripe.Event[] = [];
    for await (const event of emulator.stripe.events.list({ limit: 100 })) events.push(event);
    const payloads = events.map((event) => JSON.stringify(event));
    const duplicated = shuffle([...payloads.keys()]).slice(
      0,
      Math.round(payloads.length * options.duplicateRate),
    );
    const deliveries = shuffle([...payloads.keys(), ...duplicated]).map((index) => ({
      payload: payloads[index]!,
      server: Math.random() < 0.5 ? 0 : 1,
    }));

    const perProcess: [number, number] = [0, 0];
    let redeliveries = 0;
    let undelivered = 0;
    const started = performance.now();
    const delivered = await inPool(
      deliveries,
      options.concurrency,
      async (delivery) => {
        for (let attempt = 1; ; attempt++) {
          const target = servers[delivery.server]!;
          perProcess[delivery.server as 0 | 1]++;
          const res = await fetch(`${target.url}/api/billing/webhook`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'stripe-signature': signPayload(
                delivery.payload,
                EMULATOR_WEBHOOK_SECRET,
                Math.floor(Date.now() / 1000),
              ),
            },
            body: delivery.payload,
          });
          await res.arrayBuffer();
          if (res.status >= 500) serverErrors++;
          if (res.status === 200) return;
          if (attempt >= 5 || Date.now() >= until) {
            undelivered++;
            return;
          }
          redeliveries++;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      },
      until,
    );
    const seconds = (performance.now() - started) / 1000;

    const store = await openStore({ url: dbUrl });
    try {
      const sum = await store.sql.run('SELECT COALESCE(SUM(amount_cents), 0) AS s FROM ledger_entries');
      const balances = await store.sql.run('SELECT id, balance_cents FROM accounts');
      const processed = await store.sql.run(
        'SELECT COUNT(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL',
      );
      const actual = new Map(balances.rows.map((r) => [String(r.id), Number(r.balance_cents)]));
      const wrongBalances = [...new Set([...expected.keys(), ...actual.keys()])].filter(
        (id) => (expected.get(id) ?? 0) !== (actual.get(id) ?? 0),
      );
      const expectedCents = [...expected.values()].reduce((a, b) => a + b, 0);
      const ledgerCents = Number(sum.rows[0]!.s);
      const audit = await store.auditLedger();
      const processedEvents = Number(processed.rows[0]!.n);
      return {
        events: events.length,
        deliveries: deliveries.length,
        redeliveries,
        undelivered,
        serverErrors,
        failedPurchases,
        timedOut: !purchased || !delivered,
        deliveriesPerProcess: perProcess,
        seconds,
        expectedCents,
        ledgerCents,
        wrongBalances,
        audit,
        processedEvents,
        exact:
          purchased &&
          delivered &&
          ledgerCents === expectedCents &&
          wrongBalances.length === 0 &&
          audit.length === 0 &&
          processedEvents === events.length,
      };
    } finally {
      await store.close();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await emulator.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
