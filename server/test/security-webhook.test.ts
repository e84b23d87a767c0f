import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { signPayload } from '../../stripe-emulator/src/webhooks.ts';
import { type BillingHarness, balanceOf, startBillingHarness } from './harness.ts';
import { dumpStore } from './store-dump.ts';

describe('webhook tampering and replay', () => {
  let h: BillingHarness;
  let completed: Stripe.Event;
  beforeEach(async () => {
    h = await startBillingHarness();
    await h.emulator.emu.webhooks.close(); // the tests deliver (or forge) every event themselves
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('alice'),
      body: { amount: 20 },
    });
    assert.equal((await h.completeCheckout(res.body.redirect_url)).status, 200);
    const events = await h.stripe.events.list({ type: 'checkout.session.completed', limit: 1 });
    completed = events.data[0]!;
  });
  afterEach(async () => {
    await h.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const deliver = async (payload: string, signature: string | null) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['stripe-signature'] = signature;
    const res = await fetch(`${h.url}/api/billing/webhook`, { method: 'POST', headers, body: payload });
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const secret = () => h.config.stripeWebhookSecret;

  test('tampered, unsigned, wrongly keyed and stale deliveries → 400 and nothing recorded', async () => {
    const payload = JSON.stringify(completed);
    const valid = signPayload(payload, secret(), now());
    const tampered = payload.replace('"amount_subtotal":2000', '"amount_subtotal":999999');
    assert.notEqual(tampered, payload);
    const otherEvent = JSON.stringify({ ...completed, id: 'evt_forged' });
    const { v1 } = Object.fromEntries(valid.split(',').map((kv) => kv.split('=') as [string, string]));
    const before = await dumpStore(h.store);
    const attempts: Array<[string, string, string | null]> = [
      ['no signature header', payload, null],
      ['empty signature header', payload, ''],
      ['tampered amount, original signature', tampered, valid],
      ['another event id, original signature', otherEvent, valid],
      ['signed with another secret', payload, signPayload(payload, 'whsec_someone_else', now())],
      ['signed ten minutes ago (replay)', payload, signPayload(payload, secret(), now() - 600)],
      ['timestamp changed after signing', payload, `t=${now() + 5},v1=${v1}`],
      ['only a v0 scheme', payload, valid.replace('v1=', 'v0=')],
      ['no timestamp', payload, `v1=${v1}`],
      ['garbage header', payload, 'not a signature'],
      ['signature of the empty body', payload, signPayload('', secret(), now())],
      ['body truncated', payload.slice(0, -10), valid],
    ];
    for (const [name, body, signature] of attempts) {
      const res = await deliver(body, signature);
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.code, /^(missing_signature|invalid_signature)$/, name);
    }
    assert.equal(await dumpStore(h.store), before);
    assert.equal(await balanceOf(h, 'alice'), 0);
  });

  test('a genuine event replayed many times credits once', async () => {
    const payload = JSON.stringify(completed);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => deliver(payload, signPayload(payload, secret(), now()))),
    );
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(answers.filter((a) => a.body.duplicate === false).length >= 1, true);
    const later = await deliver(payload, signPayload(payload, secret(), now()));
    assert.deepEqual(later.body, { received: true, duplicate: true });
    assert.equal(await balanceOf(h, 'alice'), 2000);
  });

  test('a signed event carrying a lie is checked against Stripe: the real amount, the real account', async () => {
    // Even with the signing secret, the event body is not trusted: fulfilment re-reads the session.
    const session = completed.data.object as Stripe.Checkout.Session;
    const lie = JSON.stringify({
      ...completed,
      id: 'evt_lie',
      data: {
        object: {
          ...session,
          amount_subtotal: 100_000_00,
          amount_total: 100_000_00,
          metadata: { account_id: 'mallory', user_id: 'mallory', kind: 'topup' },
        },
      },
    });
    const res = await deliver(lie, signPayload(lie, secret(), now()));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(await balanceOf(h, 'alice'), 2000);
    assert.equal(await balanceOf(h, 'mallory'), 0);
    const unknown = JSON.stringify({
      ...completed,
      id: 'evt_unknown_session',
      data: { object: { ...session, id: 'cs_test_not_ours' } },
    });
    assert.equal((await deliver(unknown, signPayload(unknown, secret(), now()))).status, 200);
    const total = await h.store.sql.run('SELECT COALESCE(SUM(amount_cents), 0) AS s FROM ledger_entries');
    assert.equal(Number(total.rows[0]!.s), 2000);
  });

  test('a webhook body over the limit → 413 before anything is parsed', async () => {
    const huge = JSON.stringify({ ...completed, padding: 'x'.repeat(1_100_000) });
    const before = await dumpStore(h.store);
    const res = await deliver(huge, signPayload(huge, secret(), now()));
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'body_too_large');
    assert.equal(await dumpStore(h.store), before);
  });
  test('a signed "expired" or "async payment failed" for an open session is checked against Stripe and changes nothing', async () => {
    const opened = await h.api('POST', '/api/billing/subscription-checkout-session', {
      token: h.tokenFor('carol'),
      body: {},
    });
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const first = /cs_[A-Za-z0-9_]+/.exec(opened.body.redirect_url)![0];
    const topUp = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor('carol'),
      body: { amount: 15 },
    });
    const topUpId = /cs_[A-Za-z0-9_]+/.exec(topUp.body.redirect_url)![0];
    const statusOf = async (id: string) =>
      (await h.store.sql.run('SELECT status FROM billing_sessions WHERE id = ?', [id])).rows[0]!.status;
    for (const [type, id] of [
      ['checkout.session.expired', first],
      ['checkout.session.async_payment_failed', first],
      ['checkout.session.expired', topUpId],
      ['checkout.session.async_payment_failed', topUpId],
    ] as const) {
      const payload = JSON.stringify({
        id: `evt_forged_${type}_${id}`,
        object: 'event',
        type,
        created: now(),
        data: { object: { id, object: 'checkout.session', status: 'expired', payment_status: 'unpaid' } },
      });
      const res = await deliver(payload, signPayload(payload, secret(), now()));
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    assert.equal(await statusOf(first), 'in_progress');
    assert.equal(await statusOf(topUpId), 'in_progress');
    // The guard still knows the first subscription checkout: a new one expires it at Stripe, so
    // the two can never both be paid.
    const second = await h.api('POST', '/api/billing/subscription-checkout-session', {
      token: h.tokenFor('carol'),
      body: {},
    });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal((await h.stripe.checkout.sessions.retrieve(first)).status, 'expired');
    assert.equal(await statusOf(first), 'cancelled');
    // A real expiry, read back from Stripe, does close the row.
    await h.stripe.checkout.sessions.expire(topUpId);
    const [expired] = (await h.stripe.events.list({ type: 'checkout.session.expired', limit: 1 })).data;
    assert.equal((expired!.data.object as Stripe.Checkout.Session).id, topUpId);
    const genuine = JSON.stringify(expired);
    assert.equal((await deliver(genuine, signPayload(genuine, secret(), now()))).status, 200);
    assert.equal(await statusOf(topUpId), 'cancelled');
  });
});
