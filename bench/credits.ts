/**
 * `GET /credits` (JWT + store read) against a bare Hono route in the same run (a figure in README.md, "Performance and reliability"):
 * the server runs in one child process, autocannon (64 connections, 5 s per run, two alternating
 * rounds after a 2 s warm-up of each) in another, so neither measures the other. Prints a table and the `credits_rps_ratio` / `credits_p99_ms` figures,
 * and `credits_cpu_ratio`: the bare route's server CPU time per request over `/credits`'s (higher is
 * better, like the req/s ratio), which other load on the machine barely moves (req/s it moves a lot).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monotonicUs, type ProfileWindow, printProfile } from './cpu-profile.ts';
import { cpuMsOf, runAutocannon } from './load-support.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const CONNECTIONS = 64;
const SECONDS = 5;
/** Alternating rounds; each route's best round counts, so a burst of load from elsewhere on the machine does not decide the ratio. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** With `BENCH_PROFILE_DIR=/tmp/prof`, the server runs under `--cpu-prof` and the last rounds' profiles are printed. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU time per answered request, in µs: unlike req/s, barely moved by other load on the machine. */
  cpuMicros: number;
}

async function startServer(): Promise<{ child: ChildProcess; bare: string; billing: string; token: string }> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/credits-server.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, ...JSON.parse(first) };
}

async function load(
  serverPid: number,
  url: string,
  headers: string[] = [],
  seconds = SECONDS,
): Promise<LoadResult> {
  const cpuBefore = cpuMsOf(serverPid);
  const run = await runAutocannon(url, headers, CONNECTIONS, seconds);
  const cpuMicros = ((cpuMsOf(serverPid) - cpuBefore) * 1000) / Math.max(1, run.total);
  return { rps: run.rps, p99: run.p99, errors: run.errors, non2xx: run.non2xx, cpuMicros };
}

export async function benchCredits(): Promise<void> {
  const server = await startServer();
  try {
    const auth = [`Authorization=Bearer ${server.token}`];
    const pid = server.child.pid!;
    // A warm-up of each so the JIT and the token cache are in their steady state.
    await load(pid, server.bare, [], 2);
    await load(pid, server.billing, auth, 2);
    const bareRounds: LoadResult[] = [];
    const creditRounds: LoadResult[] = [];
    let lastBareRound: ProfileWindow | undefined;
    let lastCreditsRound: ProfileWindow | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const bareFrom = monotonicUs();
      bareRounds.push(await load(pid, server.bare));
      const creditsFrom = monotonicUs();
      creditRounds.push(await load(pid, server.billing, auth));
      lastBareRound = { fromUs: bareFrom, toUs: creditsFrom };
      lastCreditsRound = { fromUs: creditsFrom, toUs: monotonicUs() };
    }
    for (const r of [...bareRounds, ...creditRounds]) {
      if (r.non2xx > 0 || r.errors > 0)
        throw new Error(`failed requests: ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
    const best = (rounds: LoadResult[]) => rounds.reduce((a, b) => (b.rps > a.rps ? b : a));
    const bare = best(bareRounds);
    const credits = best(creditRounds);
    const ratio = credits.rps / bare.rps;
    console.log(
      `GET /credits vs a bare Hono route (${CONNECTIONS} connections, ${SECONDS} s each, best of ${ROUNDS} alternating rounds)`,
    );
    const list = (rounds: LoadResult[]) => rounds.map((r) => Math.round(r.rps)).join(', ');
    console.log(`rounds req/s: bare ${list(bareRounds)}; credits ${list(creditRounds)}`);
    console.log('| route | req/s | p99 ms |\n|---|---|---|');
    console.log(`| bare Hono route | ${Math.round(bare.rps)} | ${bare.p99} |`);
    console.log(
      `| GET /api/billing/credits (JWT + libSQL read) | ${Math.round(credits.rps)} | ${credits.p99} |`,
    );
    console.log(`ratio ${ratio.toFixed(3)} (goal ≥ 0.5), p99 ${credits.p99} ms (goal < 25)`);
    const cpu = (rounds: LoadResult[]) => Math.min(...rounds.map((r) => r.cpuMicros));
    // Like credits_rps_ratio, higher is better: the bare route's CPU per request over /credits's.
    const cpuRatio = cpu(bareRounds) / cpu(creditRounds);
    console.log(
      `server CPU per request: bare ${cpu(bareRounds).toFixed(1)} µs, /credits ${cpu(creditRounds).toFixed(1)} µs (ratio ${cpuRatio.toFixed(2)}, goal ≥ 0.6; 10 ms tick resolution)`,
    );
    console.log(
      JSON.stringify({ figure: 'credits_rps_ratio', value: Number(ratio.toFixed(3)), unit: 'ratio' }),
    );
    console.log(JSON.stringify({ figure: 'credits_p99_ms', value: credits.p99, unit: 'ms' }));
    if (Number.isFinite(cpuRatio)) {
      console.log(
        JSON.stringify({ figure: 'credits_cpu_ratio', value: Number(cpuRatio.toFixed(2)), unit: 'ratio' }),
      );
    }
    if (PROFILE_DIR) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
      printProfile(PROFILE_DIR, 'Where the server spent the last bare round', lastBareRound);
      printProfile(PROFILE_DIR, 'Where the server spent the last /credits round', lastCreditsRound);
    }
  } finally {
    server.child.kill('SIGTERM');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchCredits();
