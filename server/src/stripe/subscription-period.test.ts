import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { idOf } from './expandable.ts';
import { invoiceServicePeriod, invoiceSubscriptionId, subscriptionPeriodEnd } from './subscription-period.ts';

function line(start: number, end: number, type: string): Stripe.InvoiceLineItem {
  return { period: { start, end }, parent: { type } } as unknown as Stripe.InvoiceLineItem;
}

test('the period end of a subscription is the latest item period end', () => {
  const sub = {
    items: { data: [{ current_period_end: 200 }, { current_period_end: 300 }] },
  } as unknown as Stripe.Subscription;
  assert.equal(subscriptionPeriodEnd(sub), 300);
  assert.equal(subscriptionPeriodEnd({ items: { data: [] } } as unknown as Stripe.Subscription), null);
});

test('an invoice names its subscription through parent.subscription_details', () => {
  const invoice = {
    parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1' } },
  } as unknown as Stripe.Invoice;
  assert.equal(invoiceSubscriptionId(invoice), 'sub_1');
  const expanded = {
    parent: { type: 'subscription_details', subscription_details: { subscription: { id: 'sub_2' } } },
  } as unknown as Stripe.Invoice;
  assert.equal(invoiceSubscriptionId(expanded), 'sub_2');
  assert.equal(invoiceSubscriptionId({ parent: null } as unknown as Stripe.Invoice), null);
});

test('the paid service period comes from the subscription lines, not invoice.period_*', () => {
  const invoice = {
    period_start: 0,
    period_end: 100,
    lines: {
      data: [line(100, 200, 'subscription_item_details'), line(50, 60, 'invoice_item_details')],
    },
  } as unknown as Stripe.Invoice;
  assert.deepEqual(invoiceServicePeriod(invoice), { start: 100, end: 200 });
  const noSubscriptionLines = {
    lines: { data: [line(5, 9, 'invoice_item_details')] },
  } as unknown as Stripe.Invoice;
  assert.deepEqual(invoiceServicePeriod(noSubscriptionLines), { start: 5, end: 9 });
  assert.equal(invoiceServicePeriod({ lines: { data: [] } } as unknown as Stripe.Invoice), null);
});

test('idOf reads ids and expanded objects alike', () => {
  assert.equal(idOf('cus_1'), 'cus_1');
  assert.equal(idOf({ id: 'cus_2' }), 'cus_2');
  assert.equal(idOf(null), null);
  assert.equal(idOf(undefined), null);
});
