/**
 * `usage_summary_ms_1k_rows` and `usage_summary_ms_1m_rows` (README.md, "Performance and
 * reliability"): `GET /api/billing/usage-summary?days=30` over real HTTP for an account whose
 * ledger holds 1,000 and 1,000,000 usage rows (three features, spread evenly over the last two
 * years, so the 30-day window holds about 41 and 41,000 of them), beside another account's rows
 * of the same number interleaved through the table. Each account lives in its own store file
 * behind its own server in this process; the two are timed in alternating blocks. The answer is
 * checked against a plain SQL sum each time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import type { BillingStore } from '../server/src/store/store.ts';
import { signTestToken } from '../server/src/testing.ts';
import { median, p99, serveSeededStore } from './seeded-store-support.ts';

const USER = 'usage-user';
const ACCOUNT = `user:${USER}`;
const SIZES = [1_000, 1_000_000];
const SPREAD_DAYS = 730;
const BLOCKS = 10;
const ROUNDS_PER_BLOCK = 20;
const FUNDS = 1_000_000_000;
const JWT_SECRET = 'bench-usage-summary-jwt-secret-0123456789';

interface Side {
  rows: number;
  url: string;
  store: BillingStore;
  expectedCents: number;
  windowRows: number;
  times: number[];
}

/**
 * One grant, then `rows` usage debits of 1 ¢ for the account (and as many for another account,
 * interleaved), `occurred_at` stepping back evenly from now over two years, in one statement.
 */
function seedUsage(file: string, rows: number, nowMs: number): void {
  const db = new Database(file);
  const step = (SPREAD_DAYS * 86_400) / rows;
  const at = "'2026-01-01T00:00:00.000Z'";
  db.exec('BEGIN');
  for (const account of [ACCOUNT, 'user:other-account']) {
    db.prepare(
      `INSERT INTO accounts (id, balance_cents, created_at, updated_at) VALUES (?, ?, ${at}, ${at})`,
    ).run(account, FUNDS - rows);
    db.prepare(
      `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, balance_after_cents, created_at)
       VALUES (?, ?, ?, 'grant', ?, ?, ${at})`,
    ).run(`le_grant_${account}`, account, FUNDS, `grant:${account}`, FUNDS);
  }
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, feature, occurred_at, occurred_on, balance_after_cents, created_at)
     SELECT 'le_' || acct || '_' || i, acct, -1, 'usage', 'bench:' || acct || ':' || i,
            CASE i % 3 WHEN 0 THEN 'chat' WHEN 1 THEN 'images' ELSE 'embeddings' END,
            strftime('%Y-%m-%dT%H:%M:%fZ', ? - i * ?, 'unixepoch'), strftime('%Y-%m-%d', ? - i * ?, 'unixepoch'),
            ? - i, ${at}
     FROM n, (SELECT ? AS acct UNION ALL SELECT 'user:other-account') ORDER BY i`,
  ).run(rows, nowMs / 1000, step, nowMs / 1000, step, FUNDS, ACCOUNT);
  db.exec('COMMIT');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function startSide(dir: string, rows: number, nowMs: number): Promise<Side> {
  const { url, store } = await serveSeededStore(join(dir, `usage-${rows}.db`), JWT_SECRET, (file) =>
    seedUsage(file, rows, nowMs),
  );
  // The period's first day: 29 UTC days before today.
  const from = new Date((Math.floor(nowMs / 86_400_000) - 29) * 86_400_000);
  const check = await store.sql.run(
    `SELECT COUNT(*) AS n, -SUM(amount_cents) AS spent FROM ledger_entries
     WHERE account_id = ? AND kind = 'usage' AND occurred_at >= ?`,
    [ACCOUNT, from.toISOString()],
  );
  return {
    rows,
    url,
    store,
    expectedCents: Number(check.rows[0]!.spent),
    windowRows: Number(check.rows[0]!.n),
    times: [],
  };
}

const headers = {
  authorization: `Bearer ${signTestToken({ sub: USER, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET)}`,
};

/** One 30-day usage summary, checked, in milliseconds. */
async function readSummary(side: Side): Promise<number> {
  const t0 = performance.now();
  const body = (await fetch(`${side.url}/api/billing/usage-summary?days=30`, { headers }).then((r) =>
    r.json(),
  )) as { total_cents: number; daily: unknown[] };
  const ms = performance.now() - t0;
  // Rows may cross out of the window's first day while the bench runs; a day-boundary crossing is
  // not expected in a run of seconds, so the total must match the count taken at start.
  if (body.daily.length !== 30 || Math.abs(body.total_cents - side.expectedCents) > 0) {
    throw new Error(
      `wrong answer for the ${side.rows}-row account: ${body.total_cents} ≠ ${side.expectedCents}`,
    );
  }
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-usage-summary-'));
const sides: Side[] = [];
try {
  const nowMs = Date.now();
  const t0 = performance.now();
  for (const rows of SIZES) sides.push(await startSide(dir, rows, nowMs));
  const seedSeconds = (performance.now() - t0) / 1000;
  for (const side of sides) for (let i = 0; i < 20; i++) await readSummary(side); // warm-up
  for (let block = 0; block < BLOCKS; block++) {
    for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
      for (let i = 0; i < ROUNDS_PER_BLOCK; i++) side.times.push(await readSummary(side));
    }
  }
  console.log(
    `GET /usage-summary?days=30 over HTTP, ${BLOCKS * ROUNDS_PER_BLOCK} rounds per account in alternating blocks (seeded in ${seedSeconds.toFixed(1)} s)`,
  );
  console.log(
    '| usage rows of the account | rows in the 30-day window | median ms | p99 ms |\n|---|---|---|---|',
  );
  for (const side of sides) {
    console.log(
      `| ${side.rows.toLocaleString('en')} | ${side.windowRows.toLocaleString('en')} | ${median(side.times).toFixed(2)} | ${p99(side.times).toFixed(2)} |`,
    );
  }
  const [small, large] = sides as [Side, Side];
  console.log(
    JSON.stringify({
      figure: 'usage_summary_ms_1k_rows',
      value: Number(median(small.times).toFixed(2)),
      unit: 'ms',
    }),
  );
  console.log(
    JSON.stringify({
      figure: 'usage_summary_ms_1m_rows',
      value: Number(median(large.times).toFixed(2)),
      unit: 'ms',
    }),
  );
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const side of sides) await side.store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(process.exitCode ?? 0);
}
