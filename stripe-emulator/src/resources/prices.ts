import type Stripe from 'stripe';
import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest, missingParam } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { requirePrice, requireProduct } from '../lookups.ts';
import type { ParamReader } from '../params.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { PriceRecord, ProductRecord } from '../records.ts';
import { productFromParams } from './product-params.ts';

/** Stripe's largest amount for one unit, in the minor unit ($999,999.99). */
export const MAX_UNIT_AMOUNT = 99_999_999;

/** The longest billing interval Stripe allows is three years, in each interval's own unit. */
const MAX_INTERVAL_COUNT: Record<Stripe.Price.Recurring.Interval, number> = {
  day: 1095,
  week: 156,
  month: 36,
  year: 3,
};

/** Decimal fields go over the wire as numeric strings; the SDK turns them into its Decimal type. */
export function decimalString(value: number | string): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

/** A three-letter ISO currency code, lowercased as Stripe answers it. */
export function readCurrency(p: ParamReader, key = 'currency', required = true): string | undefined {
  const raw = required ? p.string(key, { required: true }) : p.string(key);
  if (raw === undefined) return undefined;
  const currency = raw.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidParam(p.path ? `${p.path}[${key}]` : key, `Invalid currency: ${raw}.`);
  }
  return currency;
}

function readRecurring(p: ParamReader): Stripe.Price.Recurring | null {
  const recurring = p.object('recurring');
  if (!recurring) return null;
  const interval = recurring.enum('interval', ['day', 'week', 'month', 'year'] as const, { required: true });
  const max = MAX_INTERVAL_COUNT[interval];
  const intervalCount = recurring.integer('interval_count') ?? 1;
  if (intervalCount < 1 || intervalCount > max) {
    throw invalidParam(
      `${recurring.path}[interval_count]`,
      `The maximum billing interval is three years (${max} ${interval}s); interval_count must be 1 to ${max}.`,
    );
  }
  const usageType = recurring.enum('usage_type', ['licensed', 'metered'] as const) ?? 'licensed';
  if (usageType === 'metered') {
    throw invalidParam(
      `${recurring.path}[usage_type]`,
      'Metered prices are not supported by the emulator; use usage_type=licensed.',
    );
  }
  return {
    interval,
    interval_count: intervalCount,
    meter: null,
    trial_period_days: recurring.integer('trial_period_days') ?? null,
    usage_type: usageType,
  } as Stripe.Price.Recurring;
}

/** `unit_amount` or `unit_amount_decimal` (fractions of the minor unit), exactly one of them. */
function readUnitAmount(p: ParamReader): { unitAmount: number | null; decimal: string } {
  const name = (key: string) => (p.path ? `${p.path}[${key}]` : key);
  const unitAmount = p.integer('unit_amount');
  const decimal = p.string('unit_amount_decimal');
  if (unitAmount !== undefined && decimal !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: unit_amount, unit_amount_decimal.',
      name('unit_amount_decimal'),
      'parameter_invalid',
    );
  }
  if (unitAmount !== undefined) {
    if (unitAmount < 0 || unitAmount > MAX_UNIT_AMOUNT) {
      throw invalidParam(
        name('unit_amount'),
        `unit_amount must be between 0 and ${MAX_UNIT_AMOUNT} (an integer in the currency's minor unit).`,
      );
    }
    return { unitAmount, decimal: String(unitAmount) };
  }
  if (decimal !== undefined) {
    if (!/^\d{1,8}(\.\d{1,12})?$/.test(decimal) || Number(decimal) > MAX_UNIT_AMOUNT) {
      throw invalidParam(name('unit_amount_decimal'), `Invalid decimal: ${decimal}`);
    }
    const normalized = String(Number(decimal));
    return {
      unitAmount: Number.isInteger(Number(decimal)) ? Number(decimal) : null,
      decimal: normalized,
    };
  }
  throw missingParam(name('unit_amount'));
}

/** The amount, in the minor unit, of `quantity` units of a price (fractional unit prices round half up). */
export function amountFor(price: PriceRecord, quantity: number): number {
  const unit = price.unit_amount ?? Number(price.unit_amount_decimal);
  return Math.round(unit * quantity);
}

/**
 * A price built from create params, validated but not saved. `product` names an existing product
 * (or `opts.product` fixes it); `product_data` builds a new one, returned unsaved alongside.
 * Checkout's `price_data` uses the same reader with `inline: true`: such prices are single-use and
 * archived, as Stripe makes them.
 */
