import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId, randomToken } from '../ids.ts';
import { requireAttachedPaymentMethod, requireCustomer } from '../lookups.ts';
import type { ParamReader } from '../params.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { CustomerRecord } from '../records.ts';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-methods.ts';

function applyCommonFields(customer: CustomerRecord, p: ParamReader, emu: Emulator): void {
  for (const field of ['email', 'name', 'phone', 'description'] as const) {
    if (p.has(field)) customer[field] = p.nullableString(field) ?? null;
  }
  if (customer.email !== null && customer.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(customer.email)) {
    throw invalidParam('email', `Invalid email address: ${customer.email}`);
  }
  customer.metadata = p.metadata(customer.metadata);
  const settings = p.object('invoice_settings');
  if (settings) {
    const pm = settings.nullableString('default_payment_method');
    if (pm !== undefined) {
      if (pm !== null)
        requireAttachedPaymentMethod(emu, customer.id, pm, 'invoice_settings[default_payment_method]');
      customer.invoice_settings.default_payment_method = pm;
    }
  }
}

/** A new customer with every field Stripe returns, not yet saved; `created` follows its test clock. */
export function newCustomerRecord(emu: Emulator, clockId: string | null): CustomerRecord {
  return {
    id: newId('cus'),
    object: 'customer',
    address: null,
    balance: 0,
    created: emu.timeOf(clockId),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: randomToken(8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: clockId,
  } as unknown as CustomerRecord;
}

/**
 * Creates and saves a customer outside the API (Checkout creates one for a new payer) and emits
 * `customer.created`.
 */
export function createCustomer(
  emu: Emulator,
  fields: { email?: string | null; name?: string | null },
  request: ApiRequest['eventRequest'] | null,
): CustomerRecord {
  const customer = newCustomerRecord(emu, null);
  customer.email = fields.email ?? null;
  customer.name = fields.name ?? null;
  emu.store.put('customers', customer);
  emu.emitEvent('customer.created', customer, { request, customer: customer.id });
  return customer;
}

function create(req: ApiRequest): CustomerRecord {
  const { emu, params: p } = req;
  const clockId = p.string('test_clock');
  if (clockId && !emu.store.get('test_clocks', clockId))
    throw resourceMissing('test_clock', clockId, 'test_clock');
  const customer = newCustomerRecord(emu, clockId ?? null);
  const pmParam = p.string('payment_method');
  const method = pmParam ? resolvePaymentMethod(emu, pmParam, 'payment_method') : undefined;
  applyCommonFields(customer, p, emu);
  emu.store.put('customers', customer);
  emu.emitEvent('customer.created', customer, { request: req.eventRequest, customer: customer.id });
  // A payment method given at creation is attached to the new customer, as Stripe does.
  if (method) attachPaymentMethod(emu, method, customer.id, req.eventRequest);
  return customer;
}

function update(req: ApiRequest): CustomerRecord {
  const { emu, params: p } = req;
  const customer = requireCustomer(emu, req.path.id!);
  const before = structuredClone(customer);
  applyCommonFields(customer, p, emu);
  emu.store.changed();
  emu.emitEvent('customer.updated', customer, {
    request: req.eventRequest,
    customer: customer.id,
    previousAttributes: changedAttributes(before, customer),
  });
  return customer;
}

/**
 * Stripe's search query language, the part billing integrations use: `field:'value'` and
 * `metadata['key']:'value'` clauses joined by AND.
 */
function matchesSearch(customer: CustomerRecord, query: string): boolean {
  const clauses = query.split(/\s+AND\s+/i).map((c) => c.trim());
  return clauses.every((clause) => {
    const m = /^(metadata\[['"](.+?)['"]\]|[a-z_]+)\s*:\s*['"](.*)['"]$/.exec(clause);
    if (!m) throw invalidRequest(`Invalid search query: ${clause}`, 'query');
    const value = m[3]!;
    if (m[2] !== undefined) return customer.metadata[m[2]] === value;
    const field = m[1] as keyof CustomerRecord;
    if (!['email', 'name', 'phone', 'id'].includes(field as string)) {
      throw invalidRequest(`Field '${String(field)}' is not a searchable customer field.`, 'query');
    }
    return customer[field] === value;
  });
}

function live(emu: Emulator): CustomerRecord[] {
  return [...emu.store.collection<CustomerRecord>('customers').values()].filter(
    (c) => !(c as { deleted?: boolean }).deleted,
  );
}

export function registerCustomers(emu: Emulator): void {
  emu.route('post', '/v1/customers', create);
  emu.route('get', '/v1/customers/search', (req) => {
    const query = req.params.string('query', { required: true });
    const limit = req.params.integer('limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit');
    const all = live(req.emu)
      .filter((c) => matchesSearch(c, query))
      .reverse();
    const page = req.params.string('page');
    const start = page ? Number(page) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParam('page', 'Invalid page token.');
    const data = all.slice(start, start + limit);
    const more = all.length > start + limit;
    return {
      object: 'search_result',
      data,
      has_more: more,
      next_page: more ? String(start + limit) : null,
      total_count: all.length,
      url: '/v1/customers/search',
    };
  });
  emu.route('get', '/v1/customers/:id', (req) => requireCustomer(req.emu, req.path.id!));
  emu.route('post', '/v1/customers/:id', update);
  emu.route('delete', '/v1/customers/:id', (req) => {
    const customer = requireCustomer(req.emu, req.path.id!);
    // What belongs to the customer ends first (subscriptions.ts cancels its subscriptions at once), as at Stripe.
    req.emu.runCustomerDeleteListeners(customer.id, req.eventRequest);
    req.emu.store.delete('customers', customer.id);
    req.emu.emitEvent('customer.deleted', customer, { request: req.eventRequest });
    return { id: customer.id, object: 'customer', deleted: true };
  });
  emu.route('get', '/v1/customers', (req) => {
    const email = req.params.string('email');
    const clock = req.params.string('test_clock');
    const items = live(req.emu).filter(
      (c) => (!email || c.email === email) && (!clock || c.test_clock === clock),
    );
    return paginate(items, req.params, '/v1/customers');
  });
}
