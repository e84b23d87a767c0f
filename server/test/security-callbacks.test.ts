import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';

/**
 * Stripe's return links are unauthenticated and `/success` reads the session from Stripe: they
 * must not let anyone spend the merchant's Stripe rate limit, cancel someone's checkout or learn
 * where its owner returns to.
 */
describe('Stripe return links under abuse', () => {
  let h: BillingHarness;
  let checkoutReads = 0;
  // A harness per test: each starts with a full budget for its one client address.
  beforeEach(async () => {
    // The documented default budget per client address, not the harness's generous one.
    h = await startBillingHarness({ BILLING_CALLBACK_RATE_LIMIT_PER_MINUTE: '60' });
    h.stripe.on('request', (request: { method: string; path: string }) => {
      if (request.method === 'GET' && request.path.startsWith('/v1/checkout/sessions/')) checkoutReads += 1;
    });
  });
  afterEach(async () => {
    await h.close();
  });

  const openTopUp = async (user: string, returnUrl: string) => {
    const res = await h.api('POST', '/api/billing/create-checkout-session', {
      token: h.tokenFor(user),
      body: { amount: 10, return_url: returnUrl },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const sessionId = /cs_[A-Za-z0-9_]+/.exec(res.body.redirect_url)![0];
    return { sessionId, redirectUrl: res.body.redirect_url as string };
  };

  test('300 parallel hits on an unpaid session: at most a handful of Stripe reads, the rest 429', async () => {
    const { sessionId } = await openTopUp('alice', `${HOST_ORIGIN}/private?token=abc`);
    checkoutReads = 0;
    const link = `${h.url}/api/billing/success?session_id=${sessionId}`;
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 300 }, () => h.visit(link)));
    // The session's budget is 10 a minute, refilled evenly: on a slow machine the visits take
    // seconds, and one more may pass for every 6 of them.
    const refilled = Math.floor((performance.now() - started) / 6000);
    const limited = answers.filter((a) => a.status === 429);
    const sentBack = answers.filter((a) => a.status === 302);
    assert.equal(limited.length + sentBack.length, 300);
    assert.ok(
      sentBack.length <= 10 + refilled,
      `${sentBack.length} visits got through the per-session budget (${refilled} refilled)`,
    );
    for (const a of sentBack) assert.equal(a.location, `${HOST_ORIGIN}/?checkout=error`);
    assert.ok(checkoutReads <= sentBack.length, `${checkoutReads} Stripe reads`);
    assert.ok(checkoutReads >= 1);
    assert.equal(JSON.parse(limited[0]!.body).error.code, 'rate_limited');
    assert.ok(
      answers.every((a) => !a.location?.includes('private')),
      'the return URL is never revealed',
    );
  });

  test('"not paid" is remembered briefly: repeated visits ask Stripe once, and the buyer still gets back', async () => {
    const { sessionId, redirectUrl } = await openTopUp('bob', `${HOST_ORIGIN}/bob`);
    const { success } = await h.returnLinks(sessionId);
    const stranger = `${h.url}/api/billing/success?session_id=${sessionId}`;
    checkoutReads = 0;
    for (let i = 0; i < 5; i++)
      assert.equal((await h.visit(stranger)).location, `${HOST_ORIGIN}/?checkout=error`);
    assert.equal(checkoutReads, 1);
    // The stranger's early visit does not spoil the buyer's return once paid.
    assert.equal((await h.completeCheckout(redirectUrl)).status, 200);
    const back = await h.visit(success);
    assert.equal(back.location, `${HOST_ORIGIN}/bob?checkout=success`);
  });

  test('one client address gets a budget across sessions: past it, 429 with Retry-After', async () => {
    // All at once; the bucket (60, refilled one a second) may refill a little while they are
    // answered on a slow machine, so the count allows for the seconds they took.
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const res = await fetch(
          `${h.url}/api/billing/cancel?session_id=cs_test_probe${i}&ref=${'A'.repeat(22)}`,
          {
            redirect: 'manual',
          },
        );
        await res.text();
        return { status: res.status, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const seconds = Math.ceil((performance.now() - started) / 1000);
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(
      limited.length >= Math.max(1, 120 - 60 - seconds),
      `${limited.length} of 120 limited in ${seconds} s`,
    );
    assert.ok(Number(limited[0]!.retryAfter) >= 1);
  });
});
