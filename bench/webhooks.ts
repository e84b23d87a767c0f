/**
 * `webhook_events_per_s` (a figure in README.md, "Performance and reliability"): signed `checkout.session.completed` events posted to
 * one billing server process, each crediting its top-up exactly once. The sessions are real: made
 * through the server's API and paid in the emulator (which delivers nothing itself), because
 * fulfilment re-reads every session from Stripe. Only the ingest is timed; the ledger is checked
 * afterwards (one purchase row per session, balances equal to what was paid, audit clean).
 *
 * The timed path is the real one: each event's handling includes a GET of its Checkout session
 * over HTTP from the emulator, which runs in this process on the same two cores, so its CPU (and
 * the load generator's) competes with the server's; real Stripe answers from elsewhere. The CPU
 * each side spent per event is printed too: unlike events/s, it barely moves with other load.
 *
 * `BENCH_PROFILE_DIR=/tmp/prof node --import tsx bench/webhooks.ts` also runs the server under
 * `--cpu-prof` and prints where its CPU went (bench/cpu-profile.ts): what bounds the figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { openStore } from '../server/src/store/open-store.ts';
import { signTestToken } from '../server/src/testing.ts';
import { freePort, startServerProcess } from '../server/test/server-process.ts';
import { startEmulator } from '../stripe-emulator/src/testing.ts';
import { monotonicUs, type ProfileWindow, printProfile } from './cpu-profile.ts';
import { cpuMsOf, deliverSignedEvent, inPool } from './load-support.ts';

const EVENTS = 2000;
const IN_FLIGHT = 32;
const USERS = 50;
const JWT_SECRET = 'bench-webhooks-jwt-secret-0123456789-abc';
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
let ingest: ProfileWindow | undefined;

const dir = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
const dbUrl = `file:${join(dir, 'billing.db')}`;
const emulator = await startEmulator();
const port = await freePort();
const server = await startServerProcess(
  {
    PORT: String(port),
    BILLING_DB_URL: dbUrl,
    BILLING_PUBLIC_URL: `http://127.0.0.1:${port}`,
    STRIPE_API_BASE: emulator.url,
    BILLING_JWT_SECRET: JWT_SECRET,
    BILLING_RATE_LIMIT_PER_MINUTE: '1000000',
  },
  PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
);
try {
  const expected = new Map<string, number>();
  const tokens = new Map<string, string>();
  await inPool(
    Array.from({ length: EVENTS }, (_, i) => i),
    16,
    async (i) => {
      const user = `bench_${i % USERS}`;
      let token = tokens.get(user);
      if (!token) {
        token = signTestToken({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET);
        tokens.set(user, token);
      }
      const cents = 500 + (i % 97);
      const res = await fetch(`${server.url}/api/billing/create-checkout-session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: cents / 100 }),
      });
      const body = (await res.json()) as { redirect_url?: string };
      if (!body.redirect_url) throw new Error(`top-up ${i}: ${res.status} ${JSON.stringify(body)}`);
      const id = /cs_[A-Za-z0-9_]+/.exec(body.redirect_url)![0];
      const paid = await emulator.control(`/_emulator/checkout/sessions/${id}/complete`, {
        card: '4242424242424242',
      });
      if (paid.status !== 200) throw new Error(`paying ${id}: ${JSON.stringify(paid.body)}`);
      // Balances are read back by account key: the user's own account is `user:<sub>`.
      expected.set(`user:${user}`, (expected.get(`user:${user}`) ?? 0) + cents);
    },
  );
  const payloads: string[] = [];
  for await (const event of emulator.stripe.events.list({ type: 'checkout.session.completed', limit: 100 })) {
    payloads.push(JSON.stringify(event as Stripe.Event));
  }
  if (payloads.length !== EVENTS) throw new Error(`expected ${EVENTS} events, found ${payloads.length}`);

  let failures = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const webhookUrl = new URL(`${server.url}/api/billing/webhook`);
  const serverCpuBefore = cpuMsOf(server.pid);
  const ownCpuBefore = process.cpuUsage();
  const started = performance.now();
  const fromUs = monotonicUs();
  await inPool(payloads, IN_FLIGHT, async (payload) => {
    if ((await deliverSignedEvent(agent, webhookUrl, payload)) !== 200) failures++;
  });
  ingest = { fromUs, toUs: monotonicUs() };
  const seconds = (performance.now() - started) / 1000;
  const serverCpuMs = cpuMsOf(server.pid) - serverCpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const ownCpuMs = (ownCpu.user + ownCpu.system) / 1000;
  agent.destroy();

  const store = await openStore({ url: dbUrl });
  const purchases = await store.sql.run(
    "SELECT COUNT(*) AS n, COUNT(DISTINCT source_id) AS d FROM ledger_entries WHERE kind = 'purchase'",
  );
  const balances = await store.sql.run('SELECT id, balance_cents FROM accounts');
  const wrong = balances.rows.filter((r) => Number(r.balance_cents) !== (expected.get(String(r.id)) ?? 0));
  const audit = await store.auditLedger();
  await store.close();
  const credited = Number(purchases.rows[0]!.n);
  const exactlyOnce =
    failures === 0 &&
    credited === EVENTS &&
    Number(purchases.rows[0]!.d) === EVENTS &&
    wrong.length === 0 &&
    audit.length === 0;
  const rate = EVENTS / seconds;
  console.log(`Signed checkout.session.completed ingest, one server process, ${IN_FLIGHT} in flight`);
  console.log(
    '| events | seconds | events/s | non-200 | credited once | balances exact |\n|---|---|---|---|---|---|',
  );
  console.log(
    `| ${EVENTS} | ${seconds.toFixed(2)} | ${Math.round(rate)} | ${failures} | ${credited}/${EVENTS} | ${wrong.length === 0 && audit.length === 0} |`,
  );
  console.log(
    `CPU per event: server ${((1000 * serverCpuMs) / EVENTS).toFixed(0)} µs; this process (emulator answering the session reads + load generator) ${((1000 * ownCpuMs) / EVENTS).toFixed(0)} µs`,
  );
  console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
  console.log(`goal ≥ 1,000 events/s`);
  if (!exactlyOnce) throw new Error('the ingest did not credit every session exactly once');
  console.log(JSON.stringify({ figure: 'webhook_events_per_s', value: Math.round(rate), unit: 'events/s' }));
} finally {
  await server.stop();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
// The whole server process is profiled; the tables cover the timed ingest only.
if (PROFILE_DIR) printProfile(PROFILE_DIR, 'Where the server spent the ingest', ingest);
