/**
 * The billing server as its own operating-system process (`server/src/main.ts` under tsx), the
 * way it runs in production: reliability tests and the bench start two of them on one libSQL
 * file, or kill one with SIGKILL and start it again on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running `server/src/main.ts`. */
export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far (JSON log lines, crash output). */
  output: string[];
  /** SIGKILL: no shutdown handler runs, requests in flight are cut off. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server with `env` (on top of PATH and HOME only, so the caller's BILLING_* and
 * STRIPE_* never leak in) and resolves once it logs that it listens. `env.PORT` is required, so
 * a restarted process can take over the address a webhook endpoint points at.
 */
export async function startServerProcess(
  env: Record<string, string>,
  /** Extra flags for node itself, e.g. `--cpu-prof` (which NODE_OPTIONS does not take). */
  nodeFlags: string[] = [],
): Promise<ServerProcess> {
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('startServerProcess needs env.PORT');
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', 'server/src/main.ts'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      if (text.includes('"msg":"listening"')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exit.then(() => reject(new Error(`the server exited before listening: ${output.join('')}`)));
    // A start costs ~3 s of CPU (tsx compiles the server); with the suites of a CI run sharing two
    // cores it has taken over 20 s, so only a start that hangs for good fails here.
    setTimeout(
      () => reject(new Error(`the server did not listen within 60 s: ${output.join('')}`)),
      60_000,
    ).unref();
  });
  try {
    await listening;
  } catch (err) {
    if (!exited) child.kill('SIGKILL');
    throw err;
  }
  const pid = child.pid!;
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (!exited) child.kill(signal);
    await exit;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    output,
    crash: () => signalAndWait('SIGKILL'),
    stop: () => signalAndWait('SIGTERM'),
  };
}

/**
 * Starts one process per environment at the same moment (so they race through start-up, the
 * migrations included). When any fails, the ones that started are stopped before the error is thrown.
 */
export async function startServerProcesses(envs: Record<string, string>[]): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(envs.map((env) => startServerProcess(env)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  return servers;
}
