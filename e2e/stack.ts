/**
 * Starts and stops what the end-to-end flows run against: the `npm start` stack (Stripe emulator
 * plus billing server, `scripts/start.ts`) on free ports with a temp data dir, and the example host
 * backend serving the built React and Vue examples. Every process is started here and stopped by
 * its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../server/test/server-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The addresses and secrets the flows read (passed on to them as `E2E_*` variables). */
export interface StackInfo {
  billingUrl: string;
  emulatorUrl: string;
  hostUrl: string;
  dataDir: string;
  apiKey: string;
  jwtSecret: string;
}

export interface RunningStack extends StackInfo {
  stop(): Promise<void>;
}

/** Polls `url` until it answers 2xx; fails with the process's output after `ms`. */
async function waitFor(url: string, child: ChildProcess, output: string[], ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer (exit code ${child.exitCode}):\n${output.join('').slice(-4000)}`);
}

/** Spawns `tsx file` in the repository root, keeping its output for error messages. */
function spawnTsx(file: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  return { child, output };
}

/** SIGTERM to this one pid, SIGKILL if it has not exited after five seconds. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts the emulator + billing server (as `npm start` does) and the example host backend. */
export async function startStack(): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'billing-e2e-'));
  const [port, emulatorPort, hostPort] = [await freePort(), await freePort(), await freePort()];
  const billingUrl = `http://127.0.0.1:${port}`;
  const hostUrl = `http://127.0.0.1:${hostPort}`;
  const apiKey = `bk_e2e_${randomBytes(18).toString('base64url')}`;
  const jwtSecret = randomBytes(32).toString('base64url');
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const billing = spawnTsx('scripts/start.ts', {
      PORT: String(port),
      STRIPE_EMULATOR_PORT: String(emulatorPort),
      BILLING_DATA_DIR: dataDir,
      BILLING_API_KEY: apiKey,
      BILLING_JWT_SECRET: jwtSecret,
      // The demo page is the server's own origin; the React and Vue examples live on the host's.
      BILLING_ALLOWED_ORIGINS: `${billingUrl},${hostUrl}`,
      STRIPE_SECRET_KEY: '',
      STRIPE_WEBHOOK_SECRET: '',
    });
    children.push(billing.child);
    await waitFor(`${billingUrl}/readyz`, billing.child, billing.output);

    const host = spawnTsx('examples/host-backend/main.ts', {
      HOST_PORT: String(hostPort),
      BILLING_URL: billingUrl,
      BILLING_API_KEY: apiKey,
      BILLING_JWT_SECRET: jwtSecret,
    });
    children.push(host.child);
    await waitFor(`${hostUrl}/api/config`, host.child, host.output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    billingUrl,
    emulatorUrl: `http://127.0.0.1:${emulatorPort}`,
    hostUrl,
    dataDir,
    apiKey,
    jwtSecret,
    stop,
  };
}
