/**
 * `npm run test:remote`: the server's flow, reliability and security tests (`server/test/*.test.ts`)
 * once more with `BILLING_TEST_DB=remote`, each harness on its own Hrana test server (the remote
 * protocol of sqld and Turso; server/test/remote-db.ts), plus the two-process tests that run only
 * in this mode (`*.remote-test.ts`), minus the files that are about the local file alone
 * (FILE_ONLY). When the Hrana test server cannot run here (no ../shared beside the checkout, or
 * Python without aiohttp/protobuf) it says why in one sentence and exits 0.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { remoteDatabaseUnavailable } from '../server/test/remote-db.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const reason = remoteDatabaseUnavailable();
if (reason) {
  console.log(`test:remote: ${reason}`);
  process.exit(0);
}
/** Files whose subject is the local SQLite file (or no store at all), with the reason. */
const FILE_ONLY: Record<string, string> = {
  'reliability-store-outage.test.ts': "another process holding the SQLite file's write lock",
  'reliability-storm.test.ts':
    'its remote twin, with no 5xx allowed, is in remote-two-processes.remote-test.ts',
  'security-slow-bodies.test.ts': 'the bodies are refused before anything reaches the store',
};

const files = readdirSync(new URL('../server/test/', import.meta.url))
  .filter((name) => (name.endsWith('.test.ts') || name.endsWith('.remote-test.ts')) && !(name in FILE_ONLY))
  .sort()
  .map((name) => `server/test/${name}`);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    // A backstop for a store that stalls a request for good: node applies it to each test file as
    // a whole as well as to each test, so it sits above the slowest file's run.
    '--test-timeout=600000',
    '--test-force-exit',
    ...process.argv.slice(2),
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, BILLING_TEST_DB: 'remote' } },
);
child.once('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
