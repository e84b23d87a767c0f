import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type Client, createClient } from '@libsql/client';
import { dumpStore } from '../../../test/store-dump.ts';
import { createApp } from '../../app.ts';
import { ManualClock } from '../../clock.ts';
import { createStripeClient } from '../../stripe/client.ts';
import { signTestToken, TEST_JWT_SECRET, testConfig } from '../../testing.ts';
import { applyMigrations, readMigrations } from '../migrations.ts';
import { openStore } from '../open-store.ts';
import type { BillingStore } from '../store.ts';

const AT = '2026-10-01T00:00:00.000Z';
const SCHEMA =
  "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' ORDER BY name";

/**
 * A store at version 2 (ids without kinds), written the way the server wrote it then: accounts,
 * their ledgers with running balances, checkout sessions, access rows and subscription mirrors.
 */
class LegacyStore {
  private readonly balances = new Map<string, number>();
  private seq = 0;
  constructor(readonly client: Client) {}

  async account(id: string, customer: string | null, welcomed = false): Promise<void> {
    await this.client.execute({
      sql: `INSERT INTO accounts (id, stripe_customer_id, balance_cents, welcome_granted_at, created_at, updated_at)
            VALUES (?, ?, 0, ?, ?, ?)`,
      args: [id, customer, welcomed ? AT : null, AT, AT],
    });
    this.balances.set(id, 0);
  }

  async ledger(account: string, cents: number, kind: string, source: string): Promise<void> {
    const after = (this.balances.get(account) ?? 0) + cents;
    this.balances.set(account, after);
    await this.client.execute({
      sql: `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, balance_after_cents, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)`,
      args: [`le_${++this.seq}`, account, cents, kind, source, after, AT],
    });
    await this.client.execute({
      sql: 'UPDATE accounts SET balance_cents = ? WHERE id = ?',
      args: [after, account],
    });
  }

  async session(id: string, account: string, user: string, type: string, status: string): Promise<void> {
    await this.client.execute({
      sql: `INSERT INTO billing_sessions (id, account_id, user_id, status, billing_session_type, return_url, cancel_ref, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, 'https://host.example/', ?, ?, ?)`,
      args: [id, account, user, status, type, `ref_${id}`, AT, AT],
    });
  }

  async subscription(id: string, account: string, user: string | null): Promise<void> {
    await this.client.execute({
      sql: `INSERT INTO subscriptions (stripe_subscription_id, account_id, user_id, plan_id, status, current_period_end, updated_at)
            VALUES (?, ?, ?, 'pro', 'active', '2026-11-01T00:00:00.000Z', ?)`,
      args: [id, account, user, AT],
    });
    await this.client.execute({
      sql: `INSERT INTO subscription_access (id, account_id, user_id, status, start_at, end_at, created_at, stripe_subscription_id, stripe_invoice_payment_id)
            VALUES (?, ?, ?, 'ACTIVE', ?, '2026-11-01T00:00:00.000Z', ?, ?, ?)`,
      args: [`sa_${id}`, account, user, AT, AT, id, `in_${id}`],
    });
  }
}

