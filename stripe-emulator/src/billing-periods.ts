import type Stripe from 'stripe';

/** A price's recurring interval, as Stripe stores it. */
export type RecurringInterval = Pick<Stripe.Price.Recurring, 'interval' | 'interval_count'>;

const DAY = 86_400;

/**
 * The end of billing period number `n` (1 = the first period) for a cycle anchored at `anchor`
 * (Unix seconds). Months and years follow the calendar in UTC and clamp to the month's last day, as
 * Stripe does: a cycle anchored on January 31 renews on February 28 (or 29), then March 31.
 */
export function periodEnd(anchor: number, recurring: RecurringInterval, n: number): number {
  const steps = recurring.interval_count * n;
  switch (recurring.interval) {
    case 'day':
      return anchor + steps * DAY;
    case 'week':
      return anchor + steps * 7 * DAY;
    case 'month':
      return addMonths(anchor, steps);
    case 'year':
      return addMonths(anchor, steps * 12);
    default:
      throw new Error(`Unknown billing interval: ${recurring.interval}`);
  }
}

function addMonths(anchor: number, months: number): number {
  const start = new Date(anchor * 1000);
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()) / 1000;
}

/**
 * The period of a cycle anchored at `anchor` that contains time `at`: `[start, end)`. Used to find
 * the next period after the one that just ended, however many periods a time jump crossed.
 */
export function periodContaining(
  anchor: number,
  recurring: RecurringInterval,
  at: number,
): { start: number; end: number } {
  let n = 1;
  let start = anchor;
  let end = periodEnd(anchor, recurring, n);
  while (end <= at) {
    n += 1;
    start = end;
    end = periodEnd(anchor, recurring, n);
  }
  return { start, end };
}

/** Seconds in an interval, at its longest (31-day months, 366-day years): what a test clock may advance at most, twice over. */
export function approximateIntervalSeconds(recurring: RecurringInterval): number {
  const units: Record<string, number> = { day: DAY, week: 7 * DAY, month: 31 * DAY, year: 366 * DAY };
  return (units[recurring.interval] ?? 366 * DAY) * recurring.interval_count;
}
