import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import type { Plan } from '../config.ts';
import { parseAccountKey } from '../identity/account-key.ts';
import { idOf } from '../stripe/expandable.ts';
import { callStripe, isStripeMissing, stripeFailure } from '../stripe/gateway-error.ts';
import { invoiceServicePeriod, invoiceSubscriptionId } from '../stripe/subscription-period.ts';
import type { StoreChange } from './store-change.ts';
import {
  hasEnded,
  type SubscriptionFacts,
  subscriptionFacts,
  subscriptionUpdate,
} from './subscription-mirror.ts';

/** Invoices that pay for a period of a plan: the first one and each renewal. */
const PERIOD_INVOICE_REASONS = new Set(['subscription_create', 'subscription_cycle']);

/**
 * Reads a subscription from Stripe and works out whose it is: the account that owns its customer,
 * else the account key we put in its metadata at checkout. Null when it is not ours or no longer
 * exists.
 *
 * The customer comes first because our `accounts` row is authoritative and was migrated, while
 * subscriptions opened before migration 003 carry the unprefixed id in `metadata.account_id`. A
 * legacy id that itself began with `user:` or `org:` (a user whose sub was `org:x`, now
 * `user:org:x`) would read as another account's key, so metadata is trusted only when no account
 * owns the customer, and only when it is a kind-prefixed key.
 */
export async function loadSubscriptionFacts(
  deps: AppDeps,
  subscriptionId: string,
): Promise<SubscriptionFacts | null> {
  let subscription: Stripe.Subscription;
  try {
    subscription = await deps.stripe.subscriptions.retrieve(subscriptionId);
  } catch (err) {
    if (isStripeMissing(err)) return null;
    throw stripeFailure('read the subscription', err);
  }
  const fromMetadata = subscription.metadata.account_id;
  const customerId = idOf(subscription.customer);
  const accountId =
    (customerId ? await deps.store.accountIdForCustomer(customerId) : null) ??
    (fromMetadata !== undefined && parseAccountKey(fromMetadata) ? fromMetadata : null);
  if (!accountId) return null;
  return subscriptionFacts(subscription, accountId);
}

/**
 * `customer.subscription.created/updated/deleted`: mirror what Stripe says now (status,
 * cancel-at-period-end, period end), whatever the event carried, because events arrive in any order.
 */
export async function prepareSubscriptionSync(
  deps: AppDeps,
  subscriptionId: string,
): Promise<StoreChange | null> {
  const facts = await loadSubscriptionFacts(deps, subscriptionId);
  if (!facts) return null;
  return (unit) => {
    unit.ensureAccount(facts.accountId);
    unit.mirrorSubscription(subscriptionUpdate(facts, deps.clock.now()));
  };
}

/**
 * `invoice.paid` for a subscription period: one `subscription_access` row for the period the
 * invoice line pays for, and the plan's included credit, both keyed by the invoice id so a
 * replayed or duplicated event changes nothing.
 */
export async function prepareInvoicePaid(deps: AppDeps, invoiceId: string): Promise<StoreChange | null> {
  const invoice = await callStripe('read the invoice', () => deps.stripe.invoices.retrieve(invoiceId));
  if (invoice.status !== 'paid' || !PERIOD_INVOICE_REASONS.has(invoice.billing_reason ?? '')) return null;
  const subscriptionId = invoiceSubscriptionId(invoice);
  const period = invoiceServicePeriod(invoice);
  if (!subscriptionId || !period) return null;
  const facts = await loadSubscriptionFacts(deps, subscriptionId);
  if (!facts) return null;
  const plan = planOf(deps, facts.planId);
  return (unit) => {
    unit.ensureAccount(facts.accountId);
    unit.recordPaidPeriod({
      accountId: facts.accountId,
      userId: facts.userId,
      subscriptionId: facts.id,
      invoiceId: invoice.id,
      startAt: new Date(period.start * 1000).toISOString(),
      endAt: new Date(period.end * 1000).toISOString(),
      includedCredit: plan
        ? { amountCents: plan.includedCreditCents, description: `${plan.name} plan: included credit` }
        : null,
    });
    // After the access row, so an ended or cancelling subscription marks the new row too.
    unit.mirrorSubscription(subscriptionUpdate(facts, deps.clock.now()));
  };
}

/**
 * `invoice.payment_failed` on a renewal: the subscription is past due. Stripe may send the
 * subscription's own update later (or earlier), so the invoice is re-read and a payment that has
 * since succeeded wins.
 */
export async function prepareInvoicePaymentFailed(
  deps: AppDeps,
  invoiceId: string,
): Promise<StoreChange | null> {
  const invoice = await callStripe('read the invoice', () => deps.stripe.invoices.retrieve(invoiceId));
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (invoice.status !== 'open' || !subscriptionId) return null;
  const facts = await loadSubscriptionFacts(deps, subscriptionId);
  if (!facts) return null;
  const status = facts.status === 'active' || facts.status === 'trialing' ? 'past_due' : facts.status;
  return (unit) => {
    unit.ensureAccount(facts.accountId);
    unit.mirrorSubscription(
      subscriptionUpdate(facts, deps.clock.now(), hasEnded(facts) ? undefined : status),
    );
  };
}

/** The configured plan with `id`, or null for a plan this deployment no longer sells. */
function planOf(deps: AppDeps, id: string | null): Plan | null {
  return deps.config.plans.find((p) => p.id === id) ?? null;
}
