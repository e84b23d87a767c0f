import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/**
 * A user whose `sub` equals an organisation's `account` claim ("acme" both) must stay out of that
 * organisation's account, and its members out of his: balance, history, subscription, card, portal.
 */
describe('a user and an organisation with the same id are two accounts', () => {
  let h: BillingHarness;
  /** The user "acme" (no account claim) and a member of the organisation "acme". */
  let user: string;
  let member: string;
  let orgSubscription: string;

  const pay = async (token: string, path: string, body: unknown) => {
    const res = await h.api('POST', `/api/billing${path}`, { token, body });
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    return /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
  };
  const subscriptionOf = async (sessionId: string) =>
    String((await h.stripe.checkout.sessions.retrieve(sessionId)).subscription);

  before(async () => {
    h = await startBillingHarness();
    user = h.tokenFor('acme');
    member = h.tokenFor('zoe', { account: 'acme' });
    // Each side: a top-up and a saved card (welcome credit 50.00); the organisation subscribes
    // (10.00 included); usage reported by the host for each.
    await pay(member, '/create-checkout-session', { amount: 40, return_url: `${HOST_ORIGIN}/billing` });
    await pay(member, '/create-customer-setup-session', {});
    orgSubscription = await subscriptionOf(await pay(member, '/subscription-checkout-session', {}));
    await pay(user, '/create-checkout-session', { amount: 25, return_url: `${HOST_ORIGIN}/billing` });
    await pay(user, '/create-customer-setup-session', {});
    await h.webhooksDelivered();
    for (const [field, cents, key] of [
      ['account_id', 100, 'org-use'],
      ['user_id', 200, 'user-use'],
    ] as const) {
      const used = await h.api('POST', '/api/billing/usage', {
        token: API_KEY,
        body: { [field]: 'acme', amount: cents / 100, idempotency_key: key },
      });
      assert.equal(used.status, 200, JSON.stringify(used.body));
    }
  });
  after(async () => {
    await h.close();
  });

  /** Everything the widgets show for `token`. */
  const view = async (token: string) => {
    const [summary, transactions, access, hasCard] = await Promise.all([
      h.api('GET', '/api/billing/summary', { token }),
      h.api('GET', '/api/billing/transactions?limit=100', { token }),
      h.api('GET', '/api/billing/subscription-access', { token }),
      h.api('POST', '/api/billing/has-payment-method', { token }),
    ]);
    for (const res of [summary, transactions, access, hasCard]) assert.equal(res.status, 200);
    return {
      cents: summary.body.credits_cents as number,
      status: summary.body.subscription.status as string,
      subscription: summary.body.subscription.stripe_subscription_id as string | null,
      welcomeGranted: summary.body.welcome_granted as boolean,
      hasCard: hasCard.body as boolean,
      // Sorted: webhooks may credit in any order.
      history: (transactions.body.data as Array<{ kind: string; amount_cents: number }>)
        .map((e) => `${e.kind}:${e.amount_cents}`)
        .sort(),
      access: access.body?.stripe_subscription_id ?? null,
    };
  };
  const account = async (key: string) => {
    const res = await h.api('GET', `/api/billing/accounts/${key}`, { token: API_KEY });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  /** The customer behind a portal session the server opened for `token`. */
  const portalCustomer = async (token: string) => {
    const res = await h.api('POST', '/api/billing/portal-session', { token, body: {} });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const id = /bps_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    return h.emulator.emu.store
      .collection<{ id: string; object: string; customer: string }>('billing_portal_sessions')
      .get(id)?.customer;
  };

  test('the user "acme" sees only his own balance, history, card and portal, and no subscription', async () => {
    assert.deepEqual(await view(user), {
      cents: 2500 + 5000 - 200,
      status: 'none',
      subscription: null,
      welcomeGranted: true,
      hasCard: true,
      history: ['purchase:2500', 'usage:-200', 'welcome:5000'],
      access: null,
    });
    for (const path of ['/cancel-subscription', '/resume-subscription']) {
      const res = await h.api('POST', `/api/billing${path}`, { token: user });
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'no_active_subscription');
    }
    assert.equal((await h.stripe.subscriptions.retrieve(orgSubscription)).cancel_at_period_end, false);
    const own = await account('user:acme');
    assert.equal(own.id, 'user:acme');
    assert.equal(own.subscription.status, 'none');
    assert.equal(await portalCustomer(user), own.stripe_customer_id);
    assert.notEqual(own.stripe_customer_id, (await account('org:acme')).stripe_customer_id);
  });

  test('a member of the organisation "acme" sees only the organisation’s, even with sub "acme"', async () => {
    const expected = {
      cents: 4000 + 5000 + 1000 - 100,
      status: 'active',
      subscription: orgSubscription,
      welcomeGranted: true,
      hasCard: true,
      history: ['purchase:4000', 'subscription:1000', 'usage:-100', 'welcome:5000'],
      access: orgSubscription,
    };
    assert.deepEqual(await view(member), expected);
    assert.deepEqual(await view(h.tokenFor('acme', { account: 'acme' })), expected);
    const org = await account('org:acme');
    assert.equal(org.id, 'org:acme');
    assert.equal(org.balance_cents, expected.cents);
    assert.equal(await portalCustomer(member), org.stripe_customer_id);
  });

  test('the server API keeps them apart: a debit of the user never draws on the organisation', async () => {
    const before = [await account('user:acme'), await account('org:acme')].map((a) => a.balance_cents);
    const overdraw = await h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: 'acme', amount: (before[0] + 1) / 100, idempotency_key: 'user-overdraw' },
    });
    assert.equal(overdraw.status, 402);
    assert.deepEqual(
      [await account('user:acme'), await account('org:acme')].map((a) => a.balance_cents),
      before,
    );
    const bare = await h.api('GET', '/api/billing/accounts/acme', { token: API_KEY });
    assert.equal(bare.status, 400);
    assert.equal(bare.body.error.code, 'invalid_account_key');
  });

  test('the user subscribes beside the organisation; cancelling either leaves the other running', async () => {
    const userSubscription = await subscriptionOf(await pay(user, '/subscription-checkout-session', {}));
    await h.webhooksDelivered();
    assert.notEqual(userSubscription, orgSubscription);
    assert.equal((await view(user)).subscription, userSubscription);
    assert.equal((await view(member)).subscription, orgSubscription);

    const cancel = await h.api('POST', '/api/billing/cancel-subscription', { token: user });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.retrieve(userSubscription)).cancel_at_period_end, true);
    assert.equal((await h.stripe.subscriptions.retrieve(orgSubscription)).cancel_at_period_end, false);
    assert.equal((await view(user)).status, 'cancelling');
    assert.equal((await view(member)).status, 'active');

    const orgCancel = await h.api('POST', '/api/billing/cancel-subscription', { token: member });
    assert.equal(orgCancel.status, 200, JSON.stringify(orgCancel.body));
    const resume = await h.api('POST', '/api/billing/resume-subscription', { token: user });
    assert.equal(resume.status, 200, JSON.stringify(resume.body));
    await h.webhooksDelivered();
    assert.equal((await h.stripe.subscriptions.retrieve(userSubscription)).cancel_at_period_end, false);
    assert.equal((await h.stripe.subscriptions.retrieve(orgSubscription)).cancel_at_period_end, true);
    assert.equal((await view(user)).status, 'active');
    assert.equal((await view(member)).status, 'cancelling');
  });
});
