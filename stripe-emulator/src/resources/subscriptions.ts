import type Stripe from 'stripe';
import { periodEnd } from '../billing-periods.ts';
import type { ApiRequest, Emulator, EventRequest } from '../emulator.ts';
import { invalidParam, invalidRequest, resourceMissing, type StripeApiError } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import {
  requireAttachedPaymentMethod,
  requireCustomer,
  requirePrice,
  requireSubscription,
} from '../lookups.ts';
import type { ParamReader } from '../params.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { CustomerRecord, InvoiceRecord, PriceRecord, SubscriptionRecord } from '../records.ts';
import { render } from '../store.ts';
import {
  attemptInvoicePayment,
  createSubscriptionInvoice,
  finalizeInvoice,
  invoiceSubscriptionId,
  stopRetrying,
  voidInvoice,
} from './invoices.ts';

const MAX_ITEMS = 20;
/** An unpaid first invoice keeps a subscription `incomplete` this long, then it expires. */
export const INCOMPLETE_EXPIRY_SECONDS = 23 * 3600;

/** A subscription's items must use recurring prices of one currency and one billing interval. */
function checkPrices(items: Array<{ price: PriceRecord; param: string }>): void {
  const [first] = items;
  for (const { price, param } of items) {
    if (price.type !== 'recurring' || !price.recurring) {
      throw invalidParam(
        param,
        `The price specified (${price.id}) is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      );
    }
    if (!price.active && !(price as { _inline?: boolean })._inline)
      throw invalidParam(param, `The price specified (${price.id}) is inactive.`);
    if (price.currency !== first!.price.currency)
      throw invalidParam(param, 'All prices on a subscription must have the same currency.');
    const a = price.recurring;
    const b = first!.price.recurring!;
    if (a.interval !== b.interval || a.interval_count !== b.interval_count)
      throw invalidParam(param, 'All prices on a subscription must have the same recurring interval.');
  }
}

/** The legacy Plan view of a recurring price, which subscription items still carry. */
function planOf(price: PriceRecord): Stripe.Plan {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring!.interval,
    interval_count: price.recurring!.interval_count,
    livemode: false,
    metadata: { ...price.metadata },
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  } as unknown as Stripe.Plan;
}

/** A new, saved subscription in `incomplete`, whose first period starts now. No event yet. */
function buildSubscription(
  emu: Emulator,
  customer: CustomerRecord,
  args: {
    items: Array<{ price: PriceRecord; quantity: number }>;
    defaultPaymentMethod: string | null;
    metadata: Record<string, string>;
    description: string | null;
  },
): SubscriptionRecord {
  const now = emu.timeForCustomer(customer.id);
  const id = newId('sub');
  const recurring = args.items[0]!.price.recurring!;
  const end = periodEnd(now, recurring, 1);
  const items = args.items.map(({ price, quantity }) => ({
    id: newId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: now,
    current_period_end: end,
    current_period_start: now,
    discounts: [],
    metadata: {},
    plan: planOf(price),
    price: render(price),
    quantity,
    subscription: id,
    tax_rates: [],
  }));
  const sub = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null, disabled_reason: null },
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic', flexible: null },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: args.items[0]!.price.currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: args.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: args.description,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: {
      object: 'list',
      data: items,
      has_more: false,
      total_count: items.length,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: { enabled: false },
    metadata: args.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: 'incomplete',
    test_clock: customer.test_clock ?? null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: null,
  } as unknown as SubscriptionRecord;
  emu.store.put('subscriptions', sub);
  return sub;
}

/** The current service period (all items share it). */
export function currentPeriod(sub: SubscriptionRecord): { start: number; end: number } {
  const item = sub.items.data[0]!;
  return { start: item.current_period_start, end: item.current_period_end };
}

/** Applies `change` to the subscription and emits one `customer.subscription.updated` with the previous values. */
function updateSubscription(
  emu: Emulator,
  sub: SubscriptionRecord,
  request: EventRequest,
  change: () => void,
): void {
  const before = render(sub);
  change();
  emu.store.changed();
  emu.emitEvent('customer.subscription.updated', sub, {
    request,
    customer: sub.customer as string,
    previousAttributes: changedAttributes(before, sub),
  });
}

/** Changes `status` and emits `customer.subscription.updated` with the previous values. */
function changeStatus(
  emu: Emulator,
  sub: SubscriptionRecord,
  status: Stripe.Subscription.Status,
  request: EventRequest,
): void {
  if (sub.status === status) return;
  updateSubscription(emu, sub, request, () => {
    sub.status = status;
  });
}

/** What a paid or failed invoice does to its subscription: paid → active; a failed renewal → past_due. */
export function settleAfterPayment(
  emu: Emulator,
  sub: SubscriptionRecord,
  paid: boolean,
  request: EventRequest,
): void {
  if (paid && (sub.status === 'incomplete' || sub.status === 'past_due'))
    changeStatus(emu, sub, 'active', request);
  else if (!paid && sub.status === 'active') changeStatus(emu, sub, 'past_due', request);
}

/**
 * Creates a subscription and charges its first invoice, emitting Stripe's sequence:
 * `customer.subscription.created` (incomplete) → `invoice.created` → `invoice.finalized` → the
 * charge's events → `invoice.paid`, `invoice.payment_succeeded`, `invoice_payment.paid` →
 * `customer.subscription.updated` (incomplete → active). When the charge fails, the invoice stays
 * open and the subscription `incomplete` (Stripe's `allow_incomplete`), or with `expireOnFailure`
 * the invoice is voided and the subscription becomes `incomplete_expired`.
 */
function startSubscription(
  emu: Emulator,
  customer: CustomerRecord,
  args: {
    items: Array<{ price: PriceRecord; quantity: number }>;
    defaultPaymentMethod: string | null;
    metadata: Record<string, string>;
    description: string | null;
    request: EventRequest;
    expireOnFailure: boolean;
  },
): {
  subscription: SubscriptionRecord;
  invoice: InvoiceRecord;
  error: StripeApiError | null;
} {
  const sub = buildSubscription(emu, customer, args);
  const period = currentPeriod(sub);
  const invoice = createSubscriptionInvoice(emu, sub, {
    billingReason: 'subscription_create',
    service: period,
    window: { start: period.start, end: period.start },
    autoFinalize: false,
  });
  sub.latest_invoice = invoice.id;
  const options = { request: args.request, customer: customer.id };
  emu.emitEvent('customer.subscription.created', sub, options);
  emu.emitEvent('invoice.created', invoice, options);
  finalizeInvoice(emu, invoice, args.request);
  const attempt = attemptInvoicePayment(emu, invoice, { request: args.request, nextAttemptAt: () => null });
  if (attempt.paid) {
    settleAfterPayment(emu, sub, true, args.request);
  } else if (args.expireOnFailure) {
    expireIncomplete(emu, sub, args.request);
  }
  return { subscription: sub, invoice, error: attempt.error };
}

/**
 * An `incomplete` subscription whose first invoice was never paid: the invoice is voided and the
 * subscription becomes `incomplete_expired` (a terminal state), with one `customer.subscription.updated`.
 */
export function expireIncomplete(emu: Emulator, sub: SubscriptionRecord, request: EventRequest): void {
  const invoiceId = typeof sub.latest_invoice === 'string' ? sub.latest_invoice : sub.latest_invoice?.id;
  const invoice = invoiceId ? emu.store.get<InvoiceRecord>('invoices', invoiceId) : undefined;
  if (invoice && invoice.status === 'open') voidInvoice(emu, invoice, request);
  updateSubscription(emu, sub, request, () => {
    sub.status = 'incomplete_expired';
    sub.ended_at = emu.timeForCustomer(sub.customer as string);
  });
}

/**
 * Checkout's subscription mode: a subscription for `customer`, paid now with `paymentMethod` (which
 * becomes its default). Emits Stripe's sequence (see `startSubscription`). If the first charge fails
 * it throws that card error and leaves nothing active (the subscription expires, its invoice is void).
 */
export function createSubscriptionFromCheckout(
  emu: Emulator,
  args: {
    customer: string;
    paymentMethod: string;
    items: Array<{ price: string; quantity: number }>;
    metadata: Record<string, string>;
    request: ApiRequest['eventRequest'] | null;
  },
): { subscription: SubscriptionRecord; invoice: InvoiceRecord } {
  const customer = requireCustomer(emu, args.customer, 'customer');
  if (args.items.length === 0) throw invalidRequest('A subscription needs at least one item.', 'line_items');
  const items = args.items.map((item, i) => ({
    price: requirePrice(emu, item.price, `line_items[${i}][price]`),
    quantity: item.quantity,
    param: `line_items[${i}][price]`,
  }));
  checkPrices(items);
  const result = startSubscription(emu, customer, {
    items,
    defaultPaymentMethod: args.paymentMethod,
    metadata: { ...args.metadata },
    description: null,
    request: args.request,
    expireOnFailure: true,
  });
  if (result.error) throw result.error;
  if (result.subscription.status !== 'active') {
    throw invalidRequest('The first invoice of the subscription could not be paid.', 'payment_method');
  }
  return { subscription: result.subscription, invoice: result.invoice };
}

/**
 * Schedules (`true`) or undoes (`false`) the end of a subscription at its period end:
 * `cancel_at` = period end and `canceled_at` = now, or both cleared; one
 * `customer.subscription.updated`. The portal page uses it; the API's update does the same.
 */
export function setCancelAtPeriodEnd(
  emu: Emulator,
  sub: SubscriptionRecord,
  cancel: boolean,
  request: EventRequest,
): void {
  assertNotEnded(sub, 'cancel_at_period_end');
  if (sub.cancel_at_period_end === cancel) return;
  updateSubscription(emu, sub, request, () => applyCancelAtPeriodEnd(emu, sub, cancel));
}

function applyCancelAtPeriodEnd(emu: Emulator, sub: SubscriptionRecord, cancel: boolean): void {
  sub.cancel_at_period_end = cancel;
  if (cancel) {
    sub.cancel_at = currentPeriod(sub).end;
    sub.canceled_at = emu.timeForCustomer(sub.customer as string);
    sub.cancellation_details = { ...sub.cancellation_details!, reason: 'cancellation_requested' };
  } else {
    sub.cancel_at = null;
    sub.canceled_at = null;
    sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
  }
}

function assertNotEnded(sub: SubscriptionRecord, param: string): void {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidRequest(
      `A ${sub.status} subscription can only update its cancellation_details and metadata.`,
      param,
      'subscription_canceled',
    );
  }
}

/**
 * Ends a subscription at the current time of its clock (status `canceled`, `ended_at`), stops
 * retrying its open invoices, and emits `customer.subscription.deleted`. The billing cycle calls it
 * with the clock set to the period end (or the last retry), so `ended_at` is that moment.
 */
export function endSubscription(
  emu: Emulator,
  sub: SubscriptionRecord,
  reason: 'cancellation_requested' | 'payment_failed',
  request: EventRequest,
): void {
  const now = emu.timeForCustomer(sub.customer as string);
  sub.status = 'canceled';
  sub.ended_at = now;
  sub.canceled_at ??= now;
  sub.cancel_at = null;
  sub.cancel_at_period_end = false;
  sub.cancellation_details = { ...sub.cancellation_details!, reason };
  emu.store.changed();
  for (const invoice of emu.store.collection<InvoiceRecord>('invoices').values()) {
    if (invoiceSubscriptionId(invoice) === sub.id && invoice.status === 'open')
      stopRetrying(emu, invoice, request);
  }
  emu.emitEvent('customer.subscription.deleted', sub, { request, customer: sub.customer as string });
}

function readQuantity(item: ParamReader, param: string): number {
  const quantity = item.integer('quantity') ?? 1;
  if (quantity < 1 || quantity > 1_000_000)
    throw invalidParam(param, `Invalid quantity ${quantity}: must be from 1 to 1000000.`);
  return quantity;
}

function readItems(
  emu: Emulator,
  p: ParamReader,
): Array<{ price: PriceRecord; quantity: number; param: string }> {
  const items = p.array('items', { required: true });
  if (items.length === 0) throw invalidParam('items', 'Missing required param: items.');
  if (items.length > MAX_ITEMS)
    throw invalidParam('items', `A subscription can have at most ${MAX_ITEMS} items.`);
  const read = items.map((item, i) => {
    const priceId = item.string('price', { required: true });
    return {
      price: requirePrice(emu, priceId, `items[${i}][price]`),
      quantity: readQuantity(item, `items[${i}][quantity]`),
      param: `items[${i}][price]`,
    };
  });
  const ids = new Set(read.map((r) => r.price.id));
  if (ids.size !== read.length)
    throw invalidParam('items', 'Each price may appear only once in a subscription’s items.');
  checkPrices(read);
  return read;
}

/** Refuses parameters this emulator does not know, as Stripe answers `Received unknown parameter`. */
function rejectUnknown(p: ParamReader, known: readonly string[]): void {
  for (const key of Object.keys(p.params)) {
    if (!known.includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
    }
  }
}

const CREATE_PARAMS = [
  'customer',
  'items',
  'default_payment_method',
  'metadata',
  'description',
  'payment_behavior',
  'collection_method',
  'off_session',
  'proration_behavior',
  'expand',
] as const;

/** `POST /v1/subscriptions`: charges the first invoice at once with the default card. */
function create(req: ApiRequest): SubscriptionRecord {
  const { emu, params: p } = req;
  rejectUnknown(p, CREATE_PARAMS);
  const customerId = p.string('customer', { required: true });
  const customer = requireCustomer(emu, customerId, 'customer');
  const items = readItems(emu, p);
  const behavior =
    p.enum('payment_behavior', ['allow_incomplete', 'error_if_incomplete'] as const) ?? 'allow_incomplete';
  p.enum('collection_method', ['charge_automatically'] as const);
  p.boolean('off_session');
  p.enum('proration_behavior', ['create_prorations', 'none', 'always_invoice'] as const);
  const description = p.nullableString('description') ?? null;
  if (description !== null && description.length > 500)
    throw invalidParam('description', 'The description must be at most 500 characters.');
  const metadata = p.metadata();
  const pmParam = p.string('default_payment_method');
  const defaultPaymentMethod = pmParam
    ? requireAttachedPaymentMethod(emu, customer.id, pmParam, 'default_payment_method')
    : null;
  if (!defaultPaymentMethod && !customer.invoice_settings.default_payment_method) {
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
      'default_payment_method',
      'resource_missing',
    );
  }
  const result = startSubscription(emu, customer, {
    items,
    defaultPaymentMethod,
    metadata,
    description,
    request: req.eventRequest,
    expireOnFailure: behavior === 'error_if_incomplete',
  });
  if (result.error && behavior === 'error_if_incomplete') throw result.error;
  return result.subscription;
}

const UPDATE_PARAMS = [
  'cancel_at_period_end',
  'cancellation_details',
  'default_payment_method',
  'metadata',
  'description',
  'proration_behavior',
  'expand',
] as const;

/** `POST /v1/subscriptions/:id`: cancel at period end (or undo), default card, metadata, description. */
function update(req: ApiRequest): SubscriptionRecord {
  const { emu, params: p } = req;
  const sub = requireSubscription(emu, req.path.id!);
  rejectUnknown(p, UPDATE_PARAMS);
  const cancel = p.boolean('cancel_at_period_end');
  const details = p.object('cancellation_details');
  const feedback = details?.enum('feedback', [
    'customer_service',
    'low_quality',
    'missing_features',
    'other',
    'switched_service',
    'too_complex',
    'too_expensive',
    'unused',
  ] as const);
  const comment = details?.nullableString('comment');
  const pm = p.nullableString('default_payment_method');
  if (pm !== undefined) assertNotEnded(sub, 'default_payment_method');
  if (cancel !== undefined) assertNotEnded(sub, 'cancel_at_period_end');
  if (pm) requireAttachedPaymentMethod(emu, sub.customer as string, pm, 'default_payment_method');
  const description = p.nullableString('description');
  if (description && description.length > 500)
    throw invalidParam('description', 'The description must be at most 500 characters.');
  p.enum('proration_behavior', ['create_prorations', 'none', 'always_invoice'] as const);
  const metadata = p.metadata(sub.metadata);

  const before = render(sub);
  if (cancel !== undefined && cancel !== sub.cancel_at_period_end) applyCancelAtPeriodEnd(emu, sub, cancel);
  if (details) {
    sub.cancellation_details = {
      ...sub.cancellation_details!,
      ...(feedback !== undefined ? { feedback } : {}),
      ...(comment !== undefined ? { comment } : {}),
    };
  }
  if (pm !== undefined) sub.default_payment_method = pm;
  if (description !== undefined) sub.description = description;
  sub.metadata = metadata;
  const changed = changedAttributes(before, sub);
  emu.store.changed();
  if (Object.keys(changed).length > 0) {
    emu.emitEvent('customer.subscription.updated', sub, {
      request: req.eventRequest,
      customer: sub.customer as string,
      previousAttributes: changed,
    });
  }
  return sub;
}

/** `DELETE /v1/subscriptions/:id`: ends it at once. */
function cancel(req: ApiRequest): SubscriptionRecord {
  const { emu, params: p } = req;
  const sub = requireSubscription(emu, req.path.id!);
  rejectUnknown(p, ['invoice_now', 'prorate', 'cancellation_details', 'expand']);
  p.boolean('invoice_now');
  p.boolean('prorate');
  const details = p.object('cancellation_details');
  const comment = details?.nullableString('comment');
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidRequest(`The subscription ${sub.id} has already ended.`, 'id', 'subscription_canceled');
  }
  if (comment !== undefined) sub.cancellation_details = { ...sub.cancellation_details!, comment };
  sub.canceled_at = emu.timeForCustomer(sub.customer as string);
  endSubscription(emu, sub, 'cancellation_requested', req.eventRequest);
  return sub;
}

const LIST_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;

function list(req: ApiRequest) {
  const p = req.params;
  const customer = p.string('customer');
  const price = p.string('price');
  const clock = p.string('test_clock');
  const status = p.enum('status', LIST_STATUSES);
  // Without a status Stripe lists every subscription that has not been canceled.
  const statusMatches = (s: SubscriptionRecord['status']) => {
    if (status === 'all') return true;
    if (status === 'ended') return s === 'canceled' || s === 'incomplete_expired';
    if (status) return s === status;
    return s !== 'canceled';
  };
  const items = [...req.emu.store.collection<SubscriptionRecord>('subscriptions').values()].filter(
    (s) =>
      statusMatches(s.status) &&
      (!customer || s.customer === customer) &&
      (!clock || s.test_clock === clock) &&
      (!price || s.items.data.some((i) => i.price.id === price)),
  );
  return paginate(items, p, '/v1/subscriptions');
}

/** The item with this id, on whichever subscription holds it. */
function findItem(emu: Emulator, id: string): Stripe.SubscriptionItem {
  for (const sub of emu.store.collection<SubscriptionRecord>('subscriptions').values()) {
    const item = sub.items.data.find((i) => i.id === id);
    if (item) return item;
  }
  throw resourceMissing('subscription_item', id);
}

/**
 * `subscriptions` (create, retrieve, update, cancel, list) and their items (read-only); deleting a
 * customer cancels its subscriptions. `billing-cycle.ts` renews them.
 */
export function registerSubscriptions(emu: Emulator): void {
  emu.route('get', '/v1/subscription_items', (req) => {
    const id = req.params.string('subscription', { required: true });
    const sub = requireSubscription(req.emu, id, 'subscription');
    // paginate() answers newest first; items keep the subscription's own order.
    return paginate(
      [...sub.items.data].reverse(),
      req.params,
      `/v1/subscription_items?subscription=${sub.id}`,
    );
  });
  emu.route('get', '/v1/subscription_items/:id', (req) => findItem(req.emu, req.path.id!));
  emu.route('post', '/v1/subscriptions', create);
  emu.route('get', '/v1/subscriptions', list);
  emu.route('get', '/v1/subscriptions/:id', (req) => requireSubscription(req.emu, req.path.id!));
  emu.route('post', '/v1/subscriptions/:id', update);
  emu.route('delete', '/v1/subscriptions/:id', cancel);
  // Deleting a customer cancels its subscriptions at once, as Stripe does.
  emu.onCustomerDelete((customerId, request) => {
    for (const sub of emu.store.collection<SubscriptionRecord>('subscriptions').values()) {
      if (sub.customer === customerId && !['canceled', 'incomplete_expired'].includes(sub.status)) {
        endSubscription(emu, sub, 'cancellation_requested', request);
      }
    }
  });
}
