/**
 * `usage_debits_per_s` and `usage_p99_ms`: the host backend's `POST /api/billing/usage` debits,
 * 64 in flight, each with its own idempotency key, against one server process on a local libSQL
 * file, for 10 s or 30,000 debits (after a 2 s warm-up); the accounts are funded first with
 * `/grants`. Afterwards the ledger must hold exactly what was acknowledged (`usage_ledger_exact`).
 * Then a second process joins on the same file and the same load is spread over both
 * (`two_process_usage_*`). Traffic stays on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type ServerProcess, startServerProcess } from '../server/test/server-process.ts';
import { fundUsers, runUsageDebits, type UsageRun, usageLedgerExact } from './usage-support.ts';

const API_KEY = 'bk_bench_usage_api_key_0123456789abcdef';
const USERS = Array.from({ length: 256 }, (_, i) => `usage_${i}`);
const GRANT_CENTS = 10_000_000;
const load = { apiKey: API_KEY, users: USERS, inFlight: 64, seconds: 10, maxDebits: 30_000 };

const dir = mkdtempSync(join(tmpdir(), 'bench-usage-'));
const dbUrl = `file:${join(dir, 'billing.db')}`;
const env = (port: number) => ({
  PORT: String(port),
  BILLING_DB_URL: dbUrl,
  // Nothing here calls Stripe; a closed port makes sure of it.
  STRIPE_API_BASE: 'http://127.0.0.1:9',
  BILLING_JWT_SECRET: 'bench-usage-jwt-secret-0123456789-abcdef',
  BILLING_API_KEY: API_KEY,
});
const servers: ServerProcess[] = [];
const row = (name: string, r: UsageRun) =>
  `| ${name} | ${r.debits} | ${r.seconds.toFixed(1)} | ${Math.round(r.perSecond)} | ${r.p50Ms} | ${r.p99Ms} | ${JSON.stringify(r.statuses)} |`;
try {
  servers.push(await startServerProcess(env(await freePort())));
  const one = [servers[0]!.url];
  const funding = await fundUsers(one[0]!, API_KEY, USERS, GRANT_CENTS, 'bench');
  if (funding.funded.length !== USERS.length) throw new Error(`funding failed: ${funding.lastRefusal}`);
  const runs: UsageRun[] = [];
  runs.push(await runUsageDebits({ ...load, targets: one, seconds: 2, runId: 'warm' }));
  const single = await runUsageDebits({ ...load, targets: one, runId: 'one' });
  runs.push(single);

  servers.push(await startServerProcess(env(await freePort())));
  const both = servers.map((s) => s.url);
  runs.push(await runUsageDebits({ ...load, targets: both, seconds: 2, runId: 'warm2' }));
  const pair = await runUsageDebits({ ...load, targets: both, runId: 'two' });
  runs.push(pair);
  const exact = await usageLedgerExact(dbUrl, USERS, GRANT_CENTS, runs);

  console.log(
    `POST /api/billing/usage, ${load.inFlight} in flight, distinct idempotency keys, ${USERS.length} funded accounts, one libSQL file`,
  );
  console.log(
    '| processes | debits (200) | seconds | debits/s | p50 ms | p99 ms | answers |\n|---|---|---|---|---|---|---|',
  );
  console.log(row('1', single));
  console.log(row('2 (same file)', pair));
  console.log(
    `ledger exact after every run (audit clean, balances = grants − acknowledged debits): ${exact}`,
  );
  console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
  console.log(`goal ≥ 3,000 debits/s with p99 < 50 ms (one process)`);
  const figure = (name: string, value: number, unit: string) =>
    console.log(JSON.stringify({ figure: name, value, unit }));
  figure('usage_debits_per_s', Math.round(single.perSecond), 'debits/s');
  figure('usage_p99_ms', single.p99Ms, 'ms');
  figure('usage_5xx', single.serverErrors + pair.serverErrors, 'answers');
  figure('usage_ledger_exact', exact ? 1 : 0, 'bool');
  figure('two_process_usage_debits_per_s', Math.round(pair.perSecond), 'debits/s');
  figure('two_process_usage_p99_ms', pair.p99Ms, 'ms');
  if (!exact) process.exitCode = 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
}
