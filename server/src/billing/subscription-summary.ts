import type { SubscriptionAccess, SubscriptionRecords } from '../store/records.ts';
import type { BillingStore } from '../store/store.ts';

/** A paid period of subscription access, as `/subscription-access` shows it. */
export interface SubscriptionAccessView {
  start_at: string;
  end_at: string;
  created_at: string;
  cancelled_at: string | null;
  stripe_subscription_id: string | null;
}

/** What the subscription widget shows. */
export interface SubscriptionSummary {
  status: 'none' | 'active' | 'cancelling' | 'past_due' | 'ended';
  plan_id: string | null;
  current_period_end: string | null;
  cancel_at: string | null;
  stripe_subscription_id: string | null;
}

/** The access row covering `now` as the API shows it, or null. */
export function accessView(access: SubscriptionAccess | null): SubscriptionAccessView | null {
  if (!access) return null;
  return {
    start_at: access.startAt,
    end_at: access.endAt,
    created_at: access.createdAt,
    cancelled_at: access.cancelledAt,
    stripe_subscription_id: access.stripeSubscriptionId,
  };
}

/** The account's subscription summary, read from the store. */
export async function subscriptionSummary(
  store: BillingStore,
  accountId: string,
  now: Date,
): Promise<SubscriptionSummary> {
  return summarize(await store.subscriptionRecords(accountId, now));
}

/**
 * Derives the widget's subscription status from the access rows (what was paid for) and the
 * mirror of Stripe's subscription (status, cancel_at_period_end): a failed renewal shows as
 * past_due even while paid access lasts; a scheduled cancel shows as cancelling until the end.
 */
export function summarize({
  currentAccess: access,
  latestMirror: sub,
  hadAccess,
}: SubscriptionRecords): SubscriptionSummary {
  const subId = sub ? sub.stripeSubscriptionId : (access?.stripeSubscriptionId ?? null);
  const planId = sub?.planId ?? null;
  const subStatus = sub?.status ?? null;
  const periodEnd = access?.endAt ?? sub?.currentPeriodEnd ?? null;

  if (subStatus === 'past_due' || subStatus === 'unpaid') {
    return {
      status: 'past_due',
      plan_id: planId,
      current_period_end: periodEnd,
      cancel_at: null,
      stripe_subscription_id: subId,
    };
  }
  if (access) {
    const cancelling = access.cancelledAt !== null || sub?.cancelAtPeriodEnd === true;
    return {
      status: cancelling ? 'cancelling' : 'active',
      plan_id: planId,
      current_period_end: access.endAt,
      cancel_at: cancelling ? access.endAt : null,
      stripe_subscription_id: access.stripeSubscriptionId ?? subId,
    };
  }
  if (sub !== null || hadAccess) {
    const stillActive = subStatus === 'active' || subStatus === 'trialing';
    return {
      status: stillActive ? 'active' : 'ended',
      plan_id: planId,
      current_period_end: periodEnd,
      cancel_at: null,
      stripe_subscription_id: subId,
    };
  }
  return {
    status: 'none',
    plan_id: null,
    current_period_end: null,
    cancel_at: null,
    stripe_subscription_id: null,
  };
}
