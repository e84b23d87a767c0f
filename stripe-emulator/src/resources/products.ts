import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing } from '../errors.ts';
import { paginate } from '../expand.ts';
import { requireProduct } from '../lookups.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { PriceRecord, ProductRecord } from '../records.ts';
import { priceFromParams } from './prices.ts';
import { optionalText, productFromParams } from './product-params.ts';

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
