/**
 * Compares objects the emulator answers with Stripe's example objects (fixtures3.json from
 * stripe/openapi): every key of the example must be present with the same JSON type, or null.
 */

/** Stripe's example objects, keyed by `object` (`deleted_customer` for the answer to a delete). */
export type Fixtures = Record<string, Record<string, unknown>>;

type JsonType = 'null' | 'string' | 'number' | 'boolean' | 'array' | 'object';

/**
 * The JSON type of a value as it went over the wire. The SDK turns decimal strings
 * (`unit_amount_decimal`) into its own Decimal class, so any non-plain object counts as a string.
 */
function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object')
    return Object.getPrototypeOf(value) === Object.prototype ? 'object' : 'string';
  return typeof value as 'string' | 'number' | 'boolean';
}

function isStripeObject(value: unknown): value is { id?: string; object: string } {
  return jsonType(value) === 'object' && typeof (value as { object?: unknown }).object === 'string';
}

/** The example a returned object is held to: `deleted_x` for `{deleted: true}` answers. */
export function fixtureKey(obj: { object: string; deleted?: unknown }): string {
  return obj.deleted === true ? `deleted_${obj.object}` : obj.object;
}

/**
 * Every Stripe object inside `value` (lists, expanded fields, event payloads), each with the path it
 * was found at. Lists and search results are containers, not objects to check.
 */
export function collectObjects(
  value: unknown,
  into: Array<{ path: string; obj: Record<string, unknown> & { object: string } }>,
  path = '',
): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) collectObjects(v, into, `${path}[${i}]`);
    return;
  }
  if (jsonType(value) !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (isStripeObject(obj) && obj.object !== 'list' && obj.object !== 'search_result') {
    into.push({ path: path || obj.object, obj: obj as Record<string, unknown> & { object: string } });
  }
  for (const [k, v] of Object.entries(obj)) collectObjects(v, into, path ? `${path}.${k}` : k);
}

/**
 * The differences between `ours` and Stripe's `example`, as `key: problem` lines. Nested plain hashes
 * that are non-null on both sides are compared the same way; nested Stripe objects are left to their
 * own check; an id string where the example has an expanded object (or the reverse) is fine, since
 * both are what Stripe answers depending on `expand[]`; `metadata` maps are not compared key by key.
 * `absentOk` names includable keys, present only when expanded.
 */
export function shapeDifferences(
  example: Record<string, unknown>,
  ours: Record<string, unknown>,
  absentOk: ReadonlySet<string> = new Set(),
  path = '',
): string[] {
  const out: string[] = [];
  for (const [key, expected] of Object.entries(example)) {
    const name = path ? `${path}.${key}` : key;
    if (!(key in ours)) {
      if (!absentOk.has(key)) out.push(`${name}: missing`);
      continue;
    }
    const actual = ours[key];
    const want = jsonType(expected);
    const got = jsonType(actual);
    if (want === 'null' || got === 'null') continue;
    if (isStripeObject(expected) || isStripeObject(actual)) {
      const idVsObject =
        (got === 'string' && isStripeObject(expected)) || (want === 'string' && isStripeObject(actual));
      if (idVsObject || (isStripeObject(expected) && isStripeObject(actual))) continue;
    }
    if (want !== got) {
      out.push(`${name}: ${got} where Stripe has ${want}`);
      continue;
    }
    // Metadata is the caller's own free-form map; the example's keys there are data, not shape.
    if (want === 'object' && key !== 'metadata') {
      out.push(
        ...shapeDifferences(
          expected as Record<string, unknown>,
          actual as Record<string, unknown>,
          new Set(),
          name,
        ),
      );
    } else if (want === 'array') {
      const [first] = expected as unknown[];
      if (first === undefined || isStripeObject(first)) continue;
      for (const [i, item] of (actual as unknown[]).entries()) {
        const itemType = jsonType(item);
        if (itemType === 'null' || isStripeObject(item)) continue;
        if (itemType !== jsonType(first))
          out.push(`${name}[${i}]: ${itemType} where Stripe has ${jsonType(first)}`);
        else if (itemType === 'object') {
          out.push(
            ...shapeDifferences(
              first as Record<string, unknown>,
              item as Record<string, unknown>,
              new Set(),
              `${name}[${i}]`,
            ),
          );
        }
      }
    }
  }
  return out;
}
