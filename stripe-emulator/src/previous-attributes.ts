/** The top-level values that changed, as an `*.updated` event's `previous_attributes` lists them. */
export function changedAttributes(before: object, after: object): Record<string, unknown> {
  const prev: Record<string, unknown> = {};
  const a = after as Record<string, unknown>;
  for (const [k, v] of Object.entries(before)) {
    if (k.startsWith('_')) continue;
    if (JSON.stringify(v) !== JSON.stringify(a[k])) prev[k] = v;
  }
  return prev;
}
