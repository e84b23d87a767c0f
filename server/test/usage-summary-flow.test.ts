import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from './harness.ts';

const DAY_MS = 86_400_000;

/**
 * The usage summary on a real server process's store (a file, or the Hrana test server under
 * `npm run test:remote`): a paid top-up, usage of two features reported over several days with
 * `occurred_at`, and the summary the widgets read.
 */
describe('usage by day and feature', () => {
  let h: BillingHarness;
  beforeEach(async () => {
    h = await startBillingHarness();
  });
  afterEach(async () => {
    await h.close(); // audits the ledger: every balance equals the sum of its rows
  });

  const usage = (body: Record<string, unknown>) =>
    fetch(`${h.url}/api/billing/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('a top-up, then usage of two features over five days, summed per UTC day and feature', async () => {
    const token = h.tokenFor('meter');
    const checkout = await h.api('POST', '/api/billing/create-checkout-session', {
      token,
      body: { amount: 50, return_url: `${HOST_ORIGIN}/billing` },
    });
    assert.equal((await h.completeCheckout(checkout.body.redirect_url)).status, 200);
    await h.webhooksDelivered();

    const now = h.clock.now().getTime();
    const noon = (daysAgo: number) => {
      const today = Math.floor(now / DAY_MS) * DAY_MS;
      return new Date(Math.min(now - 1000, today + 12 * 3_600_000 - daysAgo * DAY_MS)).toISOString();
    };
    const uses: [number, string, number][] = [
      [3, 'chat', 4],
      [1.25, 'images', 4],
      [2, 'chat', 2],
      [0.5, 'images', 0],
    ];
    for (const [i, [amount, feature, days]] of uses.entries()) {
      const res = await usage({
        user_id: 'meter',
        amount,
        idempotency_key: `m-${i}`,
        feature,
        occurred_at: noon(days),
      });
      assert.equal(res.status, 200, await res.text());
    }
    // Refused: a future time, and a bad feature; nothing is debited.
    const future = new Date(now + 3_600_000).toISOString();
    assert.equal(
      (await usage({ user_id: 'meter', amount: 1, idempotency_key: 'f', occurred_at: future })).status,
      400,
    );
    assert.equal(
      (await usage({ user_id: 'meter', amount: 1, idempotency_key: 'g', feature: 'Chat!' })).status,
      400,
    );

    const summary = await h.api('GET', '/api/billing/usage-summary?days=7', { token });
    assert.equal(summary.status, 200);
    const day = (daysAgo: number) =>
      new Date(Math.floor(now / DAY_MS) * DAY_MS - daysAgo * DAY_MS).toISOString().slice(0, 10);
    assert.equal(summary.body.daily.length, 7);
    assert.deepEqual(
      summary.body.daily.filter((d: { total_cents: number }) => d.total_cents > 0),
      [
        {
          date: day(4),
          total: '4.25',
          total_cents: 425,
          features: [
            { feature: 'chat', amount: '3.00', amount_cents: 300 },
            { feature: 'images', amount: '1.25', amount_cents: 125 },
          ],
        },
        {
          date: day(2),
          total: '2.00',
          total_cents: 200,
          features: [{ feature: 'chat', amount: '2.00', amount_cents: 200 }],
        },
        {
          date: day(0),
          total: '0.50',
          total_cents: 50,
          features: [{ feature: 'images', amount: '0.50', amount_cents: 50 }],
        },
      ],
    );
    assert.equal(summary.body.total_cents, 675);
    assert.equal(summary.body.balance_cents, 5000 - 675);
    assert.equal(summary.body.average_daily_7d_cents, Math.round(675 / 7));
    const runsOut = new Date(now + ((5000 - 675) / (675 / 7)) * DAY_MS).toISOString().slice(0, 10);
    assert.equal(summary.body.runs_out_on, runsOut);

    // The same inside /summary, as a page with <billing-usage> asks for it.
    const page = await h.api('GET', '/api/billing/summary?usage_days=7', { token });
    assert.deepEqual(page.body.usage, summary.body);
    assert.equal(page.body.usage_forecast.runs_out_on, runsOut);
    // The history names what each debit was for, newest first, as reported.
    const history = await h.api('GET', '/api/billing/transactions?limit=6', { token });
    assert.deepEqual(
      history.body.data.map((e: { kind: string; feature: string | null }) => [e.kind, e.feature]),
      [...uses.map(([, feature]) => ['usage', feature]).reverse(), ['purchase', null]],
    );
  });
});
