import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { cardFor, isTestPaymentMethodToken, type TestCard } from '../cards.ts';
import type { ApiRequest, Emulator, EventRequest } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing, StripeApiError } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { requireCustomer } from '../lookups.ts';
import type { ParamReader } from '../params.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { CustomerRecord, PaymentMethodRecord } from '../records.ts';

/** An address with every field present and null, as Stripe renders one nobody filled in. */
export const EMPTY_ADDRESS: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

/** The card a PaymentMethod was made from, with its outcome when charged. */
export function testCardOf(pm: PaymentMethodRecord): TestCard {
  return cardFor(pm._card_number)!;
}

/** Stripe's answer to a number that is not one of its test cards (test mode refuses real cards). */
export function invalidCardNumber(param = 'card[number]'): StripeApiError {
  return new StripeApiError(400, {
    type: 'card_error',
    code: 'invalid_number',
    message:
      'Your card number is incorrect. In test mode, use one of the test cards, such as 4242 4242 4242 4242.',
    param,
  });
}

/**
 * Creates and saves a card PaymentMethod from a test card number or `pm_card_*` token. A number
 * that is not a test card is a 400 `invalid_number`; saving a card never declines (charging it may).
 * With `customer`, the new method is attached to that customer at once.
 */
export function createCardPaymentMethod(
  emu: Emulator,
  card: string,
  opts: {
    customer?: string | null;
    billing_details?: Partial<Stripe.PaymentMethod.BillingDetails>;
    expMonth?: number;
    expYear?: number;
    metadata?: Record<string, string>;
    request?: EventRequest;
  } = {},
): PaymentMethodRecord {
  const test = cardFor(card);
  if (!test) throw invalidCardNumber();
  if (opts.customer) requireCustomer(emu, opts.customer, 'customer');
  const created = emu.timeForCustomer(opts.customer);
  const pm: PaymentMethodRecord = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { ...EMPTY_ADDRESS, ...(opts.billing_details?.address ?? {}) },
      email: opts.billing_details?.email ?? null,
      name: opts.billing_details?.name ?? null,
      phone: opts.billing_details?.phone ?? null,
      tax_id: opts.billing_details?.tax_id ?? null,
    },
    card: {
      brand: test.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: test.brand,
      exp_month: opts.expMonth ?? 12,
      exp_year: opts.expYear ?? new Date(created * 1000).getUTCFullYear() + 3,
      // The same card always has the same fingerprint, as at Stripe (it identifies duplicates).
      fingerprint: createHash('sha256').update(test.number).digest('base64url').slice(0, 16),
      funding: 'credit',
      generated_from: null,
      last4: test.last4,
      networks: { available: [test.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: opts.metadata ?? {},
    type: 'card',
    _card_number: test.number,
  };
  emu.store.put('payment_methods', pm);
  if (opts.customer) attachPaymentMethod(emu, pm, opts.customer, opts.request ?? null);
  return pm;
}

/**
 * The PaymentMethod an API call names: a stored `pm_…`, or a `pm_card_*` test token, which creates
 * a new PaymentMethod on each use as Stripe does. Unknown ids are a 404 naming `param`.
 */
export function resolvePaymentMethod(
  emu: Emulator,
  idOrTestToken: string,
  param = 'payment_method',
): PaymentMethodRecord {
  if (isTestPaymentMethodToken(idOrTestToken)) return createCardPaymentMethod(emu, idOrTestToken);
  const pm = emu.store.get<PaymentMethodRecord>('payment_methods', idOrTestToken);
  if (!pm) throw resourceMissing('PaymentMethod', idOrTestToken, param);
  return pm;
}

/** Attaches a method to a customer (no change if it already is); a method of another customer is a 400. */
export function attachPaymentMethod(
  emu: Emulator,
  pm: PaymentMethodRecord,
  customerId: string,
  request: EventRequest,
): PaymentMethodRecord {
  const customer = requireCustomer(emu, customerId, 'customer');
  if (pm.customer === customer.id) return pm;
  if (pm.customer) {
    throw invalidRequest(
      `The payment method you provided has already been attached to a customer (${pm.customer}).`,
      'payment_method',
      'payment_method_unexpected_state',
    );
  }
  pm.customer = customer.id;
  emu.store.changed();
  emu.emitEvent('payment_method.attached', pm, { request, customer: customer.id });
  return pm;
}

/**
 * Detaches a method from its customer. If it was the customer's default for invoices, that default
 * is cleared too (a detached method cannot be charged).
 */
export function detachPaymentMethod(
  emu: Emulator,
  pm: PaymentMethodRecord,
  request: EventRequest,
): PaymentMethodRecord {
  const customerId = typeof pm.customer === 'string' ? pm.customer : null;
  if (!customerId) {
    throw invalidRequest(
      `The payment method ${pm.id} is not attached to a customer, so it cannot be detached.`,
      'payment_method',
      'payment_method_unexpected_state',
    );
  }
  pm.customer = null;
  emu.store.changed();
  emu.emitEvent('payment_method.detached', pm, {
    request,
    customer: customerId,
    previousAttributes: { customer: customerId },
  });
  const customer = emu.store.get<CustomerRecord>('customers', customerId);
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    const before = structuredClone(customer);
    customer.invoice_settings.default_payment_method = null;
    emu.store.changed();
    emu.emitEvent('customer.updated', customer, {
      request,
      customer: customerId,
      previousAttributes: changedAttributes(before, customer),
    });
  }
  return pm;
}

