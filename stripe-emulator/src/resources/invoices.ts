import type { ApiRequest, Emulator } from '../emulator.ts';
import { invalidParam, resourceMissing, StripeApiError } from '../errors.ts';
import { type ListResult, paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { requireInvoice } from '../lookups.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type {
  CustomerRecord,
  InvoicePaymentRecord,
  InvoiceRecord,
  PriceRecord,
  SubscriptionRecord,
} from '../records.ts';
import { render, type StoredObject } from '../store.ts';
import { chargeOffSession } from './payment-intents.ts';
import { amountFor } from './prices.ts';

/** How long Stripe waits after `invoice.created` before finalizing a renewal invoice and charging it. */
export const FINALIZE_DELAY_SECONDS = 3600;

/** The subscription an invoice bills, from `parent.subscription_details`. */
export function invoiceSubscriptionId(invoice: InvoiceRecord): string | null {
  const sub = invoice.parent?.subscription_details?.subscription;
  return typeof sub === 'string' ? sub : (sub?.id ?? null);
}

/**
 * A draft invoice for one period of a subscription: one line per item, whose `period` is the
 * service period being paid. `period_start/end` are the window before it (for the first invoice,
 * the creation instant), as Stripe reports them. Saved, but no event is emitted.
 */
export function createSubscriptionInvoice(
  emu: Emulator,
  sub: SubscriptionRecord,
  args: {
    billingReason: 'subscription_create' | 'subscription_cycle';
    service: { start: number; end: number };
    window: { start: number; end: number };
    autoFinalize: boolean;
  },
): InvoiceRecord {
  const customer = emu.store.get<CustomerRecord>('customers', sub.customer as string);
  const now = emu.timeForCustomer(sub.customer as string);
  const id = newId('in');
  const lines = sub.items.data.map((item) => {
    const unit = item.price.unit_amount ?? Number(item.price.unit_amount_decimal ?? 0);
    const amount = amountFor(item.price as PriceRecord, item.quantity ?? 1);
    const product = emu.store.get<StoredObject & { name?: string }>('products', item.price.product as string);
    return {
      id: newId('il'),
      object: 'line_item',
      amount,
      currency: item.price.currency,
      description: `${item.quantity ?? 1} × ${product?.name ?? 'Subscription'}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: false,
          proration_details: { credited_items: null },
          subscription: sub.id,
          subscription_item: item.id,
        },
      },
      period: { start: args.service.start, end: args.service.end },
      pretax_credit_amounts: [],
      pricing: {
        type: 'price_details',
        price_details: { price: item.price.id, product: item.price.product },
        unit_amount_decimal: String(unit),
      },
      quantity: item.quantity ?? 1,
      quantity_decimal: String(item.quantity ?? 1),
      subscription: sub.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe emulator',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { enabled: false, liability: null, status: null, disabled_reason: null, provider: null },
    automatically_finalizes_at: args.autoFinalize ? now + FINALIZE_DELAY_SECONDS : null,
    billing_reason: args.billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: sub.customer,
    customer_account: null,
    customer_address: customer?.address ?? null,
    customer_email: customer?.email ?? null,
    customer_name: customer?.name ?? null,
    customer_phone: customer?.phone ?? null,
    customer_shipping: customer?.shipping ?? null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: args.window.end,
    period_start: args.window.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    // Removed from the API in basil; kept null because Stripe's example object still lists it.
    subscription: null,
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: sub.test_clock,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
    _first_failed_at: null,
  } as unknown as InvoiceRecord;
  emu.store.put('invoices', invoice);
  return invoice;
}

/** draft → open: numbers the invoice (`PREFIX-0001`, per customer) and emits `invoice.finalized`. */
export function finalizeInvoice(
  emu: Emulator,
  invoice: InvoiceRecord,
  request: ApiRequest['eventRequest'] | null,
): void {
  const customer = emu.store.get<CustomerRecord>('customers', invoice.customer as string);
  const now = emu.timeForCustomer(invoice.customer as string);
  if (customer) {
    const seq = customer.next_invoice_sequence ?? 1;
    invoice.number = `${customer.invoice_prefix ?? 'EMU'}-${String(seq).padStart(4, '0')}`;
    customer.next_invoice_sequence = seq + 1;
  }
  invoice.status = 'open';
  invoice.automatically_finalizes_at = null;
  invoice.effective_at = now;
  invoice.ending_balance = 0;
  invoice.status_transitions.finalized_at = now;
  emu.store.changed();
  emu.emitEvent('invoice.finalized', invoice, { request, customer: invoice.customer as string });
}

/** The card an invoice is charged to: the subscription's default, else the customer's invoice default. */
export function paymentMethodForInvoice(emu: Emulator, invoice: InvoiceRecord): string | null {
  const subId = invoiceSubscriptionId(invoice);
  const sub = subId ? emu.store.get<SubscriptionRecord>('subscriptions', subId) : undefined;
  const fromSub = sub?.default_payment_method;
  if (fromSub) return typeof fromSub === 'string' ? fromSub : fromSub.id;
  const customer = emu.store.get<CustomerRecord>('customers', invoice.customer as string);
  const fromCustomer = customer?.invoice_settings.default_payment_method;
  if (fromCustomer) return typeof fromCustomer === 'string' ? fromCustomer : fromCustomer.id;
  return null;
}

export interface PaymentAttempt {
  paid: boolean;
  /** The card error Stripe would answer when the charge failed (null when paid or when no card was on file). */
  error: StripeApiError | null;
}

/**
 * Charges an open invoice once. Paid: `invoice.paid`, `invoice.payment_succeeded`,
 * `invoice_payment.paid`. Failed: `invoice.payment_failed` then `invoice.updated`, with
 * `attempt_count` and the `next_payment_attempt` that `nextAttemptAt` picks (null = no retry).
 * The subscription's status is the caller's business.
 */
export function attemptInvoicePayment(
  emu: Emulator,
  invoice: InvoiceRecord,
  opts: {
    request: ApiRequest['eventRequest'] | null;
    nextAttemptAt: (attemptCount: number, firstFailedAt: number) => number | null;
  },
): PaymentAttempt {
  const customerId = invoice.customer as string;
  const now = emu.timeForCustomer(customerId);
  const before = structuredClone(render(invoice));
  const paymentMethod = paymentMethodForInvoice(emu, invoice);
  let error: StripeApiError | null = null;
  let paymentIntentId: string | null = null;
  let paid = invoice.amount_remaining === 0;
  if (!paid && paymentMethod) {
    try {
      const result = chargeOffSession(emu, {
        customer: customerId,
        paymentMethod,
        amount: invoice.amount_remaining,
        currency: invoice.currency,
        description:
          invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
        metadata: {},
        request: opts.request,
      });
      paymentIntentId = result.paymentIntent.id;
      error = result.error;
      paid = result.error === null;
    } catch (err) {
      // A default card deleted or detached since is a failed attempt, not a broken billing cycle.
      if (!(err instanceof StripeApiError)) throw err;
      error = err;
    }
  }
  invoice.attempt_count += 1;
  invoice.attempted = true;
  const payment = paymentIntentId ? recordInvoicePayment(emu, invoice, paymentIntentId, paid, now) : null;
  if (paid) {
    invoice.amount_paid += invoice.amount_remaining;
    invoice.amount_remaining = 0;
    invoice.status = 'paid';
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now;
    emu.store.changed();
    const options = { request: opts.request, customer: customerId };
    emu.emitEvent('invoice.paid', invoice, options);
    emu.emitEvent('invoice.payment_succeeded', invoice, options);
    if (payment) emu.emitEvent('invoice_payment.paid', payment, options);
    return { paid: true, error: null };
  }
  invoice._first_failed_at ??= now;
  invoice.next_payment_attempt = opts.nextAttemptAt(invoice.attempt_count, invoice._first_failed_at);
  emu.store.changed();
  emu.emitEvent('invoice.payment_failed', invoice, { request: opts.request, customer: customerId });
  emu.emitEvent('invoice.updated', invoice, {
    request: opts.request,
    customer: customerId,
    previousAttributes: changedAttributes(before, invoice),
  });
  return { paid: false, error };
}

/**
 * One InvoicePayment per charge attempt, each with its own PaymentIntent; a newer attempt
 * supersedes an older unpaid one (canceled, no longer the default).
 */
function recordInvoicePayment(
  emu: Emulator,
  invoice: InvoiceRecord,
  paymentIntent: string,
  paid: boolean,
  now: number,
): InvoicePaymentRecord {
  for (const earlier of paymentsOf(emu, invoice.id)) {
    if (earlier.status === 'open') {
      earlier.status = 'canceled';
      earlier.is_default = false;
      earlier.status_transitions.canceled_at = now;
    }
  }
  const payment = {
    id: newId('inpay'),
    object: 'invoice_payment',
    amount_paid: paid ? invoice.amount_remaining : null,
    amount_requested: invoice.amount_remaining,
    created: now,
    currency: invoice.currency,
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: paymentIntent },
    status: paid ? 'paid' : 'open',
    status_transitions: { canceled_at: null, paid_at: paid ? now : null },
  } as unknown as InvoicePaymentRecord;
  emu.store.put('invoice_payments', payment);
  return payment;
}

/** open → void (an expired first invoice): `invoice.voided`, then `invoice.updated`. */
export function voidInvoice(
  emu: Emulator,
  invoice: InvoiceRecord,
  request: ApiRequest['eventRequest'] | null,
): void {
  const before = structuredClone(render(invoice));
  invoice.status = 'void';
  invoice.next_payment_attempt = null;
  invoice.automatically_finalizes_at = null;
  invoice.status_transitions.voided_at = emu.timeForCustomer(invoice.customer as string);
  emu.store.changed();
  const options = { request, customer: invoice.customer as string };
  emu.emitEvent('invoice.voided', invoice, options);
  emu.emitEvent('invoice.updated', invoice, {
    ...options,
    previousAttributes: changedAttributes(before, invoice),
  });
}

/** Stops the automatic retries of an invoice whose subscription has ended (it stays open). */
export function stopRetrying(
  emu: Emulator,
  invoice: InvoiceRecord,
  request: ApiRequest['eventRequest'] | null,
): void {
  if (invoice.next_payment_attempt === null && invoice.automatically_finalizes_at === null) return;
  const before = structuredClone(render(invoice));
  invoice.next_payment_attempt = null;
  emu.store.changed();
  emu.emitEvent('invoice.updated', invoice, {
    request,
    customer: invoice.customer as string,
    previousAttributes: changedAttributes(before, invoice),
  });
}

function paymentsOf(emu: Emulator, invoiceId: string): InvoicePaymentRecord[] {
  return [...emu.store.collection<InvoicePaymentRecord>('invoice_payments').values()].filter(
    (p) => p.invoice === invoiceId,
  );
}

/** `invoice.payments` when expanded: its InvoicePayments, newest first. */
function paymentsList(emu: Emulator, invoiceId: string): ListResult<InvoicePaymentRecord> {
  return {
    object: 'list',
    data: paymentsOf(emu, invoiceId).reverse().map(render),
    has_more: false,
    url: `/v1/invoice_payments?invoice=${invoiceId}`,
  };
}

const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

/** `invoices` (retrieve, list, lines) and `invoice_payments` (retrieve, list); `payments` is includable. */
export function registerInvoices(emu: Emulator): void {
  emu.includable('invoice', 'payments', (obj) => paymentsList(emu, obj.id));
  emu.route('get', '/v1/invoices/:id/lines', (req) => {
    const invoice = requireInvoice(req.emu, req.path.id!);
    // paginate() answers newest first; lines keep the invoice's own order.
    return paginate([...invoice.lines.data].reverse(), req.params, `/v1/invoices/${invoice.id}/lines`);
  });
  emu.route('get', '/v1/invoices/:id', (req) => requireInvoice(req.emu, req.path.id!));
  emu.route('get', '/v1/invoices', (req) => {
    const p = req.params;
    const customer = p.string('customer');
    const subscription = p.string('subscription');
    const status = p.enum('status', INVOICE_STATUSES);
    const collection = p.enum('collection_method', ['charge_automatically', 'send_invoice'] as const);
    const items = [...req.emu.store.collection<InvoiceRecord>('invoices').values()].filter(
      (i) =>
        (!customer || i.customer === customer) &&
        (!subscription || invoiceSubscriptionId(i) === subscription) &&
        (!status || i.status === status) &&
        (!collection || i.collection_method === collection),
    );
    return paginate(items, p, '/v1/invoices');
  });
  emu.route('get', '/v1/invoice_payments/:id', (req) => {
    const payment = req.emu.store.get<InvoicePaymentRecord>('invoice_payments', req.path.id!);
    if (!payment) throw resourceMissing('invoice_payment', req.path.id!);
    return payment;
  });
  emu.route('get', '/v1/invoice_payments', (req) => {
    const p = req.params;
    const invoice = p.string('invoice');
    const status = p.enum('status', ['canceled', 'open', 'paid'] as const);
    const payment = p.object('payment');
    const paymentIntent = payment?.string('payment_intent');
    if (payment && !paymentIntent)
      throw invalidParam('payment[payment_intent]', 'Missing payment[payment_intent].');
    const items = [...req.emu.store.collection<InvoicePaymentRecord>('invoice_payments').values()].filter(
      (x) =>
        (!invoice || x.invoice === invoice) &&
        (!status || x.status === status) &&
        (!paymentIntent || x.payment.payment_intent === paymentIntent),
    );
    return paginate(items, p, '/v1/invoice_payments');
  });
}
