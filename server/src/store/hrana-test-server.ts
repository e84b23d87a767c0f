/**
 * The libSQL authors' Hrana test server (vendored in `../shared/vendor/hrana-test-server`, see its
 * SOURCE.md) as a child process, for tests of the remote store: it answers `@libsql/client` over
 * HTTP from a local SQLite file, the protocol sqld and Turso speak. Test support only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const VENDOR = fileURLToPath(new URL('../../../../shared/vendor/hrana-test-server/', import.meta.url));
/** Debian's interpreter: it sees the apt-installed aiohttp and protobuf (SOURCE.md). */
const PYTHON = process.env.HRANA_PYTHON ?? '/usr/bin/python3';

let availability: string | false | undefined;

/**
 * Why the test server cannot run here (a sentence for a skipped test), or false when it can:
 * the vendored server exists and Python has its modules.
 */
export function hranaUnavailable(): string | false {
  if (availability !== undefined) return availability;
  if (!existsSync(`${VENDOR}server_v2.py`)) {
    availability = `the Hrana test server is not at ${VENDOR} (../shared is absent)`;
  } else {
    const probe = spawnSync(PYTHON, ['-c', 'import aiohttp, google.protobuf'], { stdio: 'ignore' });
    availability =
      probe.status === 0
        ? false
        : `${PYTHON} lacks aiohttp or protobuf (apt-get install -y python3-aiohttp python3-protobuf)`;
  }
  return availability;
}

/** A running test server. */
export interface HranaTestServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts a test server on a free port, keeping its database in `dbFile`. */
export async function startHranaTestServer(dbFile: string): Promise<HranaTestServer> {
  const reason = hranaUnavailable();
  if (reason) throw new Error(reason);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, dbFile);
    } catch (err) {
      // Another process took the port between the probe and the bind: try another.
      if (attempt >= 3) throw err;
    }
  }
}

async function startOn(port: number, dbFile: string): Promise<HranaTestServer> {
  const child: ChildProcess = spawn(PYTHON, [`${VENDOR}server_v2.py`], {
    cwd: VENDOR,
    env: { ...process.env, PORT: String(port), PERSISTENT_DB: dbFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('Server is ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`Hrana test server exited: ${output.join('')}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

function freePort(): Promise<number> {
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
