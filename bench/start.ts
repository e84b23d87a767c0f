/**
 * `start_ready_ms` (a figure in README.md, "Performance and reliability"): `npm start` on a fresh data dir and free ports, from the
 * spawn until `GET /readyz` answers 200, then the whole process group started here is stopped.
 * The best of three runs, so a one-off disk or CPU stall on a shared machine does not decide it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../server/test/server-process.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 3;

async function startOnce(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const port = await freePort();
  const started = performance.now();
  // Its own process group, so npm, tsx and node stop together when the group is signalled.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      STRIPE_EMULATOR_PORT: String(await freePort()),
      BILLING_DATA_DIR: dir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`npm start exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - started;
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const times: number[] = [];
for (let i = 0; i < RUNS; i++) times.push(await startOnce());
const best = Math.round(Math.min(...times));
console.log('`npm start` on a fresh data dir until /readyz answers 200');
console.log(`| run | ms |\n|---|---|\n${times.map((t, i) => `| ${i + 1} | ${Math.round(t)} |`).join('\n')}`);
console.log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
console.log(JSON.stringify({ figure: 'start_ready_ms', value: best, unit: 'ms' }));
