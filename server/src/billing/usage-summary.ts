import type { UsageForecast, UsageSummary } from '../../../contract/types.ts';
import { ApiError } from '../errors.ts';
import { formatCents } from '../money.ts';
import type { FeatureSpend, UsageRecords } from '../store/records.ts';
import type { BillingStore } from '../store/store.ts';

export const DEFAULT_USAGE_DAYS = 30;
export const MAX_USAGE_DAYS = 90;
/** How far back `occurred_at` may go: a month's metering sent late, and a few days more. */
export const MAX_USAGE_AGE_DAYS = 35;
/** How far ahead `occurred_at` may be: the host's clock may run a little ahead of ours. */
export const USAGE_CLOCK_SKEW_MS = 60_000;
const DAY_MS = 86_400_000;

/** `days` (or `/summary`'s `usage_days`) from the query string: 1 to 90, default 30. */
export function parseUsageDays(raw: string | undefined, field: string): number {
  if (raw === undefined || raw === '') return DEFAULT_USAGE_DAYS;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_USAGE_DAYS) {
    throw new ApiError(
      400,
      `invalid_${field}`,
      `${field} must be a whole number from 1 to ${MAX_USAGE_DAYS}.`,
      field,
    );
  }
  return Number(raw);
}

/**
 * When usage happened: `occurred_at` as sent (ISO 8601, any offset), normalised to UTC the way the
 * ledger stores times, so the summary's index range and day grouping compare strings; default now.
 */
export function usageTime(occurredAt: string | null | undefined, now: Date): string {
  if (occurredAt == null) return now.toISOString();
  const at = new Date(occurredAt);
  if (at.getTime() > now.getTime() + USAGE_CLOCK_SKEW_MS) {
    throw new ApiError(400, 'invalid_occurred_at', 'occurred_at must not be in the future.', 'occurred_at');
  }
  if (at.getTime() < now.getTime() - MAX_USAGE_AGE_DAYS * DAY_MS) {
    throw new ApiError(
      400,
      'invalid_occurred_at',
      `occurred_at must be at most ${MAX_USAGE_AGE_DAYS} days ago.`,
      'occurred_at',
    );
  }
  return at.toISOString();
}

/**
 * The usage summary of the `days` UTC days ending today: every day of the period (zero days too),
 * the period's spend per feature, and the forecast. Days are UTC calendar days, the same for every
 * reader of an account; the widget labels them as such.
 */
export async function usageSummary(
  store: BillingStore,
  accountId: string,
  days: number,
  now: Date,
  currency: string,
  balanceCents: number,
): Promise<UsageSummary> {
  const today = startOfUtcDay(now);
  const from = new Date(today - (days - 1) * DAY_MS);
  const records = await store.usageRecords(accountId, from.toISOString().slice(0, 10), now);
  const byDay = new Map(records.days.map((d) => [d.day, d.features]));
  const totals = new Map<string | null, number>();
  const daily = [];
  for (let i = 0; i < days; i++) {
    const date = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    const features = byDay.get(date) ?? [];
    for (const f of features) totals.set(f.feature, (totals.get(f.feature) ?? 0) + f.spentCents);
    const total = features.reduce((sum, f) => sum + f.spentCents, 0);
    daily.push({ date, total: formatCents(total), total_cents: total, features: features.map(spendView) });
  }
  const features = [...totals]
    .map(([feature, spentCents]) => ({ feature, spentCents }))
    .sort((a, b) => b.spentCents - a.spentCents || String(a.feature).localeCompare(String(b.feature)));
  const total = features.reduce((sum, f) => sum + f.spentCents, 0);
  return {
    currency,
    days,
    from: daily[0]!.date,
    to: daily.at(-1)!.date,
    total: formatCents(total),
    total_cents: total,
    balance: formatCents(balanceCents),
    balance_cents: balanceCents,
    features: features.map(spendView),
    daily,
    ...usageForecast(records, balanceCents, now),
  };
}

/** The forecast alone (what `/summary` always carries for `<billing-balance>`): one small read. */
export async function forecastFor(
  store: BillingStore,
  accountId: string,
  balanceCents: number,
  now: Date,
): Promise<UsageForecast> {
  return usageForecast(await store.usageRecords(accountId, null, now), balanceCents, now);
}

/**
 * The average daily spend over the last 7 × 24 hours and the UTC day the balance reaches zero at
 * that pace: null when nothing was spent, today when the balance is already gone.
 */
export function usageForecast(records: UsageRecords, balanceCents: number, now: Date): UsageForecast {
  const perDay = records.lastWeekCents / 7;
  const average = Math.round(perDay);
  let runsOut: string | null = null;
  if (perDay > 0) {
    // Capped at about 2,700 years, which a Date still holds, for a large balance spent by the cent.
    const daysLeft = Math.min(Math.max(0, balanceCents) / perDay, 1_000_000);
    runsOut = new Date(now.getTime() + daysLeft * DAY_MS).toISOString().slice(0, 10);
  }
  return { average_daily_7d: formatCents(average), average_daily_7d_cents: average, runs_out_on: runsOut };
}

function spendView(spend: FeatureSpend) {
  return { feature: spend.feature, amount: formatCents(spend.spentCents), amount_cents: spend.spentCents };
}

function startOfUtcDay(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}
