/**
 * A scaled-out deployment on one machine: several `server/src/main.ts` processes on one database,
 * behind a load balancer (load-balancer.ts) that buyers, the host backend and the emulator's
 * webhooks all go through. With a remote database (a Hrana test server) it is the setup the
 * README's "Scaling out" promises: several servers in front of sqld or Turso.
 */
import type Stripe from 'stripe';
import { type RunningEmulator, startEmulator } from '../../stripe-emulator/src/testing.ts';
import { EMULATOR_WEBHOOK_SECRET } from '../src/config.ts';
import { openStore } from '../src/store/open-store.ts';
import type { LedgerMismatch } from '../src/store/records.ts';
import { signTestToken } from '../src/testing.ts';
import { type LoadBalancer, startLoadBalancer } from './load-balancer.ts';
import { startRemoteDatabase } from './remote-db.ts';
import { freePort, type ServerProcess, startServerProcess, startServerProcesses } from './server-process.ts';

export const PAIR_HOST_ORIGIN = 'http://app.example.test';
export const PAIR_API_KEY = 'bk_pair_api_key_0123456789abcdef';
const JWT_SECRET = 'pair-jwt-secret-0123456789-abcdefgh';

export interface PairAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  body: any;
}

export interface ServerPair {
  /** The balancer's address: the servers' public URL. */
  url: string;
  dbUrl: string;
  emulator: RunningEmulator;
  servers: ServerProcess[];
  balancer: LoadBalancer;
  tokenFor(user: string): string;
  /** A request through the balancer, with a user's token or (`apiKey`) as the host backend. */
  api(
    method: string,
    path: string,
    opts?: { token?: string; apiKey?: boolean; body?: unknown },
  ): Promise<PairAnswer>;
  /** A GET through the balancer that does not follow redirects (the browser back from Stripe). */
  visit(url: string): Promise<{ status: number; location: string | null; body: string }>;
  /** Pays a Checkout session as its hosted page would. */
  completeCheckout(redirectUrl: string): Promise<PairAnswer>;
  returnLinks(sessionId: string): Promise<{ success: string; cancel: string }>;
  /** Waits until the emulator has delivered every queued webhook (retries included). */
  webhooksDelivered(timeoutMs?: number): Promise<void>;
  /** Every account's balance in cents, read from the database, by account key. */
  balances(): Promise<Map<string, number>>;
  /** Accounts whose balance is not the sum of their ledger entries (empty: the books agree). */
  audit(): Promise<LedgerMismatch[]>;
  /** Runs a read on the database from outside the servers. */
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

export interface ServerPairOptions {
  /** Server processes behind the balancer (default 2). */
  processes?: number;
  /** The database every process uses (default: a fresh Hrana test server, stopped on close). */
  dbUrl?: string;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** False: the emulator delivers no webhooks (a bench posts events itself). Default true. */
  webhooks?: boolean;
  /**
   * True (the default): the processes start at the same moment and race through the migrations;
   * false: one after the other, for a bench that measures the running servers only.
   */
  startTogether?: boolean;
}

export async function startServerPair(options: ServerPairOptions = {}): Promise<ServerPair> {
  const remote = options.dbUrl ? null : await startRemoteDatabase();
  const dbUrl = options.dbUrl ?? remote!.url;
  const ports = await Promise.all(Array.from({ length: options.processes ?? 2 }, () => freePort()));
  const balancer = await startLoadBalancer(ports.map((port) => `http://127.0.0.1:${port}`));
  const emulator = await startEmulator({
    webhooks:
      options.webhooks === false
        ? []
        : [{ url: `${balancer.url}/api/billing/webhook`, secret: EMULATOR_WEBHOOK_SECRET }],
  });
  let servers: ServerProcess[] = [];
  const close = async () => {
    await emulator.close();
    await Promise.all(servers.map((s) => s.stop()));
    await balancer.close();
    await remote?.stop();
  };
  try {
    const envs = ports.map((port) => ({
      PORT: String(port),
      BILLING_DB_URL: dbUrl,
      BILLING_PUBLIC_URL: balancer.url,
      BILLING_ALLOWED_ORIGINS: `${PAIR_HOST_ORIGIN},${balancer.url}`,
      STRIPE_API_BASE: emulator.url,
      BILLING_JWT_SECRET: JWT_SECRET,
      BILLING_API_KEY: PAIR_API_KEY,
      BILLING_RATE_LIMIT_PER_MINUTE: '100000',
      BILLING_CALLBACK_RATE_LIMIT_PER_MINUTE: '100000',
      ...options.env,
    }));
    if (options.startTogether === false) {
      for (const env of envs) servers.push(await startServerProcess(env));
    } else {
      // Every process applies the migrations to the same new database at once.
      servers = await startServerProcesses(envs);
    }
  } catch (err) {
    await close();
    throw err;
  }

  const withStore = async <T>(read: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>) => {
    const store = await openStore({ url: dbUrl });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };
  const stripe: Stripe = emulator.stripe;

  return {
    url: balancer.url,
    dbUrl,
    emulator,
    servers,
    balancer,
    tokenFor: (user) =>
      signTestToken(
        { sub: user, email: `${user}@example.test`, exp: Math.floor(Date.now() / 1000) + 3600 },
        JWT_SECRET,
      ),
    async api(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.apiKey) headers.authorization = `Bearer ${PAIR_API_KEY}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${balancer.url}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: compared as text
      }
      return { status: res.status, body };
    },
    async visit(target) {
      const res = await fetch(target, { redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location'), body: await res.text() };
    },
    async completeCheckout(redirectUrl) {
      const id = /cs_[A-Za-z0-9_]+/.exec(redirectUrl)?.[0];
      if (!id) throw new Error(`no Checkout session id in ${redirectUrl}`);
      return emulator.control(`/_emulator/checkout/sessions/${id}/complete`, { card: '4242424242424242' });
    },
    async returnLinks(sessionId) {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      const fill = (link: string | null | undefined) =>
        (link ?? '').replace('{CHECKOUT_SESSION_ID}', sessionId);
      return { success: fill(session.success_url), cancel: fill(session.cancel_url) };
    },
    webhooksDelivered: (timeoutMs = 30_000) => emulator.emu.webhooks.drained(timeoutMs),
    balances: () =>
      withStore(async (store) => {
        const rs = await store.sql.run('SELECT id, balance_cents FROM accounts');
        return new Map(rs.rows.map((row) => [String(row.id), Number(row.balance_cents)]));
      }),
    audit: () => withStore((store) => store.auditLedger()),
    count: (sql) =>
      withStore(async (store) => Number(Object.values((await store.sql.run(sql)).rows[0] ?? {})[0])),
    close,
  };
}
