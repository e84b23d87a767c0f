/**
 * Products read from API params. This sits below both `products.ts` and `prices.ts` because each
 * builds the other's object: a product's `default_price_data` makes a price, and a price's
 * `product_data` makes a product.
 */
import type { Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ParamReader } from '../params.ts';
import type { ProductRecord } from '../records.ts';

/** An optional text param of at most `max` characters; null when absent or empty. */
export function optionalText(p: ParamReader, key: string, max: number): string | null {
  const v = p.nullableString(key);
  if (v === undefined || v === null) return null;
  if (v.length > max)
    throw invalidParam(p.path ? `${p.path}[${key}]` : key, `${key} must be at most ${max} characters.`);
  return v;
}

/**
 * A product built from create params (`name`, `description`, `metadata`, `images`, …), validated
 * but not yet saved, so a caller can check everything else before anything changes. Also reads
 * `product_data` in prices and Checkout's `price_data`.
 */
export function productFromParams(emu: Emulator, p: ParamReader, time = emu.now()): ProductRecord {
  const name = p.string('name', { required: true });
  if (name.length > 250)
    throw invalidParam(p.path ? `${p.path}[name]` : 'name', 'name must be at most 250 characters.');
  const id = p.string('id');
  if (id !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) throw invalidParam('id', `Invalid product id: ${id}`);
    if (emu.store.get('products', id)) {
      throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
    }
  }
  const images = p.stringArray('images') ?? [];
  if (images.length > 8) throw invalidParam('images', 'A product can have at most 8 images.');
  const features = (p.array('marketing_features') ?? []).map((f) => ({
    name: f.string('name', { required: true }),
  }));
  return {
    id: id ?? newId('prod'),
    object: 'product',
    active: p.boolean('active') ?? true,
    created: time,
    default_price: null,
    description: optionalText(p, 'description', 40_000),
    images,
    livemode: false,
    marketing_features: features,
    metadata: p.metadata(),
    name,
    package_dimensions: null,
    shippable: p.boolean('shippable') ?? null,
    statement_descriptor: optionalText(p, 'statement_descriptor', 22),
    tax_code: p.string('tax_code') ?? null,
    tax_details: null,
    type: p.enum('type', ['good', 'service'] as const) ?? 'service',
    unit_label: optionalText(p, 'unit_label', 12),
    updated: time,
    url: optionalText(p, 'url', 5000),
  };
}
