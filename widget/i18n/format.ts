/**
 * Cents as money in `locale`, e.g. 1250 → "$12.50" (en) or "US$12.50" (zh-CN); `signed` adds "+" to
 * credits. Assumes a currency with two decimals, as the server's cents do.
 */
export function formatMoney(cents: number, currency: string, locale: string, signed = false): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    signDisplay: signed ? 'exceptZero' : 'auto',
  }).format(cents / 100);
}

/** An ISO-8601 instant as a date in `locale`, e.g. "Jan 31, 2026" or "2026年1月31日". */
export function formatDate(iso: string | null, locale: string): string {
  return iso ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso)) : '';
}

/** A UTC calendar day (`YYYY-MM-DD`, as the usage summary gives days) as a date in `locale`. */
export function formatDay(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(day));
}
