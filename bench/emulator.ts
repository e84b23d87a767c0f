/**
 * `npm run bench:emulator`: how many `customers.create` calls per second the Stripe emulator answers.
 * The emulator runs in memory as its own program (`stripe-emulator/src/main.ts`) in a child process;
 * this process drives it through the official SDK with 32 calls in flight on 127.0.0.1, for 10 s or
 * 20,000 calls, whichever comes first, then stops the child. Prints requests/s, p50/p99 and one
 * JSON line `{"figure":"emulator_customers_create_rps",…}`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Stripe from 'stripe';

const root = fileURLToPath(new URL('..', import.meta.url));
const IN_FLIGHT = 32;
const MAX_SECONDS = 10;
const MAX_CALLS = 20_000;
const WARM_UP_CALLS = 500;

export interface EmulatorBenchResult {
  calls: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** Starts the emulator program on a free port and answers its URL once it listens. */
async function startEmulatorProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'stripe-emulator/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      STRIPE_EMULATOR_PORT: '0',
      STRIPE_EMULATOR_DATA_DIR: '',
      STRIPE_EMULATOR_WEBHOOK_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+?)(,|$)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before listening`)));
  });
  return { child, url };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `calls` customers.create calls, IN_FLIGHT at a time, until the count or the deadline is reached. */
async function drive(stripe: Stripe, maxCalls: number, deadline: number) {
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const worker = async () => {
    while (started < maxCalls && Date.now() < deadline) {
      const n = started++;
      const t0 = performance.now();
      try {
        await stripe.customers.create({
          email: `bench${n}@example.com`,
          metadata: { account_id: `acct_${n}` },
        });
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { latencies, errors };
}

export async function benchEmulator(): Promise<EmulatorBenchResult> {
  const { child, url } = await startEmulatorProcess();
  try {
    const { hostname, port } = new URL(url);
    const stripe = new Stripe('sk_test_bench', {
      apiVersion: '2026-10-28.endive' as Stripe.LatestApiVersion,
      host: hostname,
      port: Number(port),
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
      httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }),
    });
    await drive(stripe, WARM_UP_CALLS, Date.now() + 5000);
    const t0 = performance.now();
    const { latencies, errors } = await drive(stripe, MAX_CALLS, Date.now() + MAX_SECONDS * 1000);
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      calls: latencies.length,
      errors,
      seconds,
      rps: Math.round(latencies.length / seconds),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchEmulator();
  console.log(
    `emulator customers.create via the SDK, ${IN_FLIGHT} in flight, in-memory emulator in a child process`,
  );
  console.log(`  calls       ${r.calls} in ${r.seconds.toFixed(2)} s (${r.errors} errors)`);
  console.log(`  requests/s  ${r.rps}`);
  console.log(`  p50 / p99   ${r.p50Ms} ms / ${r.p99Ms} ms`);
  console.log(JSON.stringify({ figure: 'emulator_customers_create_rps', value: r.rps, unit: 'req/s' }));
  if (r.errors > 0) process.exitCode = 1;
}
