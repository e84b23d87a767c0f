import type Stripe from 'stripe';
import type { ApiRequest, Emulator, EventRequest } from '../emulator.ts';
import { invalidParam, invalidRequest, missingParam, resourceMissing, StripeApiError } from '../errors.ts';
import { type ListResult, paginate } from '../expand.ts';
import { newId, randomToken } from '../ids.ts';
import { requireCustomer, requirePrice } from '../lookups.ts';
import type { ParamReader } from '../params.ts';
import type { CheckoutSessionRecord, IntentData, PriceRecord, ProductRecord } from '../records.ts';
import { render } from '../store.ts';
import { MIN_CHARGE_AMOUNT } from './payment-intents.ts';
import { amountFor, MAX_UNIT_AMOUNT, priceFromParams, readCurrency } from './prices.ts';

const HALF_HOUR = 30 * 60;
const DAY = 24 * 60 * 60;

/** Create params the emulator reads. */
const SUPPORTED_PARAMS = new Set([
  'mode',
  'ui_mode',
  'line_items',
  'currency',
  'customer',
  'customer_email',
  'customer_creation',
  'client_reference_id',
  'metadata',
  'payment_intent_data',
  'subscription_data',
  'setup_intent_data',
  'success_url',
  'cancel_url',
  'return_url',
  'redirect_on_completion',
  'expires_at',
  'allow_promotion_codes',
  'billing_address_collection',
  'locale',
  'submit_type',
  'payment_method_collection',
  'automatic_tax',
  'adaptive_pricing',
  'expand',
]);

/** Stripe create params the emulator does not emulate: refused by name rather than silently ignored. */
const UNSUPPORTED_PARAMS = new Set([
  'after_expiration',
  'allowed_payment_method_types',
  'branding_settings',
  'consent_collection',
  'custom_fields',
  'custom_text',
  'customer_account',
  'customer_update',
  'discounts',
  'excluded_payment_method_types',
  'integration_identifier',
  'invoice_creation',
  'managed_payments',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'permissions',
  'phone_number_collection',
  'saved_payment_method_options',
  'shipping_address_collection',
  'shipping_options',
  'tax_id_collection',
  'wallet_options',
]);

function rejectUnknownParams(p: ParamReader): void {
  for (const key of Object.keys(p.params)) {
    if (SUPPORTED_PARAMS.has(key)) continue;
    if (key === 'payment_method_types') {
      throw invalidRequest(
        'Received unknown parameter: payment_method_types. It was removed from Checkout Session create in API version 2026-09-30.endive; Checkout now chooses payment methods dynamically.',
        'payment_method_types',
        'parameter_unknown',
      );
    }
    if (UNSUPPORTED_PARAMS.has(key)) {
      throw invalidRequest(`${key} is not supported by the emulator.`, key, 'parameter_unknown');
    }
    throw invalidRequest(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
  }
}

/** Refuses keys of a nested hash other than those the emulator reads. */
function onlyKeys(p: ParamReader, allowed: string[]): void {
  for (const key of Object.keys(p.params)) {
    if (!allowed.includes(key)) {
      throw invalidRequest(
        `${p.path}[${key}] is not supported by the emulator (supported: ${allowed.join(', ')}).`,
        `${p.path}[${key}]`,
        'parameter_unknown',
      );
    }
  }
}

/** An http(s) URL; `{CHECKOUT_SESSION_ID}` may appear anywhere in it. */
function readUrl(p: ParamReader, key: string): string | null {
  const value = p.string(key);
  if (value === undefined) return null;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || value.length > 5000) {
    throw invalidParam(key, `Not a valid URL: ${key} must be an http or https URL.`);
  }
  return value;
}

/** `metadata` and `description` of a `*_data` hash, plus whatever else `allowed` lets through. */
function readIntentData(p: ParamReader | null | undefined, allowed: string[]): IntentData | null {
  if (!p) return null;
  onlyKeys(p, ['metadata', 'description', ...allowed]);
  const description = p.string('description') ?? null;
  return { metadata: p.metadata(), description };
}

interface PendingLine {
  price: PriceRecord;
  product: ProductRecord | null;
  inline: boolean;
  quantity: number;
  adjustable: Stripe.LineItem.AdjustableQuantity | null;
  param: string;
}

