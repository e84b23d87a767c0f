import type Stripe from 'stripe';
import type { RunningEmulator } from './testing.ts';

/** A customer with a saved default card, a recurring price, and (unless `subscribe: false`) a paid subscription. */
export interface Subscriber {
  customer: Stripe.Customer;
  card: Stripe.PaymentMethod;
  price: Stripe.Price;
  subscription: Stripe.Subscription;
}

/**
 * Builds a subscriber through the official SDK, the way an integration would: customer (on
 * `testClock` when given), card attached and made the invoice default, price, subscription.
 */
export async function createSubscriber(
  run: RunningEmulator,
  opts: {
    card?: string;
    amount?: number;
    interval?: 'day' | 'week' | 'month' | 'year';
    testClock?: string;
    metadata?: Record<string, string>;
  } = {},
): Promise<Subscriber> {
  const { stripe } = run;
  const customer = await stripe.customers.create({
    email: 'subscriber@example.com',
    ...(opts.testClock ? { test_clock: opts.testClock } : {}),
  });
  const card = await stripe.paymentMethods.attach(opts.card ?? 'pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: opts.amount ?? 2000,
    recurring: { interval: opts.interval ?? 'month' },
    product_data: { name: 'Pro plan' },
  });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    metadata: opts.metadata ?? { account_id: 'acct_test' },
  });
  return { customer, card, price, subscription };
}

/** The period end of a subscription's first item (all items share one period). */
export function periodEndOf(sub: Stripe.Subscription): number {
  return sub.items.data[0]!.current_period_end;
}
