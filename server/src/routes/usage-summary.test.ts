import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../testing.ts';

// The test clock starts at 2026-11-01T12:00:00.000Z.
describe('usage with features and times, and the usage summary', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.audit();
    await t.close();
  });

  const usage = (body: Record<string, unknown>) =>
    t.call('POST', '/api/billing/usage', { apiKey: true, body });
  const daysAgo = (days: number, hour = 10) =>
    new Date(Date.UTC(2026, 10, 1 - days, hour)).toISOString().replace('.000Z', 'Z');

  test('POST /usage stores feature and occurred_at (normalised to UTC), default now', async () => {
    await t.fund('user:ann', 5000);
    for (const body of [
      { amount: 1.25, idempotency_key: 'a', feature: 'chat', occurred_at: '2026-10-30T23:30:00-02:00' },
      { amount: 0.5, idempotency_key: 'b', feature: 'images', description: 'Two images' },
      { amount: 0.25, idempotency_key: 'c' },
    ]) {
      assert.equal((await usage({ user_id: 'ann', ...body })).status, 200);
    }
    const rows = await t.store.sql.run(
      "SELECT source_id, feature, occurred_at, description FROM ledger_entries WHERE kind = 'usage' ORDER BY seq",
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.source_id, r.feature, r.occurred_at, r.description]),
      [
        ['api:a', 'chat', '2026-10-31T01:30:00.000Z', null],
        ['api:b', 'images', '2026-11-01T12:00:00.000Z', 'Two images'],
        ['api:c', null, '2026-11-01T12:00:00.000Z', null],
      ],
    );
    // Grants carry neither.
    const grant = await t.store.sql.run(
      "SELECT feature, occurred_at FROM ledger_entries WHERE kind = 'purchase'",
    );
    assert.deepEqual({ ...grant.rows[0] }, { feature: null, occurred_at: null });
  });

  test('POST /usage refuses a bad feature or occurred_at with a 400 naming it, and changes nothing', async () => {
    await t.fund('user:ann', 5000);
    const before = await t.snapshot();
    const cases: [Record<string, unknown>, string][] = [
      [{ feature: 'Chat' }, 'invalid_feature'],
      [{ feature: '' }, 'invalid_feature'],
      [{ feature: 'a'.repeat(33) }, 'invalid_feature'],
      [{ feature: 'chat bot' }, 'invalid_feature'],
      [{ feature: 7 }, 'invalid_feature'],
      [{ occurred_at: '2026-11-01' }, 'invalid_occurred_at'],
      [{ occurred_at: 'yesterday' }, 'invalid_occurred_at'],
      [{ occurred_at: 1761955200 }, 'invalid_occurred_at'],
      [{ occurred_at: '2026-11-01T12:01:01Z' }, 'invalid_occurred_at'], // beyond a minute of skew
      [{ occurred_at: '2026-09-27T11:59:59Z' }, 'invalid_occurred_at'], // 35 days and a second
    ];
    for (const [extra, code] of cases) {
      const res = await usage({ user_id: 'ann', amount: 1, idempotency_key: 'k', ...extra });
      assert.equal(res.status, 400, JSON.stringify(extra));
      const field = Object.keys(extra)[0];
      assert.deepEqual((res.body as { error: object }).error, {
        code,
        message: (res.body as { error: { message: string } }).error.message,
        field,
      });
    }
    assert.equal(await t.snapshot(), before);
    // The edges themselves are taken.
    for (const [key, at] of [
      ['skew', '2026-11-01T12:01:00Z'],
      ['old', '2026-09-27T12:00:00Z'],
    ]) {
      assert.equal(
        (await usage({ user_id: 'ann', amount: 1, idempotency_key: key, occurred_at: at })).status,
        200,
      );
    }
  });

  test('GET /usage-summary: every day of the period, split by feature, the total and the forecast', async () => {
    await t.fund('user:ann', 10_000);
    await usage({
      user_id: 'ann',
      amount: 2,
      idempotency_key: 'old',
      feature: 'chat',
      occurred_at: daysAgo(8),
    });
    await usage({
      user_id: 'ann',
      amount: 1.5,
      idempotency_key: 'a',
      feature: 'chat',
      occurred_at: daysAgo(6),
    });
    await usage({
      user_id: 'ann',
      amount: 0.75,
      idempotency_key: 'b',
      feature: 'images',
      occurred_at: daysAgo(6, 3),
    });
    await usage({
      user_id: 'ann',
      amount: 0.25,
      idempotency_key: 'c',
      feature: 'chat',
      occurred_at: daysAgo(6, 23),
    });
    await usage({ user_id: 'ann', amount: 1.1, idempotency_key: 'd', feature: 'images' });
    await usage({ user_id: 'ann', amount: 0.4, idempotency_key: 'e' });
    // Another user's usage never shows.
    await t.fund('user:bob', 1000);
    await usage({ user_id: 'bob', amount: 3, idempotency_key: 'bob', feature: 'chat' });

    const token = t.token('ann');
    const res = await t.call('GET', '/api/billing/usage-summary?days=7', { token });
    assert.equal(res.status, 200);
    const body = res.body as Record<string, unknown> & { daily: Record<string, unknown>[] };
    assert.equal(body.days, 7);
    assert.equal(body.from, '2026-10-26');
    assert.equal(body.to, '2026-11-01');
    assert.deepEqual(
      body.daily.map((d) => d.date),
      ['2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01'],
    );
    assert.deepEqual(body.daily[0], {
      date: '2026-10-26',
      total: '2.50',
      total_cents: 250,
      features: [
        { feature: 'chat', amount: '1.75', amount_cents: 175 },
        { feature: 'images', amount: '0.75', amount_cents: 75 },
      ],
    });
    assert.deepEqual(body.daily[1], { date: '2026-10-27', total: '0.00', total_cents: 0, features: [] });
    assert.deepEqual(body.daily[6], {
      date: '2026-11-01',
      total: '1.50',
      total_cents: 150,
      features: [
        { feature: 'images', amount: '1.10', amount_cents: 110 },
        { feature: null, amount: '0.40', amount_cents: 40 },
      ],
    });
    assert.equal(body.total_cents, 400);
    assert.equal(body.total, '4.00');
    assert.deepEqual(body.features, [
      { feature: 'images', amount: '1.85', amount_cents: 185 },
      { feature: 'chat', amount: '1.75', amount_cents: 175 },
      { feature: null, amount: '0.40', amount_cents: 40 },
    ]);
    // Balance 100.00 - 6.00 = 94.00; the last 7 × 24 h spent 4.00 (the 8-day-old 2.00 is out):
    // 57.14 ¢ a day, so 9400 / (400 / 7) = 164.5 days from 2026-11-01T12:00Z.
    assert.equal(body.balance_cents, 9400);
    assert.equal(body.average_daily_7d_cents, 57);
    assert.equal(body.average_daily_7d, '0.57');
    assert.equal(body.runs_out_on, '2027-04-15');
    assert.equal(body.currency, 'usd');

    // The default period is 30 days; the 8-day-old usage is in it.
    const month = (await t.call('GET', '/api/billing/usage-summary', { token })).body as typeof body;
    assert.equal(month.days, 30);
    assert.equal(month.daily.length, 30);
    assert.equal(month.from, '2026-10-03');
    assert.equal(month.total_cents, 600);
  });

  test('GET /usage-summary: no usage gives zero days and no run-out date; bad days are a 400', async () => {
    const token = t.token('new');
    const empty = (await t.call('GET', '/api/billing/usage-summary?days=1', { token })).body as Record<
      string,
      unknown
    >;
    assert.deepEqual(empty, {
      currency: 'usd',
      days: 1,
      from: '2026-11-01',
      to: '2026-11-01',
      total: '0.00',
      total_cents: 0,
      balance: '0.00',
      balance_cents: 0,
      features: [],
      daily: [{ date: '2026-11-01', total: '0.00', total_cents: 0, features: [] }],
      average_daily_7d: '0.00',
      average_daily_7d_cents: 0,
      runs_out_on: null,
    });
    for (const days of ['0', '91', '-1', '7.5', 'x', '007']) {
      const res = await t.call('GET', `/api/billing/usage-summary?days=${days}`, { token });
      assert.equal(res.status, 400, days);
      assert.equal((res.body as { error: { code: string; field: string } }).error.code, 'invalid_days');
    }
    assert.equal((await t.call('GET', '/api/billing/usage-summary?days=90', { token })).status, 200);
    assert.equal((await t.call('GET', '/api/billing/usage-summary')).status, 401);
  });

  test('a balance already spent runs out today', async () => {
    await t.fund('user:ann', 100);
    await usage({ user_id: 'ann', amount: 1, idempotency_key: 'all', feature: 'chat' });
    const body = (await t.call('GET', '/api/billing/usage-summary?days=1', { token: t.token('ann') }))
      .body as Record<string, unknown>;
    assert.equal(body.balance_cents, 0);
    assert.equal(body.runs_out_on, '2026-11-01');
  });

  test('/summary always carries the forecast, and the usage summary only when asked with usage_days', async () => {
    await t.fund('user:ann', 2000);
    await usage({
      user_id: 'ann',
      amount: 7,
      idempotency_key: 'a',
      feature: 'chat',
      occurred_at: daysAgo(2),
    });
    const token = t.token('ann');
    const plain = (await t.call('GET', '/api/billing/summary', { token })).body as Record<string, unknown>;
    assert.equal('usage' in plain, false);
    // 13.00 left at 1.00 a day: 13 days.
    assert.deepEqual(plain.usage_forecast, {
      average_daily_7d: '1.00',
      average_daily_7d_cents: 100,
      runs_out_on: '2026-11-14',
    });
    const withUsage = (await t.call('GET', '/api/billing/summary?usage_days=30', { token })).body as Record<
      string,
      unknown
    >;
    const alone = (await t.call('GET', '/api/billing/usage-summary?days=30', { token })).body;
    assert.deepEqual(withUsage.usage, alone);
    assert.deepEqual(withUsage.usage_forecast, plain.usage_forecast);
    const bad = await t.call('GET', '/api/billing/summary?usage_days=0', { token });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { code: string } }).error.code, 'invalid_usage_days');
  });
});