/**
 * `line_items`: each a `price` id or inline `price_data` (a single-use price, and with
 * `product_data` a new product, saved only when the whole session is valid) and a `quantity`.
 * Payment mode takes one-time prices; subscription mode recurring prices of one interval.
 */
function readLineItems(
  emu: Emulator,
  p: ParamReader,
  mode: Stripe.Checkout.Session.Mode,
  time: number,
): PendingLine[] {
  const readers = p.array('line_items');
  if (mode === 'setup') {
    if (readers) throw invalidParam('line_items', 'line_items cannot be used in setup mode.');
    return [];
  }
  if (!readers || readers.length === 0) throw missingParam('line_items');
  const max = mode === 'payment' ? 100 : 20;
  if (readers.length > max)
    throw invalidParam('line_items', `At most ${max} line items are allowed in ${mode} mode.`);
  const lines = readers.map((li): PendingLine => {
    onlyKeys(li, ['price', 'price_data', 'quantity', 'adjustable_quantity']);
    const priceId = li.string('price');
    const priceData = li.object('price_data');
    if (priceId && priceData) {
      throw invalidRequest(
        'You may only specify one of these parameters: price, price_data.',
        `${li.path}[price_data]`,
        'parameter_invalid',
      );
    }
    let price: PriceRecord;
    let product: ProductRecord | null = null;
    let param: string;
    if (priceId) {
      param = `${li.path}[price]`;
      price = requirePrice(emu, priceId, param);
      if (!price.active)
        throw invalidParam(param, `The price ${priceId} is not active and cannot be used in Checkout.`);
    } else if (priceData) {
      param = `${li.path}[price_data]`;
      ({ price, product } = priceFromParams(emu, priceData, { inline: true, time }));
    } else {
      throw missingParam(`${li.path}[price]`);
    }
    const quantity = li.integer('quantity', { required: true, min: 1, max: 999_999 });
    const adjustableParams = li.object('adjustable_quantity');
    const adjustable = adjustableParams
      ? {
          enabled: adjustableParams.boolean('enabled') ?? false,
          maximum: adjustableParams.integer('maximum') ?? null,
          minimum: adjustableParams.integer('minimum') ?? null,
        }
      : null;
    if (mode === 'payment' && price.type === 'recurring') {
      throw invalidParam(
        param,
        'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
      );
    }
    if (mode === 'subscription' && price.type !== 'recurring') {
      throw invalidParam(
        param,
        'Subscription mode in the emulator takes recurring prices only (one-time items on the first invoice are not supported).',
      );
    }
    return { price, product, inline: !priceId, quantity, adjustable, param };
  });
  const first = lines[0]!;
  for (const line of lines) {
    if (line.price.currency !== first.price.currency) {
      throw invalidParam(line.param, 'All line items must use the same currency.');
    }
    const a = line.price.recurring;
    const b = first.price.recurring;
    if (a && b && (a.interval !== b.interval || a.interval_count !== b.interval_count)) {
      throw invalidParam(
        line.param,
        'All recurring prices of a subscription must have the same billing interval.',
      );
    }
  }
  return lines;
}

function productName(emu: Emulator, line: PendingLine): string | null {
  if (line.product) return line.product.name;
  const product = emu.store.get<ProductRecord>('products', line.price.product as string);
  return product?.name ?? null;
}

/** The session's line items as Stripe lists them (`object: 'item'`, the full price inside). */
function toLineItem(emu: Emulator, line: PendingLine): Stripe.LineItem {
  const amount = amountFor(line.price, line.quantity);
  return {
    id: newId('li'),
    object: 'item',
    adjustable_quantity: line.adjustable,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: line.price.currency,
    description: productName(emu, line),
    metadata: {},
    price: render(line.price),
    quantity: line.quantity,
  };
}

