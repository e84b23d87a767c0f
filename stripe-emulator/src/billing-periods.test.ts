import assert from 'node:assert/strict';
import { test } from 'node:test';
import { periodContaining, periodEnd } from './billing-periods.ts';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (unix: number) => new Date(unix * 1000).toISOString();

test('monthly periods follow the calendar and clamp to the last day of short months', () => {
  const anchor = at('2026-01-31T10:20:30Z');
  const month = { interval: 'month', interval_count: 1 } as const;
  assert.equal(iso(periodEnd(anchor, month, 1)), '2026-02-28T10:20:30.000Z');
  assert.equal(iso(periodEnd(anchor, month, 2)), '2026-03-31T10:20:30.000Z');
  assert.equal(iso(periodEnd(anchor, month, 13)), '2027-02-28T10:20:30.000Z');
  assert.equal(iso(periodEnd(at('2027-01-31T00:00:00Z'), month, 13)), '2028-02-29T00:00:00.000Z');
});

test('days, weeks, years and interval counts', () => {
  const anchor = at('2026-03-01T00:00:00Z');
  assert.equal(iso(periodEnd(anchor, { interval: 'day', interval_count: 1 }, 3)), '2026-03-04T00:00:00.000Z');
  assert.equal(
    iso(periodEnd(anchor, { interval: 'week', interval_count: 2 }, 1)),
    '2026-03-15T00:00:00.000Z',
  );
  assert.equal(
    iso(periodEnd(anchor, { interval: 'month', interval_count: 3 }, 2)),
    '2026-09-01T00:00:00.000Z',
  );
  assert.equal(
    iso(periodEnd(at('2028-02-29T00:00:00Z'), { interval: 'year', interval_count: 1 }, 1)),
    '2029-02-28T00:00:00.000Z',
  );
  assert.throws(
    () => periodEnd(anchor, { interval: 'fortnight' as 'day', interval_count: 1 }, 1),
    /fortnight/,
  );
});

test('the period containing a time starts at the period end that was just reached', () => {
  const anchor = at('2026-01-31T00:00:00Z');
  const month = { interval: 'month', interval_count: 1 } as const;
  const feb = periodEnd(anchor, month, 1);
  const next = periodContaining(anchor, month, feb);
  assert.equal(next.start, feb);
  assert.equal(iso(next.end), '2026-03-31T00:00:00.000Z');
  const first = periodContaining(anchor, month, anchor + 10);
  assert.deepEqual(first, { start: anchor, end: feb });
});
