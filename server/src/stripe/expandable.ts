/**
 * The id behind one of Stripe's expandable fields, which arrive either as an id string or as the
 * expanded object depending on the request's `expand[]`.
 */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