function create(req: ApiRequest): CheckoutSessionRecord {
  const { emu, params: p } = req;
  rejectUnknownParams(p);
  const mode = p.enum('mode', ['payment', 'setup', 'subscription'] as const, { required: true });
  const uiMode = p.enum('ui_mode', ['hosted_page', 'embedded_page'] as const) ?? 'hosted_page';

  const successUrl = readUrl(p, 'success_url');
  const cancelUrl = readUrl(p, 'cancel_url');
  const returnUrl = readUrl(p, 'return_url');
  const redirect = p.enum('redirect_on_completion', ['always', 'if_required', 'never'] as const);
  if (uiMode === 'hosted_page') {
    if (!successUrl) throw missingParam('success_url');
    if (returnUrl)
      throw invalidParam('return_url', 'return_url can only be used with ui_mode=embedded_page.');
    if (redirect) {
      throw invalidParam(
        'redirect_on_completion',
        'redirect_on_completion can only be used with ui_mode=embedded_page.',
      );
    }
  } else {
    if (successUrl)
      throw invalidParam(
        'success_url',
        'success_url cannot be used with ui_mode=embedded_page; use return_url.',
      );
    if (cancelUrl) throw invalidParam('cancel_url', 'cancel_url cannot be used with ui_mode=embedded_page.');
    if (!returnUrl && redirect !== 'never') throw missingParam('return_url');
    if (returnUrl && redirect === 'never') {
      throw invalidParam('return_url', 'return_url cannot be used with redirect_on_completion=never.');
    }
  }

  const customerId = p.string('customer') ?? null;
  const customerEmail = p.string('customer_email') ?? null;
  const customerCreation = p.enum('customer_creation', ['always', 'if_required'] as const) ?? null;
  if (customerId) requireCustomer(emu, customerId, 'customer');
  if (customerId && customerEmail) {
    throw invalidRequest(
      'You may only specify one of these parameters: customer, customer_email.',
      'customer_email',
      'parameter_invalid',
    );
  }
  if (customerEmail && (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(customerEmail) || customerEmail.length > 800)) {
    throw invalidParam('customer_email', `Invalid email address: ${customerEmail}`);
  }
  if (customerCreation && mode === 'subscription') {
    throw invalidParam(
      'customer_creation',
      'customer_creation can only be used in payment and setup mode; subscription mode always creates a customer.',
    );
  }
  if (customerCreation && customerId) {
    throw invalidRequest(
      'You may only specify one of these parameters: customer, customer_creation.',
      'customer_creation',
      'parameter_invalid',
    );
  }
  const time = emu.timeForCustomer(customerId);

  const lines = readLineItems(emu, p, mode, time);
  const lineCurrency = lines[0]?.price.currency ?? null;
  const currency = readCurrency(p, 'currency', false) ?? null;
  if (currency && lineCurrency && currency !== lineCurrency) {
    throw invalidParam(
      'currency',
      `currency (${currency}) must match the line items' currency (${lineCurrency}).`,
    );
  }
  if (mode === 'setup' && !currency && !customerId) missingParamInSetup();
  const subtotal = lines.reduce((sum, line) => sum + amountFor(line.price, line.quantity), 0);
  if (mode !== 'setup' && subtotal > MAX_UNIT_AMOUNT) {
    throw invalidRequest(
      `The Checkout Session's total amount due must be no more than ${MAX_UNIT_AMOUNT}.`,
      'line_items',
      'amount_too_large',
    );
  }
  if (mode === 'payment' && subtotal < MIN_CHARGE_AMOUNT) {
    throw invalidRequest(
      `The Checkout Session's total amount due must add up to at least ${MIN_CHARGE_AMOUNT} (the minor unit of ${lineCurrency}).`,
      'line_items',
      'amount_too_small',
    );
  }

  const piData = p.object('payment_intent_data');
  const subData = p.object('subscription_data');
  const siData = p.object('setup_intent_data');
  if (piData && mode !== 'payment')
    throw invalidParam('payment_intent_data', 'payment_intent_data can only be used in payment mode.');
  if (subData && mode !== 'subscription') {
    throw invalidParam('subscription_data', 'subscription_data can only be used in subscription mode.');
  }
  if (siData && mode !== 'setup')
    throw invalidParam('setup_intent_data', 'setup_intent_data can only be used in setup mode.');
  const paymentIntentData = readIntentData(piData, ['setup_future_usage']);
  const setupFutureUsage = piData?.enum('setup_future_usage', ['on_session', 'off_session'] as const) ?? null;
  const subscriptionData = readIntentData(subData, []);
  const setupIntentData = readIntentData(siData, []);

  const expiresAt = p.integer('expires_at') ?? time + DAY;
  if (expiresAt < time + HALF_HOUR || expiresAt > time + DAY) {
    throw invalidParam(
      'expires_at',
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
    );
  }
  const clientReferenceId = p.string('client_reference_id') ?? null;
  if (clientReferenceId && clientReferenceId.length > 200) {
    throw invalidParam('client_reference_id', 'client_reference_id must be at most 200 characters.');
  }
  const metadata = p.metadata();
  const allowPromotionCodes = p.boolean('allow_promotion_codes') ?? null;
  const billingAddress = p.enum('billing_address_collection', ['auto', 'required'] as const) ?? null;
  const locale = (p.string('locale') as Stripe.Checkout.Session.Locale | undefined) ?? null;
  const submitType = p.enum('submit_type', ['auto', 'book', 'donate', 'pay', 'subscribe'] as const) ?? null;
  if (submitType && mode === 'setup')
    throw invalidParam('submit_type', 'submit_type cannot be used in setup mode.');
  const collection = p.enum('payment_method_collection', ['always', 'if_required'] as const) ?? null;
  if (collection && mode !== 'subscription') {
    throw invalidParam(
      'payment_method_collection',
      'payment_method_collection can only be used in subscription mode.',
    );
  }
  const automaticTax = p.object('automatic_tax');
  if (automaticTax) {
    onlyKeys(automaticTax, ['enabled']);
    if (automaticTax.boolean('enabled')) {
      throw invalidParam('automatic_tax[enabled]', 'Automatic tax is not supported by the emulator.');
    }
  }
  const adaptivePricing = p.object('adaptive_pricing');
  if (adaptivePricing) onlyKeys(adaptivePricing, ['enabled']);
  const adaptiveEnabled = adaptivePricing?.boolean('enabled') ?? false;

  // Everything is valid: from here on the session and its inline prices are saved.
  const id = newId('cs_test');
  const lineItems = lines.map((line) => toLineItem(emu, line));
  for (const line of lines) {
    if (line.product) emu.store.put('products', line.product);
    if (line.inline) emu.store.put('prices', line.price);
  }
  const paid = mode !== 'setup';
  const session: CheckoutSessionRecord = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: adaptiveEnabled },
    after_expiration: null,
    allow_promotion_codes: allowPromotionCodes,
    allowed_payment_method_types: null,
    amount_subtotal: paid ? subtotal : null,
    amount_total: paid ? subtotal : null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: billingAddress,
    cancel_url: cancelUrl,
    client_reference_id: clientReferenceId,
    client_secret: uiMode === 'embedded_page' ? `${id}_secret_${randomToken(24)}` : null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: time,
    currency: lineCurrency ?? currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: customerId,
    customer_account: null,
    customer_creation:
      mode === 'subscription' ? null : (customerCreation ?? (mode === 'payment' ? 'if_required' : null)),
    customer_details: null,
    customer_email: customerEmail,
    discounts: null,
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      mode === 'payment'
        ? {
            enabled: false,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: null,
              footer: null,
              issuer: null,
              metadata: {},
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale,
    managed_payments: null,
    metadata,
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === 'subscription' ? (collection ?? 'always') : null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { request_three_d_secure: 'automatic' },
    } as Stripe.Checkout.Session.PaymentMethodOptions,
    payment_method_types: ['card'],
    payment_status: paid ? 'unpaid' : 'no_payment_required',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: submitType,
    subscription: null,
    success_url: successUrl,
    total_details: paid ? { amount_discount: 0, amount_shipping: 0, amount_tax: 0 } : null,
    ui_mode: uiMode as Stripe.Checkout.Session.UiMode,
    url: uiMode === 'hosted_page' ? `${emu.url}/c/pay/${id}` : null,
    wallet_options: null,
    _line_items: lineItems,
    _payment_intent_data: paymentIntentData
      ? { ...paymentIntentData, setup_future_usage: setupFutureUsage }
      : null,
    _subscription_data: subscriptionData,
    _setup_intent_data: setupIntentData,
  };
  if (uiMode === 'embedded_page') {
    session.redirect_on_completion = redirect ?? 'always';
    if (returnUrl) session.return_url = returnUrl;
  }
  emu.store.put('checkout_sessions', session);
  return session;
}

