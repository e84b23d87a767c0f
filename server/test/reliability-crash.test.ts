import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmulator } from '../../stripe-emulator/src/testing.ts';
import { EMULATOR_WEBHOOK_SECRET } from '../src/config.ts';
import { openStore } from '../src/store/open-store.ts';
import { signTestToken } from '../src/testing.ts';
import { freePort, startServerProcess } from './server-process.ts';
import { openTestDatabase } from './test-database.ts';

const JWT_SECRET = 'crash-test-jwt-secret-0123456789-abcd';
const SESSIONS = 30;

describe('kill -9 of the server while webhooks are in flight', () => {
  test("after a restart on the same address, Stripe's retries complete every payment exactly once", async () => {
    // A temp file, or under npm run test:remote a Hrana test server.
    const db = await openTestDatabase();
    const dbUrl = db.url;
    const port = await freePort();
    const emulator = await startEmulator({
      webhooks: [{ url: `http://127.0.0.1:${port}/api/billing/webhook`, secret: EMULATOR_WEBHOOK_SECRET }],
      // Retries keep coming long enough for the restart, as Stripe's do for days.
      webhookRetryDelaysMs: [100, 200, 400, 800],
      webhookMaxAttempts: 60,
    });
    const env = {
      PORT: String(port),
      BILLING_DB_URL: dbUrl,
      BILLING_PUBLIC_URL: `http://127.0.0.1:${port}`,
      STRIPE_API_BASE: emulator.url,
      BILLING_JWT_SECRET: JWT_SECRET,
      BILLING_API_KEY: 'bk_crash_test_api_key_0123456789',
      BILLING_RATE_LIMIT_PER_MINUTE: '100000',
    };
    const store = await openStore({ url: dbUrl });
    let server = await startServerProcess(env);
    try {
      const expected = new Map<string, number>();
      const redirects: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const user = `crash_${i % 6}`;
        const cents = 500 + i * 7;
        const token = signTestToken({ sub: user, exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);
        const res = await fetch(`${server.url}/api/billing/create-checkout-session`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ amount: cents / 100 }),
        });
        const body = (await res.json()) as { redirect_url: string };
        assert.equal(res.status, 200, JSON.stringify(body));
        redirects.push(body.redirect_url);
        expected.set(user, (expected.get(user) ?? 0) + cents);
      }
      // Slow Stripe reads keep each webhook in the server for a while.
      await emulator.control('/_emulator/faults', { latency_ms: 25 });
      for (const url of redirects) {
        const id = /cs_[A-Za-z0-9_]+/.exec(url)![0];
        const paid = await emulator.control(`/_emulator/checkout/sessions/${id}/complete`, {
          card: '4242424242424242',
        });
        assert.equal(paid.status, 200, JSON.stringify(paid.body));
      }
      const purchases = async () =>
        Number(
          (await store.sql.run("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'purchase'")).rows[0]!
            .n,
        );
      const deadline = Date.now() + 20_000;
      while ((await purchases()) < 3) {
        assert.ok(Date.now() < deadline, 'the server never started crediting');
        await new Promise((r) => setTimeout(r, 5));
      }
      await server.crash();
      const creditedAtCrash = await purchases();
      const pendingAtCrash = emulator.emu.webhooks.pendingCount();
      assert.ok(creditedAtCrash < SESSIONS, 'the crash came before every payment was credited');
      assert.ok(pendingAtCrash > 0, 'deliveries were still pending at the crash');

      await new Promise((r) => setTimeout(r, 300)); // some retries hit a closed port
      server = await startServerProcess(env);
      await emulator.emu.webhooks.drained(30_000);

      assert.equal(await purchases(), SESSIONS, 'every payment credited, each once');
      const rows = await store.sql.run(
        "SELECT COUNT(DISTINCT source_id) AS n FROM ledger_entries WHERE kind = 'purchase'",
      );
      assert.equal(Number(rows.rows[0]!.n), SESSIONS);
      for (const [user, cents] of expected) {
        const rs = await store.sql.run('SELECT balance_cents FROM accounts WHERE id = ?', [`user:${user}`]);
        assert.equal(Number(rs.rows[0]!.balance_cents), cents, user);
      }
      assert.deepEqual(await store.auditLedger(), []);
      const unprocessed = await store.sql.run(
        "SELECT COUNT(*) AS n FROM billing_sessions WHERE status <> 'completed'",
      );
      assert.equal(Number(unprocessed.rows[0]!.n), 0);
    } finally {
      await server.stop();
      await emulator.close();
      await store.close();
      await db.close();
    }
  });
});
