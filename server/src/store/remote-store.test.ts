import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'libsql';
import { type RemoteDatabase, remoteDatabaseUnavailable, startRemoteDatabase } from '../../test/remote-db.ts';
import { readMigrations } from './migrations.ts';
import { openStore } from './open-store.ts';
import type { BillingStore } from './store.ts';

const unavailable = remoteDatabaseUnavailable();

describe('remote store on the Hrana test server', {
  skip: unavailable ? `skipped: ${unavailable}` : false,
}, () => {
  let dbFile: string;
  let server: RemoteDatabase;
  before(async () => {
    server = await startRemoteDatabase();
    dbFile = server.file;
  });
  after(async () => {
    await server?.stop();
  });

  test('two processes starting together on a new database apply each migration once', async () => {
    const [a, b] = await Promise.all([openStore({ url: server.url }), openStore({ url: server.url })]);
    try {
      assert.equal(a.kind, 'remote');
      const versions = await a.sql.run('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        versions.rows.map((r) => r.version),
        (await readMigrations()).map((m) => m.version),
      );
      assert.equal(await b.ping(), true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a first top-up while its customer's webhook arrives: both units commit, none waits on the other's round trips", async () => {
    // Two stores as two server processes; each unit of work is one batch, so neither holds the
    // write lock while the other's requests travel.
    const checkout = await openStore({ url: server.url });
    const webhooks = await openStore({ url: server.url });
    const now = new Date();
    try {
      const accounts = Array.from({ length: 12 }, (_, i) => `user:race_${i}`);
      const outcomes = await Promise.allSettled(
        accounts.flatMap((account, i) => [
          (async () => {
            const customer = await checkout.write(now, (unit) => {
              unit.ensureAccount(account);
              return unit.setCustomer(account, `cus_race_${i}`);
            });
            await checkout.write(now, (unit) =>
              unit.recordBillingSession({
                id: `cs_race_${i}`,
                accountId: account,
                userId: account.slice(5),
                type: 'DIRECT_PAYMENT',
                priceCents: 500,
                priceCode: null,
                returnUrl: 'https://host.example/billing',
                returnRef: `ref_race_${i}`.padEnd(22, 'x'),
              }),
            );
            return customer;
          })(),
          webhooks.write(now, (unit) => {
            unit.recordWebhookEvent(`evt_race_${i}`, 'customer.subscription.created');
            unit.ensureAccount(account);
            unit.mirrorSubscription({
              subscriptionId: `sub_race_${i}`,
              accountId: account,
              userId: account.slice(5),
              planId: 'pro',
              status: 'active',
              cancelAtPeriodEnd: false,
              currentPeriodEnd: null,
              endedAt: null,
              cancelledAt: null,
            });
            unit.creditLedger({ accountId: account, amountCents: 100, kind: 'grant', sourceId: `race_${i}` });
          }),
        ]),
      );
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      assert.deepEqual(failures, []);
      for (const [i, account] of accounts.entries()) {
        const row = await webhooks.account(account);
        assert.equal(row?.stripeCustomerId, `cus_race_${i}`);
        assert.equal(row?.balanceCents, 100);
        assert.equal((await checkout.billingSession(`cs_race_${i}`))?.status, 'in_progress');
      }
      assert.deepEqual(await checkout.auditLedger(), []);
    } finally {
      await checkout.close();
      await webhooks.close();
    }
  });

  test('a unit that meets a held write lock is sent again and commits once the lock is free', async () => {
    const store = await openStore({ url: server.url });
    // Another writer of the same database holds its write lock for 1.5 s, past the server's own
    // 1 s busy timeout, so the first batch answers SQLITE_BUSY.
    const holder = new Database(dbFile, { timeout: 5000 });
    try {
      holder.exec('BEGIN IMMEDIATE');
      const release = setTimeout(() => holder.exec('ROLLBACK'), 1500);
      const started = performance.now();
      const result = await store.write(new Date(), (unit) =>
        unit.creditLedger({ accountId: 'user:patient', amountCents: 700, kind: 'grant', sourceId: 'busy_1' }),
      );
      clearTimeout(release);
      assert.equal(result.applied, true);
      assert.ok(performance.now() - started >= 1400, 'it waited for the lock');
      assert.equal(await store.balance('user:patient'), 700);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await store.close();
    }
  });

  test('a lock held past the retry budget is a store error (503), and nothing was written', async () => {
    const store = await openStore({ url: server.url });
    const holder = new Database(dbFile, { timeout: 5000 });
    try {
      holder.exec('BEGIN IMMEDIATE');
      await assert.rejects(
        store.write(new Date(), (unit) =>
          unit.creditLedger({ accountId: 'user:blocked', amountCents: 1, kind: 'grant', sourceId: 'busy_2' }),
        ),
        (err: unknown) => (err as { code?: string }).code?.startsWith('SQLITE_BUSY') === true,
      );
      assert.equal(await store.ping(), false, 'readiness says so too');
      holder.exec('ROLLBACK');
      assert.equal(await store.ping(), true);
      assert.equal(await store.account('user:blocked'), null);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await store.close();
    }
  });

  test('readiness is false when the server is gone', async () => {
    const other = await startRemoteDatabase();
    const store: BillingStore = await openStore({ url: other.url });
    try {
      assert.equal(await store.ping(), true);
      await other.stop();
      assert.equal(await store.ping(), false);
      await assert.rejects(store.account('user:x'), { name: 'StoreError' });
    } finally {
      await store.close();
    }
  });
});
