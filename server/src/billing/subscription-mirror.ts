import type Stripe from 'stripe';
import type { SubscriptionUpdate } from '../store/records.ts';
import { idOf } from '../stripe/expandable.ts';
import { subscriptionPeriodEnd } from '../stripe/subscription-period.ts';

/** Terminal statuses: a subscription never comes back from these. */
const ENDED_STATUSES = new Set(['canceled', 'incomplete_expired']);

/** What we keep of a Stripe subscription, read fresh from Stripe. */
export interface SubscriptionFacts {
  id: string;
  customerId: string | null;
  accountId: string;
  userId: string | null;
  planId: string | null;
  status: string;
  cancelAtPeriodEnd: boolean;
  /** Unix seconds. */
  currentPeriodEnd: number | null;
  canceledAt: number | null;
  endedAt: number | null;
}

/** The facts of `subscription` for `accountId` (from its metadata, or the caller's lookup). */
export function subscriptionFacts(subscription: Stripe.Subscription, accountId: string): SubscriptionFacts {
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer),
    accountId,
    userId: subscription.metadata.user_id ?? null,
    planId: subscription.metadata.plan_id ?? null,
    status: subscription.status,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    currentPeriodEnd: subscriptionPeriodEnd(subscription),
    canceledAt: subscription.canceled_at,
    endedAt: subscription.ended_at,
  };
}

/** True once Stripe will never bill or reactivate the subscription. */
export function hasEnded(facts: SubscriptionFacts): boolean {
  return ENDED_STATUSES.has(facts.status);
}

const iso = (unix: number | null) => (unix === null ? null : new Date(unix * 1000).toISOString());

/**
 * What the store's mirror records of `facts` (store `mirrorSubscription`): the row, and for the
 * access rows ended (at Stripe's end time, else the cancel time, else now), cancelling, or resumed.
 */
export function subscriptionUpdate(
  facts: SubscriptionFacts,
  now: Date,
  statusOverride?: string,
): SubscriptionUpdate {
  return {
    subscriptionId: facts.id,
    accountId: facts.accountId,
    userId: facts.userId,
    planId: facts.planId,
    status: statusOverride ?? facts.status,
    cancelAtPeriodEnd: facts.cancelAtPeriodEnd,
    currentPeriodEnd: iso(facts.currentPeriodEnd),
    endedAt: hasEnded(facts) ? (iso(facts.endedAt ?? facts.canceledAt) ?? now.toISOString()) : null,
    cancelledAt: iso(facts.canceledAt),
  };
}