export function priceFromParams(
  emu: Emulator,
  p: ParamReader,
  opts: { product?: string; allowProductData?: boolean; inline?: boolean; time?: number } = {},
): { price: PriceRecord; product: ProductRecord | null } {
  const time = opts.time ?? emu.now();
  const name = (key: string) => (p.path ? `${p.path}[${key}]` : key);
  const currency = readCurrency(p)!;
  let productId = opts.product;
  let newProduct: ProductRecord | null = null;
  if (!productId) {
    const productParam = p.string('product');
    const productData = opts.allowProductData === false ? undefined : p.object('product_data');
    if (productParam && productData) {
      throw invalidRequest(
        'You may only specify one of these parameters: product, product_data.',
        name('product_data'),
        'parameter_invalid',
      );
    }
    if (productParam) {
      productId = requireProduct(emu, productParam, name('product')).id;
    } else if (productData) {
      newProduct = productFromParams(emu, productData, time);
      productId = newProduct.id;
    } else {
      throw missingParam(name(opts.allowProductData === false ? 'product' : 'product_data'));
    }
  }
  const billingScheme = p.enum('billing_scheme', ['per_unit', 'tiered'] as const) ?? 'per_unit';
  if (billingScheme === 'tiered') {
    throw invalidParam(name('billing_scheme'), 'Tiered prices are not supported by the emulator.');
  }
  for (const unsupported of ['custom_unit_amount', 'tiers', 'transform_quantity', 'currency_options']) {
    if (p.has(unsupported)) {
      throw invalidParam(name(unsupported), `${unsupported} is not supported by the emulator.`);
    }
  }
  const { unitAmount, decimal } = readUnitAmount(p);
  const recurring = readRecurring(p);
  const lookupKey = opts.inline ? null : (p.string('lookup_key') ?? null);
  if (lookupKey !== null && lookupKey.length > 200) {
    throw invalidParam('lookup_key', 'lookup_key must be at most 200 characters.');
  }
  const price: PriceRecord = {
    id: newId('price'),
    object: 'price',
    active: opts.inline ? false : (p.boolean('active') ?? true),
    billing_scheme: 'per_unit',
    created: time,
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: opts.inline ? {} : p.metadata(),
    nickname: opts.inline ? null : (p.string('nickname') ?? null),
    product: productId,
    recurring,
    tax_behavior: p.enum('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const) ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: decimalString(decimal),
  };
  if (opts.inline) price._inline = true;
  return { price, product: newProduct };
}

function pricesWithLookupKey(emu: Emulator, key: string): PriceRecord[] {
  return [...emu.store.collection<PriceRecord>('prices').values()].filter(
    (price) => price.lookup_key === key,
  );
}

/** Refuses a lookup key another price holds, unless `transfer_lookup_key` moves it here. */
function claimLookupKey(req: ApiRequest, price: PriceRecord): void {
  if (!price.lookup_key) return;
  const holders = pricesWithLookupKey(req.emu, price.lookup_key).filter((other) => other.id !== price.id);
  if (holders.length === 0) return;
  if (!req.params.boolean('transfer_lookup_key')) {
    throw invalidRequest(
      `A price (\`${holders[0]!.id}\`) already uses that lookup key.`,
      'lookup_key',
      'lookup_key_already_in_use',
    );
  }
  for (const holder of holders) {
    const before = structuredClone(holder);
    holder.lookup_key = null;
    req.emu.store.changed();
    req.emu.emitEvent('price.updated', holder, {
      request: req.eventRequest,
      previousAttributes: changedAttributes(before, holder),
    });
  }
}

function create(req: ApiRequest): PriceRecord {
  const { emu } = req;
  const { price, product } = priceFromParams(emu, req.params);
  claimLookupKey(req, price);
  if (product) {
    emu.store.put('products', product);
    emu.emitEvent('product.created', product, { request: req.eventRequest });
  }
  emu.store.put('prices', price);
  emu.emitEvent('price.created', price, { request: req.eventRequest });
  return price;
}

function update(req: ApiRequest): PriceRecord {
  const { emu, params: p } = req;
  const price = requirePrice(emu, req.path.id!);
  const next = structuredClone(price);
  if (p.has('active')) next.active = p.boolean('active') ?? next.active;
  if (p.has('nickname')) next.nickname = p.nullableString('nickname') ?? null;
  if (p.has('lookup_key')) next.lookup_key = p.nullableString('lookup_key') ?? null;
  if (p.has('tax_behavior')) {
    next.tax_behavior = p.enum('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const) ?? null;
  }
  next.metadata = p.metadata(next.metadata);
  for (const fixed of ['currency', 'unit_amount', 'recurring', 'product']) {
    if (p.has(fixed)) {
      throw invalidRequest(
        `Received unknown parameter: ${fixed}. A price's amount, currency, product and interval cannot change; create a new price instead.`,
        fixed,
        'parameter_unknown',
      );
    }
  }
  claimLookupKey(req, next);
  const previous = changedAttributes(price, next);
  if (Object.keys(previous).length === 0) return price;
  emu.store.put('prices', next);
  emu.emitEvent('price.updated', next, { request: req.eventRequest, previousAttributes: previous });
  return next;
}

function list(req: ApiRequest) {
  const p = req.params;
  const active = p.boolean('active');
  const product = p.string('product');
  const type = p.enum('type', ['one_time', 'recurring'] as const);
  const currency = readCurrency(p, 'currency', false);
  const lookupKeys = p.stringArray('lookup_keys');
  if (lookupKeys && lookupKeys.length > 10) {
    throw invalidParam('lookup_keys', 'You can pass at most 10 lookup_keys.');
  }
  const recurring = p.object('recurring');
  const interval = recurring?.enum('interval', ['day', 'week', 'month', 'year'] as const);
  const items = [...req.emu.store.collection<PriceRecord>('prices').values()].filter(
    (price) =>
      (active === undefined || price.active === active) &&
      (!product || price.product === product) &&
      (!type || price.type === type) &&
      (!currency || price.currency === currency) &&
      (!lookupKeys || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
      (!interval || price.recurring?.interval === interval),
  );
  return paginate(items, p, '/v1/prices');
}

/** `prices`: create (with `product` or `product_data`, one-time or `recurring`), retrieve, update, list. */
export function registerPrices(emu: Emulator): void {
  emu.route('post', '/v1/prices', create);
  emu.route('get', '/v1/prices/:id', (req) => requirePrice(req.emu, req.path.id!));
  emu.route('post', '/v1/prices/:id', update);
  emu.route('get', '/v1/prices', list);
}
