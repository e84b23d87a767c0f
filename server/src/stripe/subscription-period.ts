import type Stripe from 'stripe';
import { idOf } from './expandable.ts';

/**
 * The end of a subscription's current period. Since API version basil the period lives on the
 * subscription items, not on the subscription; the latest item end is when paid access runs out.
 */
export function subscriptionPeriodEnd(subscription: Stripe.Subscription): number | null {
  const ends = subscription.items.data.map((item) => item.current_period_end);
  return ends.length ? Math.max(...ends) : null;
}

/** The subscription an invoice bills, from `parent.subscription_details` (basil and later). */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription);
}

/**
 * The service period an invoice pays for. `invoice.period_start/end` describe the window in which
 * pending items were collected (the previous period for renewals), so the period comes from the
 * subscription lines instead.
 */
export function invoiceServicePeriod(invoice: Stripe.Invoice): { start: number; end: number } | null {
  const lines = invoice.lines.data.filter((line) => line.parent?.type === 'subscription_item_details');
  const candidates = lines.length ? lines : invoice.lines.data;
  if (!candidates.length) return null;
  return {
    start: Math.min(...candidates.map((line) => line.period.start)),
    end: Math.max(...candidates.map((line) => line.period.end)),
  };
}
