import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type Stripe from 'stripe';
import { reconcileEvents, startReconciler } from '../src/billing/reconcile.ts';
import { openStore } from '../src/store/open-store.ts';
import { API_KEY, type BillingHarness, balanceOf, startBillingHarness } from './harness.ts';

const DAY = 86_400;

/**
 * Refunds, disputes and reconciliation against the emulator: every Stripe change reaches the server
 * as real signed webhooks (or, when they are dropped, through events.list), and the harness audits
 * the ledger when each test closes it (balance = sum of entries, for every account).
 */
describe('money going back out: refunds, disputes, reconciliation', () => {
  let h: BillingHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function topUp(harness: BillingHarness, user: string, amount: number, card = '4242424242424242') {
    const res = await harness.api('POST', '/api/billing/create-checkout-session', {
      token: harness.tokenFor(user),
      body: { amount },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const done = await harness.completeCheckout(res.body.redirect_url, card);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const session = await harness.stripe.checkout.sessions.retrieve(done.body.id);
    return { sessionId: session.id, paymentIntent: session.payment_intent as string };
  }

  async function usage(harness: BillingHarness, user: string, amount: number, key: string) {
    return harness.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: user, amount, idempotency_key: key },
    });
  }

  async function history(harness: BillingHarness, user: string) {
    const res = await harness.api('GET', '/api/billing/transactions?limit=100', {
      token: harness.tokenFor(user),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data as Array<{ kind: string; amount_cents: number; stripe_object_id: string | null }>;
  }

  async function reconcile(harness: BillingHarness) {
    const res = await fetch(`${harness.url}/api/billing/reconcile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as {
      events_seen: number;
      applied: number;
      failed: number;
      lag_seconds: number;
    };
  }

  /** Sends every event Stripe has again, under new ids, signed now, in `order`: as late duplicates would arrive. */
  async function resendAll(harness: BillingHarness, order: 'same' | 'reversed' = 'same') {
    const events: Stripe.Event[] = [];
    for await (const e of harness.stripe.events.list({ limit: 100 })) events.push(e);
    if (order === 'same') events.reverse();
    for (const [i, event] of events.entries()) {
      const res = await harness.postEvent({ ...event, id: `${event.id}_again${i}` });
      assert.equal(res.status, 200, await res.text());
    }
    return events.length;
  }

  test('top up $50, spend $10, refund $20 then $30: −$10 owed, both refunds in the history, replays change nothing, usage blocked until a top-up', async () => {
    h = await startBillingHarness();
    const paid = await topUp(h, 'alice', 50);
    await h.webhooksDelivered();
    assert.equal((await usage(h, 'alice', 10, 'spend-1')).status, 200);
    assert.equal(await balanceOf(h, 'alice'), 4000);

    const first = await h.stripe.refunds.create({ payment_intent: paid.paymentIntent, amount: 2000 });
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'alice'), 2000);
    const second = await h.stripe.refunds.create({ payment_intent: paid.paymentIntent, amount: 3000 });
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'alice'), -1000, 'credit already spent is owed');

    const refunds = (await history(h, 'alice')).filter((e) => e.kind === 'refund');
    assert.deepEqual(
      refunds.map((e) => [e.amount_cents, e.stripe_object_id]),
      [
        [-3000, second.id],
        [-2000, first.id],
      ],
    );
    const summary = await h.api('GET', '/api/billing/summary', { token: h.tokenFor('alice') });
    assert.equal(summary.body.credits, '-10.00');

    const before = await h.snapshot();
    assert.ok((await resendAll(h)) > 10);
    assert.ok((await resendAll(h, 'reversed')) > 10);
    const after = await h.snapshot();
    assert.deepEqual(
      { ...after, webhook_events: 0 },
      { ...before, webhook_events: 0 },
      'replaying every event, in order and reversed, changes no balance or ledger row',
    );
    const again = await reconcile(h);
    assert.equal(again.applied, 0);
    assert.equal(await balanceOf(h, 'alice'), -1000);

    const blocked = await usage(h, 'alice', 1, 'spend-2');
    assert.equal(blocked.status, 402);
    assert.equal(blocked.body.error.code, 'insufficient_credits');
    assert.equal(await balanceOf(h, 'alice'), -1000, 'a refused debit changes nothing');

    await topUp(h, 'alice', 20);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'alice'), 1000);
    assert.equal((await usage(h, 'alice', 1, 'spend-3')).status, 200);
  });

  test('0259: credited, taken back when the dispute opens, restored when won; a lost one stays taken; a later refund of the won one takes only its amount', async () => {
    h = await startBillingHarness();
    const won = await topUp(h, 'bob', 50, '4000000000000259');
    await h.webhooksDelivered();
    const entries = await history(h, 'bob');
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount_cents]),
      [
        ['dispute', -5000],
        ['purchase', 5000],
      ],
    );
    assert.equal(await balanceOf(h, 'bob'), 0);

    const [dispute] = (await h.stripe.disputes.list({ payment_intent: won.paymentIntent })).data;
    await h.stripe.disputes.update(dispute!.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 5000, 'a won dispute restores exactly what was taken');

    const lost = await topUp(h, 'bob', 30, '4000000000000259');
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 5000);
    const [lostDispute] = (await h.stripe.disputes.list({ payment_intent: lost.paymentIntent })).data;
    await h.stripe.disputes.update(lostDispute!.id, { evidence: { uncategorized_text: 'losing_evidence' } });
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bob'), 5000, 'a lost dispute leaves it taken');

    const refund = await h.stripe.refunds.create({ payment_intent: won.paymentIntent, amount: 1500 });
    await h.webhooksDelivered();
    assert.equal(
      await balanceOf(h, 'bob'),
      3500,
      'the refund after a won dispute takes back only what it covers',
    );
    const kinds = (await history(h, 'bob')).map((e) => [e.kind, e.amount_cents, e.stripe_object_id]);
    assert.deepEqual(kinds, [
      ['refund', -1500, refund.id],
      ['dispute', -3000, lostDispute!.id],
      ['purchase', 3000, lost.sessionId],
      ['dispute_reinstated', 5000, dispute!.id],
      ['dispute', -5000, dispute!.id],
      ['purchase', 5000, won.sessionId],
    ]);

    const before = await h.snapshot();
    await resendAll(h, 'reversed');
    const after = await h.snapshot();
    assert.deepEqual({ ...after, webhook_events: 0 }, { ...before, webhook_events: 0 });
  });

  test('a refund of a subscription invoice takes back the included credit in proportion; the grant caps it', async () => {
    h = await startBillingHarness();
    const res = await h.api('POST', '/api/billing/subscription-checkout-session', {
      token: h.tokenFor('carol'),
      body: {},
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await h.completeCheckout(res.body.redirect_url);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'carol'), 1000, 'the Pro plan includes $10');
    const [invoice] = (
      await h.stripe.invoices.list({ customer: (await h.store.account('user:carol'))!.stripeCustomerId! })
    ).data;
    const [payment] = (await h.stripe.invoicePayments.list({ invoice: invoice!.id })).data;
    const pi = payment!.payment.payment_intent as string;
    // $5 of the $20 paid: a quarter of the $10 included.
    await h.stripe.refunds.create({ payment_intent: pi, amount: 500 });
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'carol'), 750);
    await h.stripe.refunds.create({ payment_intent: pi });
    await h.webhooksDelivered();
    assert.equal(
      await balanceOf(h, 'carol'),
      0,
      'a full refund takes back all of the included credit, no more',
    );
    const access = await h.api('GET', '/api/billing/subscription-access', { token: h.tokenFor('carol') });
    assert.equal(access.status, 200);
  });

  test('with drop_webhooks on, three top-ups, a renewal and a refund succeed at Stripe; a restart’s replay applies each once, a second reconcile nothing', async () => {
    h = await startBillingHarness();
    // Before the outage: a subscription (with its $10) and a $40 top-up, applied by webhooks.
    const sub = await h.api('POST', '/api/billing/subscription-checkout-session', {
      token: h.tokenFor('dave'),
      body: {},
    });
    await h.completeCheckout(sub.body.redirect_url);
    const earlier = await topUp(h, 'dave', 40);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'dave'), 5000);
    const settled = await reconcile(h);
    assert.equal(settled.applied, 0, 'nothing was missed yet');
    assert.equal(settled.lag_seconds, 0);

    assert.equal((await h.emulator.control('/_emulator/faults', { drop_webhooks: true })).status, 200);
    await topUp(h, 'dave', 10);
    await topUp(h, 'dave', 20);
    await topUp(h, 'dave', 30);
    await h.stripe.refunds.create({ payment_intent: earlier.paymentIntent, amount: 1500 });
    await h.advance(32 * DAY);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'dave'), 5000, 'nothing reached the server');
    const failed = await h.stripe.events.list({ delivery_success: false, limit: 100 });
    const missed = new Set<string>(failed.data.map((e) => e.type));
    for (const type of ['checkout.session.completed', 'invoice.paid', 'charge.refunded'])
      assert.ok(missed.has(type), type);
    await h.emulator.control('/_emulator/faults', { drop_webhooks: false });

    // A restart: the new process replays at start-up.
    const before = await h.snapshot();
    const logs: Array<Record<string, unknown>> = [];
    const reconciler = startReconciler(
      {
        store: h.store,
        stripe: h.stripe,
        config: h.config,
        clock: h.clock,
        logger: {
          info: (msg, f) => logs.push({ msg, ...f }),
          warn: (msg, f) => logs.push({ msg, ...f }),
          error() {},
        },
      },
      0,
    );
    const deadline = Date.now() + 15_000;
    while (!logs.some((l) => l.msg === 'reconciled') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await reconciler.stop();
    const report = logs.find((l) => l.msg === 'reconciled');
    assert.ok(report, JSON.stringify(logs));
    assert.equal(report.failed, 0);
    assert.ok((report.applied as number) >= 5, JSON.stringify(report));
    assert.ok(
      (report.lag_seconds as number) >= 32 * DAY - 60,
      'the lag is the age of the oldest missed event',
    );
    // 5000 + 10 + 20 + 30 − 15 refunded + 10 renewal credit.
    assert.equal(await balanceOf(h, 'dave'), 5000 + 1000 + 2000 + 3000 - 1500 + 1000);
    const after = await h.snapshot();
    assert.equal(
      after.ledger_entries - before.ledger_entries,
      5,
      'three top-ups, one renewal, one refund: each once',
    );

    const second = await reconcile(h);
    assert.equal(second.applied, 0);
    assert.equal(second.failed, 0);
    assert.ok(second.events_seen > 0);
    assert.equal(second.lag_seconds, 0);
    assert.deepEqual(await h.snapshot(), after, 'a second reconcile changes nothing');
  });

  test('a refund whose top-up was never applied records the top-up first, then takes back only the refund', async () => {
    h = await startBillingHarness();
    await h.emulator.control('/_emulator/faults', { drop_webhooks: true });
    const paid = await topUp(h, 'fay', 40);
    const refund = await h.stripe.refunds.create({ payment_intent: paid.paymentIntent, amount: 1000 });
    await h.webhooksDelivered();
    await h.emulator.control('/_emulator/faults', { drop_webhooks: false });
    // Only the refund's event arrives (the top-up's was lost): the same unit credits the top-up.
    const [refunded] = (await h.stripe.events.list({ type: 'refund.created' })).data;
    assert.equal((await h.postEvent(refunded!)).status, 200);
    assert.equal(await balanceOf(h, 'fay'), 3000);
    assert.deepEqual(
      (await history(h, 'fay')).map((e) => [e.kind, e.amount_cents, e.stripe_object_id]),
      [
        ['refund', -1000, refund.id],
        ['purchase', 4000, paid.sessionId],
      ],
    );
    assert.equal((await reconcile(h)).failed, 0);
    assert.equal(await balanceOf(h, 'fay'), 3000, 'the replay of the lost events changes nothing more');
  });

  test('two processes reconciling at once apply each missed event once between them', async () => {
    h = await startBillingHarness();
    await h.emulator.control('/_emulator/faults', { drop_webhooks: true });
    await topUp(h, 'erin', 10);
    await topUp(h, 'erin', 20);
    await topUp(h, 'erin', 30);
    await h.webhooksDelivered();
    await h.emulator.control('/_emulator/faults', { drop_webhooks: false });
    assert.equal(await h.store.account('user:erin').then((a) => a?.balanceCents ?? 0), 0);
    // Another process: its own store on the same database (a file, or the Hrana server).
    const otherStore = await openStore({ url: h.config.dbUrl });
    try {
      const other = { store: otherStore, stripe: h.stripe, config: h.config, clock: h.clock };
      const [a, b] = await Promise.all([reconcile(h), reconcileEvents(other)]);
      // Each top-up missed two handled events: checkout.session.completed (the credit) and
      // payment_intent.succeeded (read for auto-recharge, which finds no attempt in it).
      assert.equal(a.applied + b.applied, 6, JSON.stringify({ a, b }));
      assert.equal(a.failed + b.failed, 0);
    } finally {
      await otherStore.close();
    }
    assert.equal(await balanceOf(h, 'erin'), 6000);
    assert.equal((await history(h, 'erin')).length, 3);
  });

  test('/reconcile needs the API key and answers its report in the contract’s shape', async () => {
    h = await startBillingHarness();
    const anonymous = await h.api('POST', '/api/billing/reconcile');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 'invalid_api_key');
    const report = await reconcile(h);
    assert.deepEqual(Object.keys(report).sort(), [
      'applied',
      'checkpoint',
      'events_seen',
      'failed',
      'lag_seconds',
    ]);
  });
});
