import { invalidRequest } from './errors.ts';
import { collectionForId } from './ids.ts';
import type { ParamReader } from './params.ts';
import { type EmulatorStore, render, type StoredObject } from './store.ts';

/** Fields absent unless expanded (Stripe calls them includable), computed per object type. */
export type Includable = (obj: StoredObject) => unknown;
export type Includables = Map<string, Record<string, Includable>>;

/**
 * Applies `expand[]` paths (`customer`, `data.latest_invoice.payments`) to a rendered object: an id
 * string becomes the object it names, and an includable field is computed. At most four levels,
 * as Stripe allows.
 */
export function expandPaths(
  value: unknown,
  paths: string[],
  store: EmulatorStore,
  includables: Includables,
): unknown {
  for (const path of paths) {
    const parts = path.split('.');
    if (parts.length > 4)
      throw invalidRequest(`You cannot expand more than 4 levels of a property: ${path}`, 'expand');
    value = expandOne(value, parts, store, includables, path);
  }
  return value;
}

function expandOne(
  value: unknown,
  parts: string[],
  store: EmulatorStore,
  includables: Includables,
  path: string,
): unknown {
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const [field, ...rest] = parts as [string, ...string[]];
  let current = obj[field];
  const includable = typeof obj.object === 'string' ? includables.get(obj.object)?.[field] : undefined;
  if (typeof current === 'string') {
    const collection = collectionForId(current);
    const target = collection ? store.get(collection, current) : undefined;
    if (target) current = render(target);
  } else if ((current === undefined || current === null) && includable) {
    const source = typeof obj.id === 'string' && obj.object ? findStored(store, obj.id) : undefined;
    current = includable(source ?? (obj as StoredObject));
  } else if (current === undefined && obj.object !== 'list') {
    throw invalidRequest(
      `This property cannot be expanded (${field}). You may want to try expanding 'data.${field}' instead.`,
      'expand',
    );
  }
  if (Array.isArray(current) && obj.object === 'list' && field === 'data') {
    current = rest.length ? current.map((item) => expandOne(item, rest, store, includables, path)) : current;
  } else if (rest.length) {
    current = expandOne(current, rest, store, includables, path);
  }
  return { ...obj, [field]: current };
}

function findStored(store: EmulatorStore, id: string): StoredObject | undefined {
  const collection = collectionForId(id);
  return collection ? store.get(collection, id) : undefined;
}

export interface ListResult<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/**
 * Stripe's list pagination over objects in insertion order, answered newest first:
 * `limit` (1..100, default 10), `starting_after`, `ending_before`.
 */
export function paginate<T extends { id: string }>(
  items: T[],
  params: ParamReader,
  url: string,
): ListResult<T> {
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit');
  const newestFirst = [...items].reverse();
  const after = params.string('starting_after');
  const before = params.string('ending_before');
  let data: T[];
  let hasMore: boolean;
  if (after) {
    const i = newestFirst.findIndex((o) => o.id === after);
    if (i < 0) throw invalidRequest(`No such object: '${after}'`, 'starting_after', 'resource_missing');
    const rest = newestFirst.slice(i + 1);
    data = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else if (before) {
    const i = newestFirst.findIndex((o) => o.id === before);
    if (i < 0) throw invalidRequest(`No such object: '${before}'`, 'ending_before', 'resource_missing');
    const rest = newestFirst.slice(0, i);
    data = rest.slice(Math.max(0, rest.length - limit));
    hasMore = rest.length > limit;
  } else {
    data = newestFirst.slice(0, limit);
    hasMore = newestFirst.length > limit;
  }
  return { object: 'list', data: data.map(render), has_more: hasMore, url };
}

/**
 * Stripe's `created` filter of list calls: a Unix time (equal to it) or a range hash
 * (`created[gt]`, `gte`, `lt`, `lte`). Answers a test for an object's `created`.
 */
export function createdInRange(params: ParamReader): (created: number) => boolean {
  if (!params.has('created')) return () => true;
  if (typeof params.raw('created') === 'string') {
    const exact = params.integer('created')!;
    return (t) => t === exact;
  }
  const range = params.object('created');
  if (!range) return () => true;
  const gt = range.integer('gt');
  const gte = range.integer('gte');
  const lt = range.integer('lt');
  const lte = range.integer('lte');
  return (t) =>
    (gt === undefined || t > gt) &&
    (gte === undefined || t >= gte) &&
    (lt === undefined || t < lt) &&
    (lte === undefined || t <= lte);
}
