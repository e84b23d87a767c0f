/**
 * A remote libSQL database for tests and benches: the libSQL authors' Hrana test server
 * (`../shared/vendor/hrana-test-server/server_v2.py`, beside this repository's checkout) as a
 * child process on 127.0.0.1, answering `@libsql/client` over HTTP from a SQLite file of its own,
 * the protocol sqld and Turso speak. One server serves one database, so each caller gets a fresh
 * server on a fresh file, and `stop()` ends only that process.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The repository is checked out beside `shared/` (locally and in CI). */
export const HRANA_SERVER_DIR = resolve(ROOT, '../shared/vendor/hrana-test-server');
/** Debian's interpreter, which sees the apt-installed aiohttp and protobuf. */
const PYTHON = '/usr/bin/python3';
const READY_WITHIN_MS = 20_000;
/**
 * Runs server_v2.py so that it ends with the process that started it, however that one ends
 * (SIGKILL, or a test runner's SIGTERM, which runs no exit handler): Linux's parent-death signal.
 */
const LAUNCHER = `
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: stop() and the exit hook still end it
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)  # the parent was already gone
sys.argv = ['server_v2.py']
runpy.run_path('server_v2.py', run_name='__main__')
`;

/** A running Hrana test server with its own database file. */
export interface RemoteDatabase {
  /** `http://127.0.0.1:PORT`, for `BILLING_DB_URL` or `createClient({ url })`. */
  url: string;
  /** The SQLite file behind it (for a test that wants to look, never to write). */
  file: string;
  pid: number;
  /** Ends the server (SIGTERM, SIGKILL after 3 s) and removes its file. */
  stop(): Promise<void>;
}

let unavailable: string | null | undefined;

/**
 * Why no Hrana test server can start on this machine, as one sentence, or null when one can.
 * Checked once per process.
 */
export function remoteDatabaseUnavailable(): string | null {
  if (unavailable !== undefined) return unavailable;
  if (!existsSync(join(HRANA_SERVER_DIR, 'server_v2.py'))) {
    unavailable = `No Hrana test server at ${HRANA_SERVER_DIR} (this checkout has no ../shared beside it), so the remote-database step is skipped.`;
  } else if (spawnSync(PYTHON, ['-c', 'import aiohttp, google.protobuf'], { stdio: 'ignore' }).status !== 0) {
    unavailable = `${PYTHON} cannot import aiohttp and protobuf (apt-get install -y python3-aiohttp python3-protobuf), so the remote-database step is skipped.`;
  } else {
    unavailable = null;
  }
  return unavailable;
}

/** Starts a Hrana test server on a free port with an empty database; resolves once it listens. */
export async function startRemoteDatabase(): Promise<RemoteDatabase> {
  const reason = remoteDatabaseUnavailable();
  if (reason) throw new Error(reason);
  // The free port can be taken between the probe and the bind; another one is tried then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
    }
  }
}

async function startOnce(port: number): Promise<RemoteDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-hrana-'));
  const file = join(dir, 'remote.db');
  // The server logs every request (aiohttp's access log) to stderr: a file needs no draining and
  // holds no handle that would keep a test process alive.
  const log = join(dir, 'server.log');
  const logFd = openSync(log, 'w');
  const child: ChildProcess = spawn(PYTHON, ['-c', LAUNCHER, String(process.pid)], {
    cwd: HRANA_SERVER_DIR,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), PERSISTENT_DB: file, LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  child.unref();
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exit = new Promise<void>((done) => child.once('exit', () => done()));
  const tail = () => {
    try {
      return readFileSync(log, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // so this process waits for the exit
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(force);
    }
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!tail().includes('Server is ready')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const output = tail();
      await stop();
      throw new Error(
        child.exitCode !== null
          ? `the Hrana test server exited before it was ready: ${output}`
          : `the Hrana test server was not ready within ${READY_WITHIN_MS} ms: ${output}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `http://127.0.0.1:${port}`, file, pid: child.pid!, stop };
}
