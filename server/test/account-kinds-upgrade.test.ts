import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type Client, createClient } from '@libsql/client';
import type Stripe from 'stripe';
import { applyMigrations, readMigrations } from '../src/store/migrations.ts';
import { invoiceServicePeriod } from '../src/stripe/subscription-period.ts';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const DAY = 86_400;
const AT = '2026-10-01T00:00:00.000Z';

/**
 * Objects created at Stripe before migration 003 carry the account's unprefixed id in
 * `metadata.account_id` (`dora`, not `user:dora`). The store is migrated at start; Stripe's objects
 * are not, and must still land on the migrated account.
 */
describe('Stripe objects from before the account kinds, after the store is migrated', () => {
  let h: BillingHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** A store at version 2, as the server of that version left it; `write` adds its rows. */
  async function legacyStore(dbUrl: string, write: (client: Client) => Promise<void>): Promise<void> {
    const client = createClient({ url: dbUrl });
    try {
      await applyMigrations(client, (await readMigrations()).slice(0, 2));
      await write(client);
    } finally {
      client.close();
    }
  }

  const rowsOf = async (sql: string, args: string[] = []) =>
    (await h!.store.sql.run(sql, args)).rows.map((row) => Object.values({ ...row }).map(String));

  test('a top-up opened before the migration and paid after it is credited to the migrated account, once', async () => {
    let session: Stripe.Checkout.Session | undefined;
    h = await startBillingHarness(
      {},
      {
        async beforeStoreOpens({ dbUrl, serverUrl, stripe }) {
          // What the server wrote then: the customer, the open session (metadata without a kind),
          // its row, and the welcome credit of an earlier card, keyed `welcome:dora`.
          const customer = await stripe.customers.create({ metadata: { account_id: 'dora' } });
          const metadata = { account_id: 'dora', user_id: 'dora', kind: 'topup' };
          session = await stripe.checkout.sessions.create({
            mode: 'payment',
            customer: customer.id,
            client_reference_id: 'dora',
            line_items: [
              {
                price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Credit top-up' } },
                quantity: 1,
              },
            ],
            metadata,
            payment_intent_data: { metadata },
            success_url: `${serverUrl}/api/billing/success?session_id={CHECKOUT_SESSION_ID}`,
            cancel_url: `${serverUrl}/api/billing/cancel?session_id={CHECKOUT_SESSION_ID}&ref=legacy-ref`,
          });
          await legacyStore(dbUrl, async (client) => {
            await client.execute({
              sql: `INSERT INTO accounts (id, stripe_customer_id, balance_cents, welcome_granted_at, created_at, updated_at)
                    VALUES ('dora', ?, 5000, ?, ?, ?)`,
              args: [customer.id, AT, AT, AT],
            });
            await client.execute({
              sql: `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, balance_after_cents, created_at)
                    VALUES ('le_1', 'dora', 5000, 'welcome', 'welcome:dora', 5000, ?)`,
              args: [AT],
            });
            await client.execute({
              sql: `INSERT INTO billing_sessions (id, account_id, user_id, status, billing_session_type, price_cents, return_url, cancel_ref, created_at, updated_at)
                    VALUES (?, 'dora', 'dora', 'in_progress', 'DIRECT_PAYMENT', 2500, ?, 'legacy-ref', ?, ?)`,
              args: [session!.id, `${HOST_ORIGIN}/billing`, AT, AT],
            });
          });
        },
      },
    );
    const paid = session!;
    assert.equal(paid.metadata?.account_id, 'dora');

    assert.equal((await h.completeCheckout(paid.url!)).status, 200);
    await h.webhooksDelivered();
    // This session's success link carries no ref, so the buyer lands on the default return page
    // (routes/callbacks.ts); the payment counts all the same.
    const back = await h.visit(`${h.url}/api/billing/success?session_id=${paid.id}`);
    assert.equal(back.status, 302, back.body);
    assert.equal(back.location, `${HOST_ORIGIN}/?checkout=success`);
    assert.equal((await h.visit(`${h.url}/api/billing/success?session_id=${paid.id}`)).status, 302);

    assert.equal(await balanceOf(h, 'dora'), 7500);
    assert.deepEqual(
      await rowsOf('SELECT account_id, kind, amount_cents, source_id FROM ledger_entries ORDER BY seq'),
      [
        ['user:dora', 'welcome', '5000', 'welcome:user:dora'],
        ['user:dora', 'purchase', '2500', paid.id],
      ],
    );
    assert.deepEqual(await rowsOf('SELECT id, account_id, status FROM billing_sessions'), [
      [paid.id, 'user:dora', 'completed'],
    ]);
    assert.deepEqual(await rowsOf('SELECT id FROM accounts'), [['user:dora']]);

    // A card saved now: the welcome credit was already granted before the migration, so not again.
    const setup = await h.api('POST', '/api/billing/create-customer-setup-session', {
      token: h.tokenFor('dora'),
      body: {},
    });
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    assert.equal((await h.completeCheckout(setup.body.redirect_url)).status, 200);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'dora'), 7500);
    const summary = await h.api('GET', '/api/billing/summary', { token: h.tokenFor('dora') });
    assert.equal(summary.body.has_payment_method, true);
  });

  /**
   * A harness whose store holds a subscription paid for its first period before the migration, by
   * `user` for the legacy account `account` (metadata without a kind); answers its id.
   */
  async function legacySubscription(account: string, user: string): Promise<string> {
    let subscriptionId = '';
    h = await startBillingHarness(
      {},
      {
        async beforeStoreOpens({ dbUrl, stripe }) {
          const customer = await stripe.customers.create({ metadata: { account_id: account } });
          const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
          await stripe.customers.update(customer.id, {
            invoice_settings: { default_payment_method: card.id },
          });
          const price = await stripe.prices.create({
            currency: 'usd',
            unit_amount: 2000,
            recurring: { interval: 'month' },
            product_data: { name: 'Pro' },
          });
          const subscription = await stripe.subscriptions.create({
            customer: customer.id,
            items: [{ price: price.id }],
            metadata: { account_id: account, user_id: user, plan_id: 'pro' },
          });
          subscriptionId = subscription.id;
          const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
          assert.equal(invoice.status, 'paid');
          const period = invoiceServicePeriod(invoice)!;
          const iso = (unix: number) => new Date(unix * 1000).toISOString();
          await legacyStore(dbUrl, async (client) => {
            await client.execute({
              sql: `INSERT INTO accounts (id, stripe_customer_id, balance_cents, default_payment_method_id, created_at, updated_at)
                    VALUES (?, ?, 1000, ?, ?, ?)`,
              args: [account, customer.id, card.id, AT, AT],
            });
            await client.execute({
              sql: `INSERT INTO ledger_entries (id, account_id, amount_cents, kind, source_id, balance_after_cents, created_at)
                    VALUES ('le_1', ?, 1000, 'subscription', ?, 1000, ?)`,
              args: [account, invoice.id, AT],
            });
            await client.execute({
              sql: `INSERT INTO subscriptions (stripe_subscription_id, account_id, user_id, plan_id, status, current_period_end, updated_at)
                    VALUES (?, ?, ?, 'pro', 'active', ?, ?)`,
              args: [subscription.id, account, user, iso(period.end), AT],
            });
            await client.execute({
              sql: `INSERT INTO subscription_access (id, account_id, user_id, status, start_at, end_at, created_at, stripe_subscription_id, stripe_invoice_payment_id)
                    VALUES ('sa_1', ?, ?, 'ACTIVE', ?, ?, ?, ?, ?)`,
              args: [account, user, iso(period.start), iso(period.end), AT, subscription.id, invoice.id],
            });
          });
        },
      },
    );
    return subscriptionId;
  }

  /** The summary for a fresh token (tokens are minted on the harness clock, which tests move). */
  const summary = async (user: string, claims: Record<string, unknown> = {}) => {
    const res = await h!.api('GET', '/api/billing/summary', { token: h!.tokenFor(user, claims) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  test('a renewal of an organisation’s subscription opened before the migration lands on the migrated account', async () => {
    // The organisation "acme", subscribed by its member zoe: migrated to `org:acme`.
    const subscriptionId = await legacySubscription('acme', 'zoe');
    const member = () => summary('zoe', { account: 'acme' });
    const before = await member();
    assert.equal(before.subscription.status, 'active');
    assert.equal(before.credits_cents, 1000);

    await h!.advance(32 * DAY);
    await h!.webhooksDelivered();

    const after = await member();
    assert.equal(after.credits_cents, 2000);
    assert.equal(after.subscription.status, 'active');
    assert.equal(after.subscription.stripe_subscription_id, subscriptionId);
    assert.deepEqual(await rowsOf('SELECT id FROM accounts ORDER BY id'), [['org:acme']]);
    assert.deepEqual(
      await rowsOf(
        'SELECT account_id, user_id, stripe_subscription_id FROM subscription_access ORDER BY start_at',
      ),
      [
        ['org:acme', 'zoe', subscriptionId],
        ['org:acme', 'zoe', subscriptionId],
      ],
    );
    assert.deepEqual(await rowsOf('SELECT account_id FROM subscriptions'), [['org:acme']]);
    // The user "acme" owns none of it.
    const user = await summary('acme');
    assert.equal(user.credits_cents, 0);
    assert.equal(user.subscription.status, 'none');
  });

  test('a legacy id that reads like a key ("org:x", a user) keeps its renewals; the organisation "x" gets none', async () => {
    // The user whose sub was "org:x": migrated to `user:org:x`, while Stripe still says "org:x".
    const subscriptionId = await legacySubscription('org:x', 'org:x');
    await h!.advance(32 * DAY);
    await h!.webhooksDelivered();

    const owner = await summary('org:x');
    assert.equal(owner.credits_cents, 2000);
    assert.equal(owner.subscription.stripe_subscription_id, subscriptionId);
    const organisation = await summary('someone', { account: 'x' });
    assert.equal(organisation.credits_cents, 0);
    assert.equal(organisation.subscription.status, 'none');
    assert.deepEqual(await rowsOf('SELECT id FROM accounts ORDER BY id'), [['user:org:x']]);
  });
});
