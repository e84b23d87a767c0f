import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { type BillingHarness, balanceOf, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const nextYear = new Date().getUTCFullYear() + 1;

/**
 * On-page (embedded) Checkout through the real server, emulator and store: sessions opened with
 * `ui_mode: embedded`, paid in the emulator's frame (the page Stripe.js's stand-in mounts), and
 * closed with POST /close-checkout-session; and the card on file in /summary.
 */
describe('on-page Checkout and the card on file', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function start(user: string, path: string, body: Record<string, unknown>) {
    const res = await h.api('POST', `/api/billing/${path}`, {
      token: h.tokenFor(user),
      body: { return_url: `${HOST_ORIGIN}/billing`, ui_mode: 'embedded', ...body },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['client_secret', 'session_id']);
    return res.body as { client_secret: string; session_id: string };
  }

  /** Pays in the frame as a person would: the form the stand-in frames, posted with `card`. */
  async function payInFrame(secret: string, card = '4242 4242 4242 4242') {
    const frame = `${h.emulator.url}/c/embedded/${secret}?parent=${encodeURIComponent(HOST_ORIGIN)}`;
    return fetch(frame, {
      method: 'POST',
      body: new URLSearchParams({
        number: card,
        expiry: `12 / ${nextYear % 100}`,
        cvc: '123',
        email: 'a@b.test',
      }),
    });
  }

  const close = (user: string, session_id: unknown) =>
    h.api('POST', '/api/billing/close-checkout-session', { token: h.tokenFor(user), body: { session_id } });

  const summary = async (user: string) =>
    (await h.api('GET', '/api/billing/summary', { token: h.tokenFor(user) })).body;

  test('/config names the Stripe.js stand-in in emulator mode, and the emulator serves it there', async () => {
    const config = (await h.api('GET', '/api/billing/config')).body;
    assert.equal(config.stripe_js_url, `${h.emulator.url}/v3/stripe-stand-in.js`);
    assert.match(config.publishable_key, /^pk_test_/);
    const script = await fetch(config.stripe_js_url);
    assert.equal(script.status, 200);
    assert.match(await script.text(), /createEmbeddedCheckoutPage/);
  });

  test('a top-up paid on the page: a session for on-page use, paid in the frame, closed → credited once', async () => {
    const { client_secret, session_id } = await start('alice', 'create-checkout-session', { amount: 25 });
    const session = await h.stripe.checkout.sessions.retrieve(session_id);
    assert.equal(session.ui_mode, 'embedded_page');
    assert.equal(session.redirect_on_completion, 'never');
    assert.equal(session.url, null);
    assert.equal(session.success_url, null);
    assert.equal(session.client_secret, client_secret);

    const paid = await payInFrame(client_secret);
    assert.equal(paid.status, 200);
    // The element closes the session once Stripe.js reports completion; that records the payment.
    const closed = await close('alice', session_id);
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    assert.equal(closed.body.message, 'The checkout was completed.');
    assert.equal(await balanceOf(h, 'alice'), 2500);
    // The webhook arriving after changes nothing; closing again neither.
    await h.webhooksDelivered();
    assert.equal((await close('alice', session_id)).body.message, 'The checkout was completed.');
    assert.equal(await balanceOf(h, 'alice'), 2500);
  });

  test('closing before paying expires the session: it can no longer be paid, nothing is credited', async () => {
    const { client_secret, session_id } = await start('bob', 'create-checkout-session', { amount: 10 });
    const closed = await close('bob', session_id);
    assert.equal(closed.status, 200);
    assert.equal(closed.body.message, 'The checkout was closed.');
    assert.equal((await h.stripe.checkout.sessions.retrieve(session_id)).status, 'expired');
    assert.equal((await payInFrame(client_secret)).status, 410);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 0);
    const row = await h.store.billingSession(session_id);
    assert.equal(row?.status, 'cancelled');
  });

  test('a declined card leaves the session open and credits nothing; closing then expires it', async () => {
    const { client_secret, session_id } = await start('carl', 'create-checkout-session', { amount: 10 });
    const declined = await payInFrame(client_secret, '4000 0000 0000 0002');
    assert.equal(declined.status, 402);
    assert.match(await declined.text(), /declined/);
    assert.equal((await close('carl', session_id)).body.message, 'The checkout was closed.');
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'carl'), 0);
  });

  test("closing is refused for another account's session, an unknown one and a malformed body, changing nothing", async () => {
    const { session_id } = await start('dana', 'create-checkout-session', { amount: 10 });
    const before = await h.snapshot();
    const other = await close('eve', session_id);
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'checkout_session_not_found');
    assert.equal((await close('eve', 'cs_test_nothing')).status, 404);
    const bad = await close('eve', 42);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'session_id');
    assert.equal(
      (await h.api('POST', '/api/billing/close-checkout-session', { body: { session_id } })).status,
      401,
    );
    assert.deepEqual(await h.snapshot(), before);
    assert.equal((await h.stripe.checkout.sessions.retrieve(session_id)).status, 'open');
    const wrongMode = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('dana'),
      body: { amount: 10, ui_mode: 'popup' },
    });
    assert.equal(wrongMode.status, 400);
    assert.equal(wrongMode.body.error.field, 'ui_mode');
  });

  test('a card saved on the page shows in /summary as brand, last 4 and expiry, never more', async () => {
    assert.equal((await summary('fay')).payment_method, null);
    const { client_secret, session_id } = await start('fay', 'create-customer-setup-session', {});
    assert.equal((await payInFrame(client_secret, '5555 5555 5555 4444')).status, 200);
    assert.equal((await close('fay', session_id)).body.message, 'The checkout was completed.');
    const body = await summary('fay');
    assert.equal(body.has_payment_method, true);
    assert.deepEqual(body.payment_method, {
      brand: 'mastercard',
      last4: '4444',
      exp_month: 12,
      exp_year: nextYear,
    });
    assert.equal(body.welcome_granted, true);
  });

  test('the card a subscription checkout saved is the card on file (it used to say "Add a card")', async () => {
    const { client_secret, session_id } = await start('gus', 'subscription-checkout-session', {
      plan: 'pro',
    });
    assert.equal((await payInFrame(client_secret, '3782 822463 10005')).status, 200);
    await close('gus', session_id);
    await h.webhooksDelivered();
    const body = await summary('gus');
    assert.equal(body.subscription.status, 'active');
    assert.deepEqual(body.payment_method, {
      brand: 'amex',
      last4: '0005',
      exp_month: 12,
      exp_year: nextYear,
    });
    assert.equal(body.has_payment_method, true);
  });

  test('a default card changed at Stripe (the portal) reaches /summary by webhook, without asking Stripe', async () => {
    const { client_secret, session_id } = await start('hal', 'create-customer-setup-session', {});
    await payInFrame(client_secret);
    await close('hal', session_id);
    await h.webhooksDelivered();
    assert.equal((await summary('hal')).payment_method.last4, '4242');

    const customer = (await h.stripe.checkout.sessions.retrieve(session_id)).customer as string;
    const card = await h.stripe.paymentMethods.create({
      type: 'card',
      card: { number: '5555555555554444', exp_month: 3, exp_year: nextYear + 2, cvc: '123' },
    } as Stripe.PaymentMethodCreateParams);
    await h.stripe.paymentMethods.attach(card.id, { customer });
    await h.stripe.customers.update(customer, { invoice_settings: { default_payment_method: card.id } });
    await h.webhooksDelivered();
    assert.deepEqual((await summary('hal')).payment_method, {
      brand: 'mastercard',
      last4: '4444',
      exp_month: 3,
      exp_year: nextYear + 2,
    });

    // Every card removed: the summary says so.
    for (const method of (await h.stripe.customers.listPaymentMethods(customer)).data) {
      await h.stripe.paymentMethods.detach(method.id);
    }
    await h.webhooksDelivered();
    const after = await summary('hal');
    assert.equal(after.payment_method, null);
    assert.equal(after.has_payment_method, false);
  });

  test('redirect mode is unchanged: no ui_mode means a hosted page to go to', async () => {
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('ivy'),
      body: { amount: 10, return_url: `${HOST_ORIGIN}/billing`, ui_mode: 'redirect' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['redirect_url']);
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    const session = await h.stripe.checkout.sessions.retrieve(sessionId);
    assert.equal(session.ui_mode, 'hosted_page');
    assert.match(session.success_url!, /\/api\/billing\/success\?/);
  });
});
