import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { signTestToken } from '../server/src/testing.ts';
import { remoteDatabaseUnavailable, startRemoteDatabase } from '../server/test/remote-db.ts';
import { freePort } from '../server/test/server-process.ts';
import { sdkFor } from '../stripe-emulator/src/testing.ts';

interface Started {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** Runs `npm start`'s script the way npm does, collecting its output. */
function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready in \d+ ms/.test(out)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${out}`)));
    // Generous: a start costs seconds of CPU, and a CI run shares two cores with other suites.
    setTimeout(() => reject(new Error(`npm start was not ready after 90 s:\n${out}`)), 90_000).unref();
  });
  return { child, output: () => out, ready, exited };
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode === null) s.child.kill('SIGTERM');
  await s.exited;
}

describe('npm start', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'billing-start-'));
    dirs.push(dir);
    return dir;
  };

  test('emulator + server + demo page; balance, dev secrets and Stripe state survive a restart', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const emulatorPort = await freePort();
    const env = { BILLING_DATA_DIR: dataDir, PORT: String(port), STRIPE_EMULATOR_PORT: String(emulatorPort) };
    const base = `http://127.0.0.1:${port}`;

    const first = start(env);
    try {
      await first.ready;
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Billing demo<\/title>/);
      const { token: demoToken } = (await (await fetch(`${base}/demo/token?user=zoe`)).json()) as {
        token: string;
      };
      const { BILLING_API_KEY, BILLING_JWT_SECRET } = JSON.parse(
        readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8'),
      );
      // What a host backend mints with the dev secret, as examples/host-backend does.
      const hostToken = signTestToken(
        { sub: 'zoe', exp: Math.floor(Date.now() / 1000) + 600 },
        BILLING_JWT_SECRET,
      );
      const grant = await fetch(`${base}/api/billing/grants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BILLING_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'zoe', amount: 12.5, idempotency_key: 'promo-1' }),
      });
      assert.equal(grant.status, 200, await grant.text());
      const customer = await sdkFor(`http://127.0.0.1:${emulatorPort}`).customers.create({
        email: 'zoe@example.test',
      });
      await stop(first);

      const second = start(env);
      try {
        await second.ready;
        // A host token minted before the restart still verifies: the dev secret was kept.
        const credits = await fetch(`${base}/api/billing/credits`, {
          headers: { authorization: `Bearer ${hostToken}` },
        });
        assert.deepEqual(await credits.json(), { credits: '12.50' });
        // A demo token is good only on the process that made it (the page asks for a new one).
        const stale = await fetch(`${base}/api/billing/credits`, {
          headers: { authorization: `Bearer ${demoToken}` },
        });
        assert.equal(stale.status, 401);
        const again = await sdkFor(`http://127.0.0.1:${emulatorPort}`).customers.retrieve(customer.id);
        assert.equal((again as { email: string }).email, 'zoe@example.test');
      } finally {
        await stop(second);
      }
    } finally {
      await stop(first);
    }
    assert.doesNotMatch(first.output(), /sk_test_|whsec_|eyJ/, 'no secret or token in the logs');
  });

  test('the banner names the data where it is: the file, or the remote database (no credentials)', async () => {
    const dataDir = tempDir();
    const local = start({
      BILLING_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      STRIPE_EMULATOR_PORT: String(await freePort()),
    });
    try {
      await local.ready;
      assert.match(
        local.output(),
        new RegExp(`Data: +${dataDir}/billing\\.db and ${dataDir}/stripe-emulator`),
      );
    } finally {
      await stop(local);
    }
    // The remote half needs the Hrana test server (../shared and Debian's python3-aiohttp).
    if (remoteDatabaseUnavailable()) return;
    const remote = await startRemoteDatabase();
    const s = start({
      BILLING_DATA_DIR: tempDir(),
      BILLING_DB_URL: remote.url,
      BILLING_DB_AUTH_TOKEN: 'a-remote-token-never-printed',
      PORT: String(await freePort()),
      STRIPE_EMULATOR_PORT: String(await freePort()),
    });
    try {
      await s.ready;
      assert.match(s.output(), new RegExp(`Data: +the remote database at ${remote.url}/? and `));
      assert.doesNotMatch(s.output(), /billing\.db|a-remote-token-never-printed/);
    } finally {
      await stop(s);
      await remote.stop();
    }
  });

  test('with Stripe keys: no emulator and no demo routes', async () => {
    const port = await freePort();
    const emulatorPort = await freePort();
    const s = start({
      BILLING_DATA_DIR: tempDir(),
      PORT: String(port),
      STRIPE_EMULATOR_PORT: String(emulatorPort),
      STRIPE_SECRET_KEY: 'sk_test_real_account_key',
      STRIPE_WEBHOOK_SECRET: 'whsec_real_account_secret',
      BILLING_API_KEY: 'bk_live_api_key_0123456789abcdef',
      BILLING_JWT_SECRET: 'a-host-backend-secret-of-32-chars-or-more',
    });
    try {
      await s.ready;
      assert.match(s.output(), /using real Stripe/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/demo/token?user=x`)).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
      await assert.rejects(fetch(`http://127.0.0.1:${emulatorPort}/v1/customers`));
    } finally {
      await stop(s);
    }
  });

  test('a port already in use stops the start with one sentence naming the variable', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const s = start({
        BILLING_DATA_DIR: tempDir(),
        PORT: String(port),
        STRIPE_EMULATOR_PORT: String(await freePort()),
      });
      assert.equal(await s.exited, 1);
      assert.match(s.output(), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*set PORT`));
      assert.doesNotMatch(s.output(), /EADDRINUSE|at Server/);
      await s.ready.catch(() => undefined);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  test('without Stripe keys off loopback the start is refused in one line: no demo mode in public', async () => {
    const offLoopback: Array<Record<string, string>> = [
      { BILLING_PUBLIC_URL: 'https://billing.example.com' },
      { HOST: '0.0.0.0' },
    ];
    for (const env of offLoopback) {
      const s = start({
        BILLING_DATA_DIR: tempDir(),
        PORT: String(await freePort()),
        STRIPE_EMULATOR_PORT: String(await freePort()),
        BILLING_JWT_SECRET: 'a-production-secret-of-32-characters-or-more',
        ...env,
      });
      assert.equal(await s.exited, 1);
      assert.match(s.output(), /^config: STRIPE_SECRET_KEY: required off loopback .+ only on 127\.0\.0\.1$/m);
      assert.doesNotMatch(s.output(), /demo\/token|ready in/);
      await s.ready.catch(() => undefined);
    }
  });

  test('a bad setting stops the start with one line naming the variable', async () => {
    const s = start({ BILLING_DATA_DIR: tempDir(), PORT: 'eighty', BILLING_CURRENCY: 'dollars' });
    const code = await s.exited;
    assert.equal(code, 1);
    assert.match(s.output(), /^config: PORT: .+$/m);
    assert.match(s.output(), /^config: BILLING_CURRENCY: .+$/m);
    await s.ready.catch(() => undefined);
  });
});
