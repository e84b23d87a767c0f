import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'libsql';
import { startEmulator } from '../../stripe-emulator/src/testing.ts';
import { freePort, startServerProcess } from './server-process.ts';

const API_KEY = 'bk_outage_test_api_key_0123456789';

// File only (scripts/test-remote.ts leaves it out): the outage is another process holding the
// SQLite file's write lock.
describe('the store becoming unavailable', () => {
  test('writes answer 503 and /readyz is false while another process holds the store; both recover without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'billing-outage-'));
    const file = join(dir, 'billing.db');
    const emulator = await startEmulator();
    const server = await startServerProcess({
      PORT: String(await freePort()),
      BILLING_DB_URL: `file:${file}`,
      STRIPE_API_BASE: emulator.url,
      BILLING_API_KEY: API_KEY,
      BILLING_JWT_SECRET: 'outage-test-jwt-secret-0123456789-abcdef',
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
      return { status: res.status, body: (await res.json()) as any };
    };
    const grant = (key: string) =>
      call('POST', '/api/billing/grants', { user_id: 'alice', amount: 5, idempotency_key: key });
    // Another process (a stuck maintenance job, a backup taking the write lock) holds the file.
    const blocker = new Database(file, { timeout: 0 });
    try {
      assert.equal((await grant('before')).status, 200);
      assert.equal((await call('GET', '/readyz')).status, 200);

      blocker.exec('BEGIN IMMEDIATE');
      const [write, ready, read] = await Promise.all([
        grant('during'),
        call('GET', '/readyz'),
        call('GET', '/api/billing/accounts/user:alice'),
      ]);
      assert.equal(write.status, 503, JSON.stringify(write.body));
      assert.equal(write.body.error.code, 'store_unavailable');
      assert.equal(ready.status, 503, JSON.stringify(ready.body));
      assert.equal(ready.body.error.code, 'store_unavailable');
      assert.equal(read.status, 200, 'reads keep working while writes are blocked');
      blocker.exec('ROLLBACK');

      // The same process, without a restart: ready again, and every write goes through.
      assert.equal((await call('GET', '/readyz')).status, 200);
      for (const key of ['after-1', 'after-2', 'after-3']) {
        const res = await grant(key);
        assert.equal(res.status, 200, `${key}: ${JSON.stringify(res.body)}`);
      }
      const account = await call('GET', '/api/billing/accounts/user:alice');
      assert.equal(account.body.balance_cents, 2000, 'the blocked grant left nothing; the others count once');
      assert.equal((await grant('during')).status, 200, 'the refused change can be retried');
      assert.equal((await call('GET', '/api/billing/accounts/user:alice')).body.balance_cents, 2500);
    } finally {
      blocker.close();
      await server.stop();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