function readBillingDetails(p: ParamReader): Partial<Stripe.PaymentMethod.BillingDetails> | undefined {
  const details = p.object('billing_details');
  if (!details) return undefined;
  const out: Partial<Stripe.PaymentMethod.BillingDetails> = {};
  for (const key of ['email', 'name', 'phone'] as const) {
    if (details.has(key)) out[key] = details.nullableString(key) ?? null;
  }
  if (out.email && !/^[^@\s]+@[^@\s]+$/.test(out.email)) {
    throw invalidParam('billing_details[email]', `Invalid email address: ${out.email}`);
  }
  const address = details.object('address');
  if (address) {
    const a = { ...EMPTY_ADDRESS };
    for (const key of Object.keys(EMPTY_ADDRESS) as Array<keyof Stripe.Address>) {
      if (address.has(key)) a[key] = address.nullableString(key) ?? null;
    }
    out.address = a;
  }
  return out;
}

/** `card[exp_month]` and `card[exp_year]`, which must not be in the past. */
function readExpiry(emu: Emulator, card: ParamReader, required: boolean) {
  const month = required
    ? card.integer('exp_month', { required: true, min: 1, max: 12 })
    : card.integer('exp_month');
  const year = required ? card.integer('exp_year', { required: true }) : card.integer('exp_year');
  if (month !== undefined && (month < 1 || month > 12)) {
    throw invalidParam('card[exp_month]', "Your card's expiration month is invalid.");
  }
  if (year !== undefined) {
    const now = new Date(emu.now() * 1000);
    const thisYear = now.getUTCFullYear();
    if (
      year < thisYear ||
      year > thisYear + 50 ||
      (year === thisYear && (month ?? 12) < now.getUTCMonth() + 1)
    ) {
      throw new StripeApiError(402, {
        type: 'card_error',
        code: 'invalid_expiry_year',
        message: "Your card's expiration year is invalid.",
        param: 'card[exp_year]',
      });
    }
  }
  return { month, year };
}

function create(req: ApiRequest): PaymentMethodRecord {
  const { emu, params: p } = req;
  const type = p.string('type', { required: true });
  if (type !== 'card') {
    throw invalidParam('type', `The emulator supports PaymentMethods of type card only (got ${type}).`);
  }
  const card = p.object('card', { required: true });
  const number = card.string('number', { required: true });
  const { month, year } = readExpiry(emu, card, true);
  const cvc = card.string('cvc');
  if (cvc !== undefined && !/^\d{3,4}$/.test(cvc)) {
    throw new StripeApiError(402, {
      type: 'card_error',
      code: 'invalid_cvc',
      message: "Your card's security code is invalid.",
      param: 'card[cvc]',
    });
  }
  if (!cardFor(number) || /^pm_/.test(number)) throw invalidCardNumber();
  const billingDetails = readBillingDetails(p);
  const metadata = p.metadata();
  return createCardPaymentMethod(emu, number, {
    billing_details: billingDetails,
    expMonth: month,
    expYear: year,
    metadata,
  });
}

