/**
 * Stored objects by id, or the `resource_missing` error Stripe answers for an unknown one. They live
 * below the resource modules because resources look each other's objects up (a PaymentIntent its
 * customer, a subscription its prices); this module imports no resource module.
 */
import type { Emulator } from './emulator.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import type {
  CustomerRecord,
  InvoiceRecord,
  PaymentIntentRecord,
  PriceRecord,
  ProductRecord,
  SetupIntentRecord,
  SubscriptionRecord,
  TestClockRecord,
} from './records.ts';
import type { StoredObject } from './store.ts';

/** The customer or a 404 `resource_missing`, as Stripe answers an unknown id. */
export function requireCustomer(emu: Emulator, id: string, param = 'id'): CustomerRecord {
  const customer = emu.store.get<CustomerRecord>('customers', id);
  if (!customer || (customer as { deleted?: boolean }).deleted) throw resourceMissing('customer', id, param);
  return customer;
}

/**
 * A payment method id that must already be attached to the customer, as Stripe requires for a
 * customer's or a subscription's default.
 */
export function requireAttachedPaymentMethod(
  emu: Emulator,
  customerId: string,
  pm: string,
  param: string,
): string {
  const method = emu.store.get<StoredObject & { customer: string | null }>('payment_methods', pm);
  if (!method) throw resourceMissing('payment_method', pm, param);
  if (method.customer !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${pm}. The payment method must be attached to the customer.`,
      param,
      'resource_missing',
    );
  }
  return pm;
}

/** The product or a 404 `resource_missing`, as Stripe answers an unknown id. */
export function requireProduct(emu: Emulator, id: string, param = 'id'): ProductRecord {
  const product = emu.store.get<ProductRecord>('products', id);
  if (!product) throw resourceMissing('product', id, param);
  return product;
}

/** The price or a 404 `resource_missing`, as Stripe answers an unknown id. */
export function requirePrice(emu: Emulator, id: string, param = 'id'): PriceRecord {
  const price = emu.store.get<PriceRecord>('prices', id);
  if (!price) throw resourceMissing('price', id, param);
  return price;
}

/** The subscription or a 404 `resource_missing`. */
export function requireSubscription(emu: Emulator, id: string, param = 'id'): SubscriptionRecord {
  const sub = emu.store.get<SubscriptionRecord>('subscriptions', id);
  if (!sub) throw resourceMissing('subscription', id, param);
  return sub;
}

/** The invoice or a 404 `resource_missing`. */
export function requireInvoice(emu: Emulator, id: string, param = 'id'): InvoiceRecord {
  const invoice = emu.store.get<InvoiceRecord>('invoices', id);
  if (!invoice) throw resourceMissing('invoice', id, param);
  return invoice;
}

/** The intent or a 404 `resource_missing`. */
export function requirePaymentIntent(emu: Emulator, id: string, param = 'id'): PaymentIntentRecord {
  const pi = emu.store.get<PaymentIntentRecord>('payment_intents', id);
  if (!pi) throw resourceMissing('payment_intent', id, param);
  return pi;
}

/** The intent or a 404 `resource_missing`. */
export function requireSetupIntent(emu: Emulator, id: string, param = 'id'): SetupIntentRecord {
  const si = emu.store.get<SetupIntentRecord>('setup_intents', id);
  if (!si) throw resourceMissing('setup_intent', id, param);
  return si;
}

/** The test clock or a 404 `resource_missing`. */
export function requireTestClock(emu: Emulator, id: string, param = 'id'): TestClockRecord {
  const clock = emu.store.get<TestClockRecord>('test_clocks', id);
  if (!clock) throw resourceMissing('test_clock', id, param);
  return clock;
}
