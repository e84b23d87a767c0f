/**
 * `ledger_scale_ratio` (a figure in README.md, "Performance and reliability"): what a page of widgets reads about an account, its
 * balance (`GET /credits`) and the first history page (`GET /transactions`), over real HTTP, for
 * an account with 1,000,000 ledger rows against one with 1,000 rows. Each account lives in its
 * own store file behind its own server in this process, and the two are timed in alternating
 * blocks, so a change in the machine's load during the run hits both sides alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import type { BillingStore } from '../server/src/store/store.ts';
import { signTestToken } from '../server/src/testing.ts';
import { median, p99, serveSeededStore } from './seeded-store-support.ts';

const USER = 'scale-user';
/** The user's own account, as the server keys it for a token without an `account` claim. */
const ACCOUNT = `user:${USER}`;
const SMALL = 1_000;
const LARGE = 1_000_000;
const BLOCKS = 20;
const ROUNDS_PER_BLOCK = 100;
const JWT_SECRET = 'bench-ledger-jwt-secret-0123456789-abcdef';

interface Side {
  rows: number;
  url: string;
  store: BillingStore;
  times: number[];
}

/**
 * Writes `rows` ledger rows for the account in one statement (a recursive CTE), each +1 cent with
 * `balance_after_cents` running on, so the ledger audits exactly; another account's rows are
 * interleaved so the account's rows are spread through the table as in real life.
 */
function seedLedger(file: string, rows: number): void {
  const db = new Database(file);
  db.exec('BEGIN');
  db.prepare(
    `INSERT INTO accounts (id, balance_cents, created_at, updated_at)
     VALUES (?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
            ('user:other-account', ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
  ).run(ACCOUNT, rows, rows);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, description, balance_after_cents, created_at)
     SELECT 'le_' || acct || '_' || i, acct, 1, 'grant', 'bench:' || acct || ':' || i, 'Bench grant', i, '2026-01-01T00:00:00.000Z'
     FROM n, (SELECT ? AS acct UNION ALL SELECT 'user:other-account') ORDER BY i`,
  ).run(rows, ACCOUNT);
  db.exec('COMMIT');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function startSide(dir: string, rows: number): Promise<Side> {
  const served = await serveSeededStore(join(dir, `ledger-${rows}.db`), JWT_SECRET, (file) =>
    seedLedger(file, rows),
  );
  return { rows, ...served, times: [] };
}

const headers = {
  authorization: `Bearer ${signTestToken({ sub: USER, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET)}`,
};

/** One balance read plus one first history page, checked, in milliseconds. */
async function readBoth(side: Side): Promise<number> {
  const t0 = performance.now();
  const [credits, page] = await Promise.all([
    fetch(`${side.url}/api/billing/credits`, { headers }).then(
      (r) => r.json() as Promise<{ credits: string }>,
    ),
    fetch(`${side.url}/api/billing/transactions?limit=20`, { headers }).then(
      (r) => r.json() as Promise<{ data: { balance_after_cents: number }[] }>,
    ),
  ]);
  const ms = performance.now() - t0;
  if (credits.credits !== (side.rows / 100).toFixed(2) || page.data[0]?.balance_after_cents !== side.rows) {
    throw new Error(`wrong answer for the ${side.rows}-row account`);
  }
  return ms;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const dir = mkdtempSync(join(tmpdir(), 'bench-ledger-'));
const sides: Side[] = [];
try {
  const t0 = performance.now();
  sides.push(await startSide(dir, SMALL), await startSide(dir, LARGE));
  const seedSeconds = (performance.now() - t0) / 1000;
  for (const side of sides) for (let i = 0; i < 300; i++) await readBoth(side); // warm-up
  for (let block = 0; block < BLOCKS; block++) {
    for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
      for (let i = 0; i < ROUNDS_PER_BLOCK; i++) side.times.push(await readBoth(side));
    }
  }
  const [small, large] = sides as [Side, Side];
  const ratio = median(large.times) / median(small.times);
  console.log(
    `Balance + first history page over HTTP, ${BLOCKS * ROUNDS_PER_BLOCK} rounds per account in alternating blocks (seeded in ${seedSeconds.toFixed(1)} s)`,
  );
  console.log('| ledger rows of the account | median ms | mean ms | p99 ms |\n|---|---|---|---|');
  for (const side of sides) {
    console.log(
      `| ${side.rows.toLocaleString('en')} | ${median(side.times).toFixed(3)} | ${mean(side.times).toFixed(3)} | ${p99(side.times).toFixed(2)} |`,
    );
  }
  console.log(
    `ratio of medians ${ratio.toFixed(3)} (goal ≤ 1.25); ratio of means ${(mean(large.times) / mean(small.times)).toFixed(3)}`,
  );
  console.log(
    JSON.stringify({ figure: 'ledger_scale_ratio', value: Number(ratio.toFixed(3)), unit: 'ratio' }),
  );
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const side of sides) await side.store.close();
  rmSync(dir, { recursive: true, force: true });
  // The two HTTP servers would keep the process alive; the figures are printed.
  process.exit(process.exitCode ?? 0);
}