function missingParamInSetup(): never {
  throw invalidRequest(
    'Missing required param: currency. Setup mode needs a currency (or a customer) to choose payment methods.',
    'currency',
    'parameter_missing',
  );
}

/** Marks an open session expired (no longer payable, `url` null) and emits `checkout.session.expired`. */
export function expireCheckoutSession(
  emu: Emulator,
  session: CheckoutSessionRecord,
  request: EventRequest,
): void {
  session.status = 'expired';
  session.url = null;
  emu.store.changed();
  emu.emitEvent('checkout.session.expired', session, {
    request,
    customer: typeof session.customer === 'string' ? session.customer : null,
  });
}

/** A session left open past `expires_at` expires the moment anyone looks at it, or when time moves. */
function expireIfDue(emu: Emulator, session: CheckoutSessionRecord): void {
  if (session.status !== 'open') return;
  const customer = typeof session.customer === 'string' ? session.customer : null;
  if (emu.timeForCustomer(customer) >= session.expires_at) expireCheckoutSession(emu, session, null);
}

/** Expires every open session whose `expires_at` has passed. */
export function expireDueCheckoutSessions(emu: Emulator): void {
  for (const session of emu.store.collection<CheckoutSessionRecord>('checkout_sessions').values()) {
    expireIfDue(emu, session);
  }
}

