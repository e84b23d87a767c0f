import type { Client, Row } from '@libsql/client';

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

/** The account's access row covering `now` (status ACTIVE, end in the future), or null. */
export async function currentAccess(
  client: Client,
  accountId: string,
  now: Date,
): Promise<SubscriptionAccessView | null> {
  const rs = await client.execute({
    sql: `SELECT start_at, end_at, created_at, cancelled_at, stripe_subscription_id FROM subscription_access
          WHERE account_id = ? AND status = 'ACTIVE' AND end_at > ? ORDER BY end_at DESC LIMIT 1`,
    args: [accountId, now.toISOString()],
  });
  const row = rs.rows[0];
  return row ? accessView(row) : null;
}

function accessView(row: Row): SubscriptionAccessView {
  return {
    start_at: String(row.start_at),
    end_at: String(row.end_at),
    created_at: String(row.created_at),
    cancelled_at: row.cancelled_at === null ? null : String(row.cancelled_at),
    stripe_subscription_id: row.stripe_subscription_id === null ? null : String(row.stripe_subscription_id),
  };
}

/**
 * Derives the widget's subscription status from the access rows (what was paid for) and the
 * mirror of Stripe's subscription (status, cancel_at_period_end): a failed renewal shows as
 * past_due even while paid access lasts; a scheduled cancel shows as cancelling until the end.
 */
export async function subscriptionSummary(
  client: Client,
  accountId: string,
  now: Date,
): Promise<SubscriptionSummary> {
  const [access, mirror, anyAccess] = await Promise.all([
    currentAccess(client, accountId, now),
    client.execute({
      sql: `SELECT stripe_subscription_id, plan_id, status, cancel_at_period_end, current_period_end FROM subscriptions
            WHERE account_id = ? ORDER BY (status IN ('canceled', 'incomplete_expired')) ASC, updated_at DESC LIMIT 1`,
      args: [accountId],
    }),
    client.execute({
      sql: 'SELECT 1 FROM subscription_access WHERE account_id = ? LIMIT 1',
      args: [accountId],
    }),
  ]);
  const sub = mirror.rows[0];
  const subId = sub ? String(sub.stripe_subscription_id) : (access?.stripe_subscription_id ?? null);
  const planId = sub && sub.plan_id !== null ? String(sub.plan_id) : null;
  const subStatus = sub ? String(sub.status) : null;
  const periodEnd =
    access?.end_at ?? (sub && sub.current_period_end !== null ? String(sub.current_period_end) : null);

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
    const cancelling =
      access.cancelled_at !== null || (sub !== undefined && Number(sub.cancel_at_period_end) === 1);
    return {
      status: cancelling ? 'cancelling' : 'active',
      plan_id: planId,
      current_period_end: access.end_at,
      cancel_at: cancelling ? access.end_at : null,
      stripe_subscription_id: access.stripe_subscription_id ?? subId,
    };
  }
  if (sub !== undefined || anyAccess.rows.length > 0) {
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