describe('migration 003: account ids get their kind', () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'account-kinds-'));
    url = `file:${join(dir, 'billing.db')}`;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the version-2 store every test here starts from. */
  async function writeLegacyStore(): Promise<void> {
    const migrations = await readMigrations();
    assert.equal(migrations[2]?.name, '003_account_kinds.sql');
    const client = createClient({ url });
    try {
      await applyMigrations(client, migrations.slice(0, 2));
      const legacy = new LegacyStore(client);
      // A user on her own: a top-up, the welcome credit, some usage and a subscription.
      await legacy.account('alice', 'cus_alice', true);
      await legacy.session('cs_alice_topup', 'alice', 'alice', 'DIRECT_PAYMENT', 'completed');
      await legacy.session('cs_alice_setup', 'alice', 'alice', 'SETUP', 'completed');
      await legacy.ledger('alice', 2500, 'purchase', 'cs_alice_topup');
      await legacy.ledger('alice', 50, 'welcome', 'welcome:alice');
      await legacy.ledger('alice', -125, 'usage', 'api:job-1');
      await legacy.subscription('sub_alice', 'alice', 'alice');
      await legacy.ledger('alice', 1000, 'subscription', 'in_sub_alice');
      // An organisation: its members (not the org itself) open sessions and subscribe.
      await legacy.account('team', 'cus_team', true);
      await legacy.session('cs_team_topup', 'team', 'zoe', 'DIRECT_PAYMENT', 'completed');
      await legacy.session('cs_team_setup', 'team', 'yann', 'SETUP', 'completed');
      await legacy.ledger('team', 4000, 'purchase', 'cs_team_topup');
      await legacy.ledger('team', 50, 'welcome', 'welcome:team');
      await legacy.subscription('sub_team', 'team', 'yann');
      // The attack: the user "acme" and the organisation "acme" already share one account.
      await legacy.account('acme', 'cus_acme');
      await legacy.session('cs_acme_user', 'acme', 'acme', 'DIRECT_PAYMENT', 'completed');
      await legacy.session('cs_acme_member', 'acme', 'bob', 'DIRECT_PAYMENT', 'completed');
      await legacy.ledger('acme', 700, 'purchase', 'cs_acme_user');
      await legacy.ledger('acme', 300, 'purchase', 'cs_acme_member');
      // Ids that look like keys: `x` and `user:x` both exist, each with an open subscription
      // checkout (a partial unique index) and a welcome credit (a unique source id).
      await legacy.account('x', null, true);
      await legacy.session('cs_x_sub', 'x', 'x', 'MONTHLY_SUBSCRIPTION', 'in_progress');
      await legacy.ledger('x', 50, 'welcome', 'welcome:x');
      await legacy.account('user:x', null, true);
      await legacy.session('cs_userx_sub', 'user:x', 'user:x', 'MONTHLY_SUBSCRIPTION', 'in_progress');
      await legacy.ledger('user:x', 50, 'welcome', 'welcome:user:x');
      await legacy.account('org:x', null);
      await legacy.session('cs_orgx', 'org:x', 'org:x', 'SETUP', 'cancelled');
      // Only ever credited through the server API: nothing says whose it is.
      await legacy.account('api-only', null);
      await legacy.ledger('api-only', 900, 'grant', 'api:promo-1');
      // A subscription with no user on record says nothing about the kind either.
      await legacy.account('quiet', 'cus_quiet');
      await legacy.subscription('sub_quiet', 'quiet', null);
      await client.execute(
        "INSERT INTO webhook_events (id, type, received_at, processed_at) VALUES ('evt_1', 'invoice.paid', '2026-10-01', '2026-10-01')",
      );
    } finally {
      client.close();
    }
  }

  const rows = async (store: BillingStore, sql: string) =>
    (await store.sql.run(sql)).rows.map((row) => Object.values({ ...row }).map(String));

  test('every account id in every table gets its kind; balances still equal their ledgers', async () => {
    await writeLegacyStore();
    const legacy = createClient({ url });
    const legacySchema = (await legacy.execute(SCHEMA)).rows.map((row) =>
      Object.values({ ...row }).map(String),
    );
    legacy.close();
    const store = await openStore({ url });
    try {
      assert.deepEqual(
        await rows(store, 'SELECT id, balance_cents, stripe_customer_id FROM accounts ORDER BY id'),
        [
          ['org:acme', '1000', 'cus_acme'],
          ['org:team', '4050', 'cus_team'],
          ['user:alice', '3425', 'cus_alice'],
          ['user:api-only', '900', 'null'],
          ['user:org:x', '0', 'null'],
          ['user:quiet', '0', 'cus_quiet'],
          ['user:user:x', '50', 'null'],
          ['user:x', '50', 'null'],
        ],
      );
      assert.deepEqual(await store.auditLedger(), []);
      assert.deepEqual(
        await rows(
          store,
          'SELECT account_id, kind, source_id, amount_cents FROM ledger_entries ORDER BY seq',
        ),
        [
          ['user:alice', 'purchase', 'cs_alice_topup', '2500'],
          ['user:alice', 'welcome', 'welcome:user:alice', '50'],
          ['user:alice', 'usage', 'api:job-1', '-125'],
          ['user:alice', 'subscription', 'in_sub_alice', '1000'],
          ['org:team', 'purchase', 'cs_team_topup', '4000'],
          ['org:team', 'welcome', 'welcome:org:team', '50'],
          ['org:acme', 'purchase', 'cs_acme_user', '700'],
          ['org:acme', 'purchase', 'cs_acme_member', '300'],
          ['user:x', 'welcome', 'welcome:user:x', '50'],
          ['user:user:x', 'welcome', 'welcome:user:user:x', '50'],
          ['user:api-only', 'grant', 'api:promo-1', '900'],
        ],
      );
      assert.deepEqual(
        await rows(store, 'SELECT id, account_id, user_id, status FROM billing_sessions ORDER BY id'),
        [
          ['cs_acme_member', 'org:acme', 'bob', 'completed'],
          ['cs_acme_user', 'org:acme', 'acme', 'completed'],
          ['cs_alice_setup', 'user:alice', 'alice', 'completed'],
          ['cs_alice_topup', 'user:alice', 'alice', 'completed'],
          ['cs_orgx', 'user:org:x', 'org:x', 'cancelled'],
          ['cs_team_setup', 'org:team', 'yann', 'completed'],
          ['cs_team_topup', 'org:team', 'zoe', 'completed'],
          ['cs_userx_sub', 'user:user:x', 'user:x', 'in_progress'],
          ['cs_x_sub', 'user:x', 'x', 'in_progress'],
        ],
      );
      const subscriptionRows = [
        ['sub_alice', 'user:alice', 'alice'],
        ['sub_quiet', 'user:quiet', 'null'],
        ['sub_team', 'org:team', 'yann'],
      ];
      assert.deepEqual(
        await rows(store, 'SELECT stripe_subscription_id, account_id, user_id FROM subscriptions ORDER BY 1'),
        subscriptionRows,
      );
      assert.deepEqual(
        await rows(
          store,
          'SELECT stripe_subscription_id, account_id, user_id FROM subscription_access ORDER BY 1',
        ),
        subscriptionRows,
      );
      assert.deepEqual(await rows(store, 'SELECT id FROM webhook_events'), [['evt_1']]);
      assert.deepEqual(await rows(store, 'PRAGMA foreign_key_check'), []);
      assert.deepEqual(await rows(store, 'SELECT MAX(version) FROM schema_migrations'), [
        [String((await readMigrations()).at(-1)!.version)],
      ]);
      // Data only: what versions 1 and 2 built is unchanged (the ledger index dropped for speed is
      // back exactly as it was); later migrations only add objects.
      const legacyNames = new Set(legacySchema.map((row) => row[1]));
      assert.deepEqual(
        (await rows(store, SCHEMA)).filter((row) => legacyNames.has(row[1])),
        legacySchema,
      );
      // The helper table is gone, and the one-open-subscription-checkout index still holds.
      assert.deepEqual(await rows(store, "SELECT name FROM sqlite_temp_master WHERE type = 'table'"), []);
      await assert.rejects(
        store.sql.run(
          `INSERT INTO billing_sessions (id, account_id, user_id, status, billing_session_type, created_at, updated_at)
           VALUES ('cs_x_sub_2', 'user:x', 'x', 'in_progress', 'MONTHLY_SUBSCRIPTION', '${AT}', '${AT}')`,
        ),
        /UNIQUE constraint failed: billing_sessions\.account_id/,
      );
    } finally {
      await store.close();
    }
  });

  test('a second start changes nothing', async () => {
    await writeLegacyStore();
    const first = await openStore({ url });
    const migrated = await dumpStore(first);
    await first.close();
    const second = await openStore({ url });
    try {
      assert.equal(await dumpStore(second), migrated);
      assert.deepEqual(await second.auditLedger(), []);
    } finally {
      await second.close();
    }
  });

  test('what a token reaches afterwards: the merged "acme" account is the organisation’s, the user "acme" starts empty', async () => {
    await writeLegacyStore();
    const store = await openStore({ url });
    try {
      const config = testConfig({ BILLING_DB_URL: url });
      const clock = new ManualClock(new Date('2026-10-15T00:00:00.000Z'));
      const app = createApp({ store, stripe: createStripeClient(config), config, clock });
      const credits = async (claims: Record<string, string>) => {
        const exp = Math.floor(clock.now().getTime() / 1000) + 3600;
        const token = signTestToken({ ...claims, exp }, TEST_JWT_SECRET);
        const res = await app.request('/api/billing/credits', {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200);
        return ((await res.json()) as { credits: string }).credits;
      };
      assert.equal(await credits({ sub: 'bob', account: 'acme' }), '10.00');
      assert.equal(await credits({ sub: 'acme', account: 'acme' }), '10.00');
      assert.equal(await credits({ sub: 'acme' }), '0.00');
      assert.equal(await credits({ sub: 'alice' }), '34.25');
      assert.equal(await credits({ sub: 'zoe', account: 'team' }), '40.50');
      assert.equal(await credits({ sub: 'team' }), '0.00');
      assert.equal(await credits({ sub: 'x' }), '0.50');
      assert.equal(await credits({ sub: 'user:x' }), '0.50');
      assert.equal(await credits({ sub: 'org:x' }), '0.00');
      assert.equal(await credits({ sub: 'x', account: 'x' }), '0.00');
    } finally {
      await store.close();
    }
  });
});
