/**
 * The local figures again for the remote store (`remote_*`): two `server/src/main.ts` processes on
 * one remote database, the libSQL authors' Hrana test server (server/test/remote-db.ts; the
 * protocol of sqld and Turso), everything on 127.0.0.1. Requests alternate between the processes.
 *
 * - `remote_webhook_events_per_s`: signed `checkout.session.completed` events for real paid
 *   sessions, 32 in flight, each posted once; `remote_webhook_5xx` and `remote_webhook_ledger_exact`.
 * - `remote_credits_rps` / `remote_credits_p99_ms`: `GET /credits` under autocannon, 32
 *   connections to each process for 5 s; `remote_credits_non2xx`.
 * - `remote_usage_debits_per_s` / `remote_usage_p99_ms`: `/usage` debits as in bench/usage.ts
 *   (64 in flight, distinct keys, 10 s or 10,000, over 64 accounts funded first);
 *   `remote_usage_5xx` (grants included), `remote_usage_ledger_exact`.
 *
 * Every phase is bounded in time (sessions 60 s, funding 30 s, loads 10 s), so a store that
 * refuses or stalls gives a short run with its 5xx counted.
 *
 * Failures are counted and printed, not thrown: a 5xx count is a result (the exit status is 1
 * only when a ledger is not exact or a part could not finish). The Hrana test server is
 * a single Python process (a 1 s busy timeout, one SQLite connection per stream), so these
 * figures show how our use of the protocol behaves, not what sqld or Turso would sustain.
 * Skipped, with one sentence, when the Hrana test server cannot run here.
 */
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import type Stripe from 'stripe';
import { openStore } from '../server/src/store/open-store.ts';
import { remoteDatabaseUnavailable } from '../server/test/remote-db.ts';
import { PAIR_API_KEY, type ServerPair, startServerPair } from '../server/test/server-pair.ts';
import { deliverSignedEvent, inPool, runAutocannon } from './load-support.ts';
import { fundUsers, runUsageDebits, type UsageRun, usageLedgerExact } from './usage-support.ts';

const SESSIONS = 300;
/** Opening and paying the sessions stops after this long (a store refusing them makes it slow). */
const SESSION_SETUP_MS = 60_000;
const IN_FLIGHT = 32;
const USAGE_USERS = Array.from({ length: 64 }, (_, i) => `remote_usage_${i}`);
/** Funding the accounts stops after this long (each refused grant is retried). */
const FUNDING_MS = 30_000;
const GRANT_CENTS = 10_000_000;

const figure = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ figure: name, value, unit }));