/** The session (expired first if its time has come) or a 404 `resource_missing`. */
export function requireCheckoutSession(emu: Emulator, id: string, param = 'id'): CheckoutSessionRecord {
  const session = emu.store.get<CheckoutSessionRecord>('checkout_sessions', id);
  if (!session) throw resourceMissing('checkout.session', id, param);
  expireIfDue(emu, session);
  return session;
}

/** The session's line items in the order they were given, as a list page. */
export function checkoutLineItems(
  session: CheckoutSessionRecord,
  params?: ParamReader,
): ListResult<Stripe.LineItem> {
  const url = `/v1/checkout/sessions/${session.id}/line_items`;
  // paginate answers newest first; line items keep their given order, so hand it the reverse.
  const items = [...session._line_items].reverse();
  if (params) return paginate(items, params, url);
  return { object: 'list', data: render(session._line_items), has_more: false, url };
}

function list(req: ApiRequest) {
  const { emu, params: p } = req;
  const customer = p.string('customer');
  const status = p.enum('status', ['open', 'complete', 'expired'] as const);
  const paymentIntent = p.string('payment_intent');
  const subscription = p.string('subscription');
  const details = p.object('customer_details');
  const email = details?.string('email');
  expireDueCheckoutSessions(emu);
  const items = [...emu.store.collection<CheckoutSessionRecord>('checkout_sessions').values()].filter(
    (s) =>
      (!customer || s.customer === customer) &&
      (!status || s.status === status) &&
      (!paymentIntent || s.payment_intent === paymentIntent) &&
      (!subscription || s.subscription === subscription) &&
      (!email || s.customer_details?.email === email),
  );
  return paginate(items, p, '/v1/checkout/sessions');
}

/**
 * `checkout/sessions`: create (payment, setup and subscription modes; hosted or embedded), retrieve,
 * list, expire and `line_items` (also includable with `expand[]=line_items`). Sessions expire at
 * `expires_at`, checked when read and whenever the emulator's time moves.
 */
export function registerCheckoutSessions(emu: Emulator): void {
  emu.includable('checkout.session', 'line_items', (obj) => checkoutLineItems(obj as CheckoutSessionRecord));
  emu.onTimeAdvance(() => expireDueCheckoutSessions(emu));
  emu.route('post', '/v1/checkout/sessions', create);
  emu.route('get', '/v1/checkout/sessions', list);
  emu.route('get', '/v1/checkout/sessions/:id', (req) => requireCheckoutSession(req.emu, req.path.id!));
  emu.route('get', '/v1/checkout/sessions/:id/line_items', (req) =>
    checkoutLineItems(requireCheckoutSession(req.emu, req.path.id!), req.params),
  );
  emu.route('post', '/v1/checkout/sessions/:id/expire', (req) => {
    const session = requireCheckoutSession(req.emu, req.path.id!);
    if (session.status !== 'open') {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
        param: 'id',
      });
    }
    expireCheckoutSession(req.emu, session, req.eventRequest);
    return session;
  });
}
