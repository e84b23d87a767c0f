import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  API_KEY,
  type BillingHarness,
  balanceOf,
  HOST_ORIGIN,
  setUpCard,
  startBillingHarness,
} from './harness.ts';

/**
 * Auto-recharge against the emulator (README "Auto-recharge"): the crossing debit starts one
 * off-session charge, the webhook credits it once, the cap, a decline and a card that needs
 * authentication; every test ends with the ledger audit (in `close`) and checks it itself too.
 */
describe('auto-recharge', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    // A welcome credit of 50 on saving the card starts each account at $50.00.
    h = await startBillingHarness({ BILLING_WELCOME_CREDIT: '50' });
  });
  afterEach(async () => {
    await h.close();
  });

  async function saveCard(user: string, card = '4242424242424242') {
    const sessionId = await setUpCard(h, user, card);
    await h.visit((await h.returnLinks(sessionId)).success);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, user), 5000);
  }

  function settings(user: string, body: unknown) {
    return h.api('PUT', '/api/billing/auto-recharge', { token: h.tokenFor(user), body });
  }

  let keys = 0;
  function debit(user: string, amount: number) {
    return h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: user, amount, idempotency_key: `k-${++keys}-${user}` },
    });
  }

  /** Lifts a $5.00 balance to $25.00 with a grant and debits $20.00: a second crossing. Did it start a charge? */
  async function crossAgain(user: string): Promise<boolean> {
    const lift = await h.api('POST', '/api/billing/grants', {
      token: API_KEY,
      body: { user_id: user, amount: 20, idempotency_key: `lift-${user}` },
    });
    assert.equal(lift.status, 200);
    return (await debit(user, 20)).body.auto_recharge.started;
  }

  async function summaryOf(user: string) {
    const res = await h.api('GET', '/api/billing/summary', { token: h.tokenFor(user) });
    assert.equal(res.status, 200);
    return res.body;
  }

  async function rechargeEntries(user: string) {
    const rows = await h.store.sql.run(
      "SELECT amount_cents, source_id FROM ledger_entries WHERE account_id = ? AND description = 'Auto-recharge'",
      [`user:${user}`],
    );
    return rows.rows;
  }

  async function chargesOf(user: string) {
    const account = await h.store.account(`user:${user}`);
    const list = await h.stripe.paymentIntents.list({ customer: account!.stripeCustomerId!, limit: 100 });
    return list.data.filter((pi) => pi.metadata.auto_recharge_attempt);
  }

  async function assertAudit() {
    assert.deepEqual(await h.store.auditLedger(), []);
  }

  test('50 parallel debits crossing the threshold start exactly one charge and one credit', async () => {
    await saveCard('ada');
    const saved = await settings('ada', { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.status, 'ready');
    assert.equal(saved.body.threshold, '10.00');

    // 50.00 → 11.00 stays above the threshold: nothing starts.
    const first = await debit('ada', 39);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.auto_recharge, { started: false, status: 'ready' });

    // 50 × 0.10 from 11.00: exactly one of them takes the balance from 10.00 to 9.90.
    const answers = await Promise.all(Array.from({ length: 50 }, () => debit('ada', 0.1)));
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    const started = answers.filter((a) => a.body.auto_recharge.started);
    assert.equal(started.length, 1);
    assert.equal(started[0]!.body.auto_recharge.status, 'charging');
    assert.equal(started[0]!.body.balance_cents, 990);
    assert.ok(answers.every((a) => typeof a.body.balance_cents === 'number'));

    await h.webhooksDelivered();
    const charges = await chargesOf('ada');
    assert.equal(charges.length, 1);
    assert.equal(charges[0]!.amount, 2500);
    assert.equal(charges[0]!.status, 'succeeded');
    assert.deepEqual(await rechargeEntries('ada'), [{ amount_cents: 2500, source_id: charges[0]!.id }]);
    assert.equal(await balanceOf(h, 'ada'), 600 + 2500);
    const summary = await summaryOf('ada');
    assert.equal(summary.auto_recharge.status, 'ready');
    assert.equal(summary.auto_recharge.charged_this_month, '25.00');
    // Not necessarily the newest entry: on a remote store some of the 50 debits may commit after
    // the credit's webhook. rechargeEntries (above) found it, described "Auto-recharge".
    await assertAudit();
  });

  test('a balance still below the threshold after the credit does not loop', async () => {
    await saveCard('bo');
    await settings('bo', { enabled: true, threshold: 10, amount: 5, monthly_cap: 100 });
    assert.equal((await debit('bo', 38)).body.auto_recharge.started, false); // 12.00
    const crossing = await debit('bo', 11); // 1.00: crosses
    assert.equal(crossing.body.auto_recharge.started, true);
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'bo'), 600); // 1.00 + 5.00, still below 10.00
    const below = await debit('bo', 1);
    assert.deepEqual(below.body.auto_recharge, { started: false, status: 'ready' });
    await h.webhooksDelivered();
    assert.equal((await chargesOf('bo')).length, 1);
    assert.equal((await rechargeEntries('bo')).length, 1);
    await assertAudit();
  });

  test('the monthly cap stops a charge that would pass it, and the status says so', async () => {
    await saveCard('cy');
    await settings('cy', { enabled: true, threshold: 10, amount: 25, monthly_cap: 40 });
    assert.equal((await debit('cy', 45)).body.auto_recharge.started, true); // 5.00, charged 25
    await h.webhooksDelivered();
    assert.equal(await balanceOf(h, 'cy'), 3000);
    // Crossing again: 25 + 25 would be 50 > 40.
    const again = await debit('cy', 25);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.auto_recharge, { started: false, status: 'ready' });
    await h.webhooksDelivered();
    const summary = await summaryOf('cy');
    assert.equal(summary.auto_recharge.last_error.code, 'monthly_cap_reached');
    assert.match(summary.auto_recharge.last_error.message, /40\.00/);
    assert.equal(summary.auto_recharge.charged_this_month_cents, 2500);
    assert.equal((await chargesOf('cy')).length, 1);
    assert.equal(await balanceOf(h, 'cy'), 500);
    await assertAudit();
  });

  test('a card that attaches but declines later (0341) ends in failed, turned off, nothing credited', async () => {
    await saveCard('di', '4000000000000341');
    await settings('di', { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 });
    const crossing = await debit('di', 45);
    assert.deepEqual(crossing.body.auto_recharge, { started: true, status: 'failed' });
    await h.webhooksDelivered();
    const summary = await summaryOf('di');
    assert.equal(summary.auto_recharge.status, 'failed');
    assert.equal(summary.auto_recharge.enabled, false);
    assert.equal(summary.auto_recharge.last_error.code, 'card_declined');
    assert.match(summary.auto_recharge.last_error.message, /declined/);
    assert.equal(summary.auto_recharge.charged_this_month, '0.00');
    assert.deepEqual(await rechargeEntries('di'), []);
    assert.equal(await balanceOf(h, 'di'), 500);
    // Turned off: the next crossing starts nothing.
    assert.equal(await crossAgain('di'), false);
    assert.equal((await chargesOf('di')).length, 1);
    await assertAudit();
  });

  test('a card that needs authentication (3184) waits for the user, and completing it credits once', async () => {
    await saveCard('eve', '4000002760003184');
    await settings('eve', { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 });
    const crossing = await debit('eve', 45);
    assert.deepEqual(crossing.body.auto_recharge, { started: true, status: 'action_required' });
    await h.webhooksDelivered();
    let summary = await summaryOf('eve');
    assert.equal(summary.auto_recharge.status, 'action_required');
    assert.equal(summary.auto_recharge.last_error.code, 'authentication_required');
    assert.deepEqual(await rechargeEntries('eve'), []);
    // Another crossing meanwhile starts nothing: one charge at a time.
    assert.equal(await crossAgain('eve'), false);

    const complete = await h.api('POST', '/api/billing/auto-recharge/complete', {
      token: h.tokenFor('eve'),
      body: { return_url: `${HOST_ORIGIN}/billing` },
    });
    assert.equal(complete.status, 200, JSON.stringify(complete.body));
    const page = complete.body.redirect_url as string;
    assert.ok(page.startsWith(`${h.emulator.url}/3d_secure/pi_`), page);
    const [charge] = await chargesOf('eve');
    assert.equal(charge!.status, 'requires_action');
    assert.equal(charge!.next_action?.type, 'redirect_to_url');
    const shown = await fetch(page);
    assert.equal(shown.status, 200);
    assert.match(await shown.text(), /Complete authentication/);

    const answered = await fetch(page, {
      method: 'POST',
      body: new URLSearchParams({ result: 'complete' }),
      redirect: 'manual',
    });
    assert.equal(answered.status, 303);
    const back = await h.visit(answered.headers.get('location')!);
    assert.equal(back.status, 302);
    assert.equal(back.location, `${HOST_ORIGIN}/billing?checkout=success`);
    await h.webhooksDelivered();
    // The return and the webhook both saw the success: one credit.
    assert.deepEqual(await rechargeEntries('eve'), [{ amount_cents: 2500, source_id: charge!.id }]);
    summary = await summaryOf('eve');
    assert.equal(summary.auto_recharge.status, 'ready');
    assert.equal(summary.auto_recharge.last_error, null);
    assert.equal(summary.auto_recharge.charged_this_month, '25.00');
    assert.equal(await balanceOf(h, 'eve'), 500 + 2500);
    // Completing again finds nothing to do.
    const twice = await h.api('POST', '/api/billing/auto-recharge/complete', {
      token: h.tokenFor('eve'),
      body: { return_url: `${HOST_ORIGIN}/billing` },
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'no_action_required');
    await assertAudit();
  });

  test('failing the authentication ends in failed, nothing credited', async () => {
    await saveCard('fay', '4000002760003184');
    await settings('fay', { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 });
    await debit('fay', 45);
    const complete = await h.api('POST', '/api/billing/auto-recharge/complete', {
      token: h.tokenFor('fay'),
      body: { return_url: `${HOST_ORIGIN}/billing` },
    });
    const answered = await fetch(complete.body.redirect_url, {
      method: 'POST',
      body: new URLSearchParams({ result: 'fail' }),
      redirect: 'manual',
    });
    const back = await h.visit(answered.headers.get('location')!);
    assert.equal(back.location, `${HOST_ORIGIN}/billing?checkout=error`);
    await h.webhooksDelivered();
    const summary = await summaryOf('fay');
    assert.equal(summary.auto_recharge.status, 'failed');
    assert.equal(summary.auto_recharge.last_error.code, 'payment_intent_authentication_failure');
    assert.deepEqual(await rechargeEntries('fay'), []);
    await assertAudit();
  });

  test('bad input answers a clear 4xx and changes nothing', async () => {
    await saveCard('gus');
    const ok = { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 };
    await settings('gus', ok);
    const before = await h.snapshot();
    const beforeSummary = (await summaryOf('gus')).auto_recharge;
    const cases: Array<[unknown, number, string, string?]> = [
      [{ ...ok, threshold: -5 }, 400, 'invalid_amount', 'threshold'],
      [{ ...ok, amount: 0 }, 400, 'invalid_amount', 'amount'],
      [{ ...ok, amount: 1 }, 400, 'amount_too_small', 'amount'],
      [{ ...ok, amount: 5000 }, 400, 'amount_too_large', 'amount'],
      [{ ...ok, monthly_cap: 1_000_000 }, 400, 'amount_too_large', 'monthly_cap'],
      [{ ...ok, monthly_cap: 20 }, 400, 'cap_below_amount', 'monthly_cap'],
      [{ ...ok, amount: '25' }, 400, 'invalid_amount', 'amount'],
      [{ ...ok, threshold: 10.001 }, 400, 'invalid_amount', 'threshold'],
      [{ ...ok, enabled: 'yes' }, 400, 'invalid_enabled', 'enabled'],
      [{ threshold: 10, amount: 25, monthly_cap: 100 }, 400, 'invalid_enabled', 'enabled'],
      [{ enabled: true, amount: 25, monthly_cap: 100 }, 400, 'invalid_threshold', 'threshold'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await settings('gus', body);
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, code, JSON.stringify(body));
      if (field) assert.equal(res.body.error.field, field);
    }
    const noCard = await settings('nobody', ok);
    assert.equal(noCard.status, 409);
    assert.equal(noCard.body.error.code, 'no_payment_method');
    const noToken = await h.api('PUT', '/api/billing/auto-recharge', { token: null, body: ok });
    assert.equal(noToken.status, 401);
    assert.deepEqual(await h.snapshot(), before);
    assert.deepEqual((await summaryOf('gus')).auto_recharge, beforeSummary);
    // Turning it off needs no card and shows `off`.
    const off = await settings('gus', { ...ok, enabled: false });
    assert.equal(off.status, 200);
    assert.equal(off.body.status, 'off');
    assert.equal((await debit('gus', 45)).body.auto_recharge.started, false);
    await assertAudit();
  });

  test('replaying the crossing debit starts nothing more', async () => {
    await saveCard('hal');
    await settings('hal', { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 });
    const body = { user_id: 'hal', amount: 45, idempotency_key: 'cross-once' };
    const first = await h.api('POST', '/api/billing/usage', { token: API_KEY, body });
    assert.equal(first.body.auto_recharge.started, true);
    const replay = await h.api('POST', '/api/billing/usage', { token: API_KEY, body });
    assert.equal(replay.body.replayed, true);
    assert.equal(replay.body.auto_recharge.started, false);
    await h.webhooksDelivered();
    assert.equal((await chargesOf('hal')).length, 1);
    assert.equal(await balanceOf(h, 'hal'), 500 + 2500);
    await assertAudit();
  });
});