async function benchWebhooks(pair: ServerPair): Promise<void> {
  // Real paid sessions, opened through either process (the server re-reads each from Stripe).
  const expected = new Map<string, number>();
  const paidSessions = new Map<string, { account: string; cents: number }>();
  const openStatuses: Record<number, number> = {};
  await inPool(
    Array.from({ length: SESSIONS }, (_, i) => i),
    8,
    async (i) => {
      const user = `remote_hook_${i % 50}`;
      const cents = 500 + (i % 97);
      const res = await fetch(`${pair.servers[i % 2]!.url}/api/billing/create-checkout-session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pair.tokenFor(user)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: cents / 100 }),
      });
      const body = (await res.json()) as { redirect_url?: string };
      openStatuses[res.status] = (openStatuses[res.status] ?? 0) + 1;
      if (!body.redirect_url) return;
      const id = /cs_[A-Za-z0-9_]+/.exec(body.redirect_url)![0];
      const paid = await pair.completeCheckout(body.redirect_url);
      if (paid.status === 200) paidSessions.set(id, { account: `user:${user}`, cents });
    },
    Date.now() + SESSION_SETUP_MS,
  );
  const payloads: { session: string; payload: string }[] = [];
  for await (const event of pair.emulator.stripe.events.list({
    type: 'checkout.session.completed',
    limit: 100,
  })) {
    const session = (event as Stripe.CheckoutSessionCompletedEvent).data.object.id;
    if (paidSessions.has(session)) payloads.push({ session, payload: JSON.stringify(event) });
  }

  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const urls = pair.servers.map((s) => new URL(`${s.url}/api/billing/webhook`));
  const statuses: Record<number, number> = {};
  const started = performance.now();
  await inPool(payloads, IN_FLIGHT, async ({ session, payload }, i) => {
    const status = await deliverSignedEvent(agent, urls[i % urls.length]!, payload);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 200) {
      const { account, cents } = paidSessions.get(session)!;
      expected.set(account, (expected.get(account) ?? 0) + cents);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const acknowledged = statuses[200] ?? 0;

  const store = await openStore({ url: pair.dbUrl });
  let exact = false;
  try {
    const purchases = await store.sql.run("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'purchase'");
    const balances = await store.sql.run(
      "SELECT id, balance_cents FROM accounts WHERE id LIKE 'user:remote_hook_%'",
    );
    const wrong = balances.rows.filter((r) => Number(r.balance_cents) !== (expected.get(String(r.id)) ?? 0));
    const audit = await store.auditLedger();
    exact = Number(purchases.rows[0]!.n) === acknowledged && wrong.length === 0 && audit.length === 0;
  } finally {
    await store.close();
  }
  const serverErrors = Object.entries(statuses)
    .filter(([s]) => Number(s) >= 500 || Number(s) === 0)
    .reduce((sum, [, n]) => sum + n, 0);
  const openErrors = Object.entries(openStatuses)
    .filter(([s]) => Number(s) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `Signed checkout.session.completed ingest, two processes, one remote database, ${IN_FLIGHT} in flight`,
  );
  console.log(
    '| sessions opened (answers) | events posted | seconds | acknowledged/s | answers | ledger exact |',
  );
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ${JSON.stringify(openStatuses)} | ${payloads.length} | ${seconds.toFixed(2)} | ${Math.round(acknowledged / seconds)} | ${JSON.stringify(statuses)} | ${exact} |`,
  );
  figure('remote_webhook_events_per_s', Math.round(acknowledged / seconds), 'events/s');
  figure('remote_webhook_5xx', serverErrors, 'answers');
  figure('remote_checkout_5xx', openErrors, 'answers');
  figure('remote_webhook_ledger_exact', exact ? 1 : 0, 'bool');
  if (!exact) process.exitCode = 1;
}

async function benchCredits(pair: ServerPair): Promise<void> {
  const user = 'remote_credits_user';
  const funding = await fundUsers(
    pair.servers[0]!.url,
    PAIR_API_KEY,
    [user],
    1250,
    'credits',
    Date.now() + FUNDING_MS,
  );
  if (funding.funded.length === 0) throw new Error(`funding the reader failed: ${funding.lastRefusal}`);
  const auth = [`Authorization=Bearer ${pair.tokenFor(user)}`];
  const urls = pair.servers.map((s) => `${s.url}/api/billing/credits`);
  const both = (seconds: number) =>
    Promise.all(urls.map((url) => runAutocannon(url, auth, 64 / urls.length, seconds)));
  await both(2); // warm-up
  const runs = await both(5);
  const rps = runs.reduce((sum, r) => sum + r.rps, 0);
  const p99 = Math.max(...runs.map((r) => r.p99));
  const failed = runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  console.log('GET /api/billing/credits, 32 connections to each of two processes, 5 s, one remote database');
  console.log('| process | req/s | p99 ms | non-2xx + errors |\n|---|---|---|---|');
  runs.forEach((r, i) => {
    console.log(`| ${i + 1} | ${Math.round(r.rps)} | ${r.p99} | ${r.non2xx + r.errors} |`);
  });
  figure('remote_credits_rps', Math.round(rps), 'req/s');
  figure('remote_credits_p99_ms', p99, 'ms');
  figure('remote_credits_non2xx', failed, 'answers');
}

async function benchUsage(pair: ServerPair): Promise<void> {
  const targets = pair.servers.map((s) => s.url);
  const funding = await fundUsers(
    targets[0]!,
    PAIR_API_KEY,
    USAGE_USERS,
    GRANT_CENTS,
    'usage',
    Date.now() + FUNDING_MS,
  );
  const users = funding.funded;
  console.log(
    `funded ${users.length} of ${USAGE_USERS.length} accounts; ${funding.serverErrors} grants answered 5xx and were retried${funding.lastRefusal ? ` (last: ${funding.lastRefusal.slice(0, 200)})` : ''}`,
  );
  if (users.length === 0) {
    figure('remote_usage_5xx', funding.serverErrors, 'answers');
    throw new Error('no account could be funded, so no debit was sent');
  }
  const load = { targets, apiKey: PAIR_API_KEY, users, inFlight: 64, maxDebits: 10_000 };
  const runs: UsageRun[] = [await runUsageDebits({ ...load, seconds: 2, runId: 'warm' })];
  const run = await runUsageDebits({ ...load, seconds: 10, runId: 'main' });
  runs.push(run);
  const exact = await usageLedgerExact(pair.dbUrl, users, GRANT_CENTS, runs);
  console.log('POST /api/billing/usage, 64 in flight over two processes, distinct keys, one remote database');
  console.log('| debits (200) | seconds | debits/s | p50 ms | p99 ms | answers | ledger exact |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${run.debits} | ${run.seconds.toFixed(1)} | ${Math.round(run.perSecond)} | ${run.p50Ms} | ${run.p99Ms} | ${JSON.stringify(run.statuses)} | ${exact} |`,
  );
  figure('remote_usage_debits_per_s', Math.round(run.perSecond), 'debits/s');
  figure('remote_usage_p99_ms', run.p99Ms, 'ms');
  figure(
    'remote_usage_5xx',
    funding.serverErrors + runs.reduce((sum, r) => sum + r.serverErrors, 0),
    'answers',
  );
  figure('remote_usage_ledger_exact', exact ? 1 : 0, 'bool');
  if (!exact) process.exitCode = 1;
}

const unavailable = remoteDatabaseUnavailable();
if (unavailable) {
  console.log(`bench/remote.ts: ${unavailable}`);
} else {
  // One after the other: this measures the running servers; the start-up race is a test's job
  // (server/test/remote-two-processes.remote-test.ts).
  const pair = await startServerPair({ webhooks: false, startTogether: false });
  try {
    for (const part of [benchWebhooks, benchCredits, benchUsage]) {
      try {
        await part(pair);
      } catch (err) {
        // A part that cannot finish is reported, and the others still run.
        console.log(`${part.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      }
    }
    console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await pair.close();
  }
}