function update(req: ApiRequest): PaymentMethodRecord {
  const { emu, params: p } = req;
  const pm = resolvePaymentMethod(emu, req.path.id!, 'id');
  const next = structuredClone(pm);
  const details = readBillingDetails(p);
  if (details) {
    next.billing_details = {
      ...next.billing_details,
      ...details,
      address: details.address ?? next.billing_details.address,
    };
  }
  next.metadata = p.metadata(next.metadata ?? {});
  const redisplay = p.enum('allow_redisplay', ['always', 'limited', 'unspecified'] as const);
  if (redisplay) next.allow_redisplay = redisplay;
  const card = p.object('card');
  if (card && next.card) {
    const { month, year } = readExpiry(emu, card, false);
    if (month !== undefined) next.card.exp_month = month;
    if (year !== undefined) next.card.exp_year = year;
  }
  const previous = changedAttributes(pm, next);
  if (Object.keys(previous).length === 0) return pm;
  emu.store.put('payment_methods', next);
  emu.emitEvent('payment_method.updated', next, {
    request: req.eventRequest,
    customer: typeof next.customer === 'string' ? next.customer : null,
    previousAttributes: previous,
  });
  return next;
}

/** A customer's methods, newest first, optionally of one `type` and `allow_redisplay` value. */
function listForCustomer(req: ApiRequest, customerId: string, url: string) {
  const p = req.params;
  const type = p.string('type');
  const redisplay = p.enum('allow_redisplay', ['always', 'limited', 'unspecified'] as const);
  const items = [...req.emu.store.collection<PaymentMethodRecord>('payment_methods').values()].filter(
    (pm) =>
      pm.customer === customerId &&
      (!type || pm.type === type) &&
      (!redisplay || pm.allow_redisplay === redisplay),
  );
  return paginate(items, p, url);
}

/**
 * `payment_methods`: create (type card, test numbers), retrieve, update, attach, detach, list by
 * customer; and `customers/:id/payment_methods` (list, retrieve one).
 */
export function registerPaymentMethods(emu: Emulator): void {
  emu.route('post', '/v1/payment_methods', create);
  emu.route('get', '/v1/payment_methods', (req) => {
    const customer = req.params.string('customer');
    if (!customer) {
      // Listing every method of an account is not something Stripe allows; it wants a customer.
      throw invalidRequest('Missing required param: customer.', 'customer', 'parameter_missing');
    }
    requireCustomer(req.emu, customer, 'customer');
    return listForCustomer(req, customer, '/v1/payment_methods');
  });
  emu.route('get', '/v1/payment_methods/:id', (req) => {
    const pm = req.emu.store.get<PaymentMethodRecord>('payment_methods', req.path.id!);
    if (!pm) throw resourceMissing('PaymentMethod', req.path.id!);
    return pm;
  });
  emu.route('post', '/v1/payment_methods/:id', update);
  emu.route('post', '/v1/payment_methods/:id/attach', (req) => {
    const customer = req.params.string('customer', { required: true });
    requireCustomer(req.emu, customer, 'customer');
    const pm = resolvePaymentMethod(req.emu, req.path.id!, 'id');
    return attachPaymentMethod(req.emu, pm, customer, req.eventRequest);
  });
  emu.route('post', '/v1/payment_methods/:id/detach', (req) => {
    const pm = req.emu.store.get<PaymentMethodRecord>('payment_methods', req.path.id!);
    if (!pm) throw resourceMissing('PaymentMethod', req.path.id!);
    return detachPaymentMethod(req.emu, pm, req.eventRequest);
  });
  emu.route('get', '/v1/customers/:id/payment_methods', (req) => {
    const customer = requireCustomer(req.emu, req.path.id!);
    return listForCustomer(req, customer.id, `/v1/customers/${customer.id}/payment_methods`);
  });
  emu.route('get', '/v1/customers/:id/payment_methods/:pm', (req) => {
    const customer = requireCustomer(req.emu, req.path.id!);
    const pm = req.emu.store.get<PaymentMethodRecord>('payment_methods', req.path.pm!);
    if (!pm || pm.customer !== customer.id) throw resourceMissing('PaymentMethod', req.path.pm!, 'id');
    return pm;
  });
}
