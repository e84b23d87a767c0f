/**
 * The hot write path of a credits product, shared by bench/usage.ts (local file) and
 * bench/remote.ts (remote database): the host backend's `POST /api/billing/usage` debits, each
 * with its own idempotency key, a fixed number in flight over one or more server processes, then
 * a check that the ledger holds exactly what was acknowledged.
 */
import { Agent, request } from 'node:http';
import { openStore } from '../server/src/store/open-store.ts';

/** What a load run saw. Latencies are client-side, request sent to answer read, in ms. */
export interface UsageRun {
  /** Debits answered 200. */
  debits: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status (0: no answer, the connection failed). */
  statuses: Record<number, number>;
  /** Answers of 500 or more, plus requests that got no answer. */
  serverErrors: number;
  /** Cents acknowledged (200) per account key. */
  debitedCents: Map<string, number>;
}

export interface UsageLoad {
  /** Base URLs of the server processes; requests go round-robin. */
  targets: string[];
  apiKey: string;
  /** User ids whose own accounts (`user:<id>`) are debited in turn. */
  users: string[];
  inFlight: number;
  /** The run stops at whichever comes first. */
  seconds: number;
  maxDebits: number;
  /** Distinguishes the idempotency keys of separate runs on one database. */
  runId: string;
}

/** Answers status and body of one JSON POST with the API key (node:http: cheap for the load generator). */
function post(
  agent: Agent,
  url: URL,
  apiKey: string,
  payload: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const body = Buffer.from(JSON.stringify(payload));
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.once('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.once('error', (err) => resolve({ status: 0, body: String(err) }));
    req.end(body);
  });
}

/** The funded users, and the grants answered 5xx on the way (each retried, as a host backend would). */
export interface Funding {
  funded: string[];
  serverErrors: number;
  /** The last refusal, for the log. */
  lastRefusal?: string;
}

/**
 * Grants each user's account `cents` (once per `runId`, so a retry never grants twice), so the
 * debits never run out of funds. A refused grant is tried up to 5 times; a user still unfunded
 * is left out of `funded`, as is every user not reached before `until` (epoch ms).
 */
export async function fundUsers(
  target: string,
  apiKey: string,
  users: string[],
  cents: number,
  runId: string,
  until = Number.POSITIVE_INFINITY,
): Promise<Funding> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const funding: Funding = { funded: [], serverErrors: 0 };
  try {
    const url = new URL(`${target}/api/billing/grants`);
    let next = 0;
    const worker = async () => {
      while (next < users.length && Date.now() < until) {
        const user = users[next++]!;
        for (let attempt = 1; attempt <= 5 && Date.now() < until; attempt++) {
          const res = await post(agent, url, apiKey, {
            user_id: user,
            amount: cents / 100,
            idempotency_key: `fund-${runId}-${user}`,
          });
          if (res.status === 200) {
            funding.funded.push(user);
            break;
          }
          if (res.status >= 500 || res.status === 0) funding.serverErrors++;
          funding.lastRefusal = `${res.status} ${res.body}`;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return funding;
  } finally {
    agent.destroy();
  }
}

/** A debit of 1 to 99 cents, varied so sums are not round. */
const debitCents = (i: number) => 1 + ((i * 37) % 99);

export async function runUsageDebits(load: UsageLoad): Promise<UsageRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.inFlight });
  const urls = load.targets.map((t) => new URL(`${t}/api/billing/usage`));
  const statuses: Record<number, number> = {};
  const debitedCents = new Map<string, number>();
  const latencies: number[] = [];
  let issued = 0;
  let debits = 0;
  const started = performance.now();
  const stopAt = started + load.seconds * 1000;
  const worker = async () => {
    while (issued < load.maxDebits && performance.now() < stopAt) {
      const i = issued++;
      const user = load.users[i % load.users.length]!;
      const cents = debitCents(i);
      const sent = performance.now();
      const res = await post(agent, urls[i % urls.length]!, load.apiKey, {
        user_id: user,
        amount: cents / 100,
        idempotency_key: `usage-${load.runId}-${i}`,
      });
      latencies.push(performance.now() - sent);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) {
        debits++;
        debitedCents.set(`user:${user}`, (debitedCents.get(`user:${user}`) ?? 0) + cents);
      }
    }
  };
  await Promise.all(Array.from({ length: load.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500 || Number(status) === 0)
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    debits,
    seconds,
    perSecond: debits / seconds,
    p50Ms: Math.round(at(0.5) * 10) / 10,
    p99Ms: Math.round(at(0.99) * 10) / 10,
    statuses,
    serverErrors,
    debitedCents,
  };
}

/**
 * True when the database holds exactly what the runs acknowledged: every user's balance is
 * what was granted minus the debits answered 200, and the audit (each balance equals the sum of its
 * ledger rows) is clean. Prints what differs.
 */
export async function usageLedgerExact(
  dbUrl: string,
  users: string[],
  grantedCents: number,
  runs: UsageRun[],
): Promise<boolean> {
  const store = await openStore({ url: dbUrl });
  try {
    const audit = await store.auditLedger();
    const rs = await store.sql.run('SELECT id, balance_cents FROM accounts');
    const balances = new Map(rs.rows.map((row) => [String(row.id), Number(row.balance_cents)]));
    const wrong = users.filter((user) => {
      const debited = runs.reduce((sum, run) => sum + (run.debitedCents.get(`user:${user}`) ?? 0), 0);
      return balances.get(`user:${user}`) !== grantedCents - debited;
    });
    if (audit.length > 0) console.log(`audit: ${JSON.stringify(audit.slice(0, 5))}`);
    if (wrong.length > 0) console.log(`balances that differ from what was acknowledged: ${wrong.length}`);
    return audit.length === 0 && wrong.length === 0;
  } finally {
    await store.close();
  }
}
