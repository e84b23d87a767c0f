import type Stripe from 'stripe';
import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import type { ParamReader } from '../params.ts';
import type { StoredObject } from '../store.ts';
import { changedAttributes } from './customers.ts';
import { type PriceRecord, priceFromParams } from './prices.ts';

export type ProductRecord = Stripe.Product & StoredObject;

/** The product or a 404 `resource_missing`, as Stripe answers an unknown id. */
export function requireProduct(emu: Emulator, id: string, param = 'id'): ProductRecord {
  const product = emu.store.get<ProductRecord>('products', id);
  if (!product) throw resourceMissing('product', id, param);
  return product;
}

function optionalText(p: ParamReader, key: string, max: number): string | null {
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

function create(req: ApiRequest): ProductRecord {
  const { emu, params: p } = req;
  const product = productFromParams(emu, p);
  const defaultPriceData = p.object('default_price_data');
  let price: PriceRecord | undefined;
  if (defaultPriceData) {
    ({ price } = priceFromParams(emu, defaultPriceData, { product: product.id, allowProductData: false }));
    product.default_price = price.id;
  }
  emu.store.put('products', product);
  emu.emitEvent('product.created', product, { request: req.eventRequest });
  if (price) {
    emu.store.put('prices', price);
    emu.emitEvent('price.created', price, { request: req.eventRequest });
  }
  return product;
}

function update(req: ApiRequest): ProductRecord {
  const { emu, params: p } = req;
  const product = requireProduct(emu, req.path.id!);
  const next = structuredClone(product);
  if (p.has('name')) next.name = p.string('name', { required: true });
  if (p.has('description')) next.description = optionalText(p, 'description', 40_000);
  if (p.has('active')) next.active = p.boolean('active') ?? next.active;
  if (p.has('url')) next.url = optionalText(p, 'url', 5000);
  if (p.has('unit_label')) next.unit_label = optionalText(p, 'unit_label', 12);
  if (p.has('statement_descriptor')) next.statement_descriptor = optionalText(p, 'statement_descriptor', 22);
  if (p.has('images')) next.images = p.stringArray('images') ?? [];
  next.metadata = p.metadata(next.metadata);
  const defaultPrice = p.nullableString('default_price');
  if (defaultPrice) {
    const price = emu.store.get<PriceRecord>('prices', defaultPrice);
    if (!price) throw resourceMissing('price', defaultPrice, 'default_price');
    if (price.product !== product.id) {
      throw invalidParam(
        'default_price',
        `The price ${defaultPrice} does not belong to product ${product.id}.`,
      );
    }
    next.default_price = defaultPrice;
  } else if (defaultPrice === null) {
    next.default_price = null;
  }
  const previous = changedAttributes(product, next);
  if (Object.keys(previous).length === 0) return product;
  next.updated = emu.now();
  if (next.updated !== product.updated) previous.updated = product.updated;
  emu.store.put('products', next);
  emu.emitEvent('product.updated', next, { request: req.eventRequest, previousAttributes: previous });
  return next;
}

/** `products`: create (with `default_price_data`), retrieve, update, list (active, ids), delete without prices. */
export function registerProducts(emu: Emulator): void {
  emu.route('post', '/v1/products', create);
  emu.route('get', '/v1/products/:id', (req) => requireProduct(req.emu, req.path.id!));
  emu.route('post', '/v1/products/:id', update);
  emu.route('delete', '/v1/products/:id', (req) => {
    const product = requireProduct(req.emu, req.path.id!);
    const hasPrices = [...req.emu.store.collection<PriceRecord>('prices').values()].some(
      (price) => price.product === product.id,
    );
    if (hasPrices) {
      throw invalidRequest(
        'This product cannot be deleted because it has one or more user-created prices.',
        'id',
        'product_has_prices',
      );
    }
    req.emu.store.delete('products', product.id);
    req.emu.emitEvent('product.deleted', product, { request: req.eventRequest });
    return { id: product.id, object: 'product', deleted: true };
  });
  emu.route('get', '/v1/products', (req) => {
    const active = req.params.boolean('active');
    const ids = req.params.stringArray('ids');
    const items = [...req.emu.store.collection<ProductRecord>('products').values()].filter(
      (product) => (active === undefined || product.active === active) && (!ids || ids.includes(product.id)),
    );
    return paginate(items, req.params, '/v1/products');
  });
}
