import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('server/src/main.ts', () => {
  test('bad settings: one line per variable on stderr, exit 1', async () => {
    const run = startMain({ PORT: 'abc', BILLING_CURRENCY: 'dollars', STRIPE_SECRET_KEY: 'sk_test_x' });
    assert.equal(await run.exited, 1);
    const lines = run.stderr().trim().split('\n');
    const named = lines.map((l) => l.replace(/^config: /, '').split(':')[0]).sort();
    assert.deepEqual(named, [
      'BILLING_API_KEY',
      'BILLING_CURRENCY',
      'BILLING_JWT_SECRET',
      'PORT',
      'STRIPE_WEBHOOK_SECRET',
    ]);
  });

  test('starts, answers /healthz and /readyz, logs JSON without secrets, stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'billing-main-'));
    const jwtSecret = 'main-test-jwt-secret-0123456789-abcdef';
    const run = startMain({
      PORT: '0',
      BILLING_DATA_DIR: join(dir, 'nested'),
      BILLING_JWT_SECRET: jwtSecret,
    });
    try {
      const lines = createInterface({ input: run.child.stdout });
      const logged: string[] = [];
      const listening = await new Promise<{ url: string }>((resolve, reject) => {
        lines.on('line', (line) => {
          logged.push(line);
          const entry = JSON.parse(line);
          if (entry.msg === 'listening') resolve(entry);
        });
        run.exited.then((code) => reject(new Error(`exited ${code}: ${run.stderr()}`)));
      });
      assert.match(listening.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${listening.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${listening.url}/readyz`)).status, 200);
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
      const all = logged.join('\n');
      assert.ok(!all.includes(jwtSecret));
      assert.ok(logged.some((l) => JSON.parse(l).msg === 'request'));
    } finally {
      run.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
