import type { Transaction } from '@libsql/client';
import type Stripe from 'stripe';
import type { Store } from '../store/db.ts';
import { idOf } from '../stripe/expandable.ts';
import { subscriptionPeriodEnd } from '../stripe/subscription-period.ts';

/** Stripe statuses in which a subscription still bills or grants access: another one must not start. */
const LIVE_STATUSES = ['active', 'trialing', 'past_due', 'unpaid'] as const;
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
 * Writes the mirror row and brings the account's access rows for this subscription in line:
 * ended → `DISABLED` (and cut at the end time when that came early), cancelling → `cancelled_at`
 * set, resumed → cleared. A mirror row that says `canceled` stays so, because handlers that read
 * Stripe at different moments may commit out of order and an older read must not revive it.
 */
export async function recordSubscriptionState(
  tx: Transaction,
  facts: SubscriptionFacts,
  now: Date,
  statusOverride?: string,
): Promise<void> {
  const at = now.toISOString();
  await tx.execute({
    sql: `INSERT INTO subscriptions
            (stripe_subscription_id, account_id, user_id, plan_id, status, cancel_at_period_end, current_period_end, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (stripe_subscription_id) DO UPDATE SET
            status = CASE WHEN subscriptions.status IN ('canceled', 'incomplete_expired') THEN subscriptions.status ELSE excluded.status END,
            cancel_at_period_end = excluded.cancel_at_period_end,
            current_period_end = COALESCE(excluded.current_period_end, subscriptions.current_period_end),
            user_id = COALESCE(excluded.user_id, subscriptions.user_id),
            plan_id = COALESCE(excluded.plan_id, subscriptions.plan_id),
            updated_at = excluded.updated_at`,
    args: [
      facts.id,
      facts.accountId,
      facts.userId,
      facts.planId,
      statusOverride ?? facts.status,
      facts.cancelAtPeriodEnd ? 1 : 0,
      iso(facts.currentPeriodEnd),
      at,
    ],
  });
  if (hasEnded(facts)) {
    const endedAt = iso(facts.endedAt ?? facts.canceledAt) ?? at;
    await tx.execute({
      sql: `UPDATE subscription_access
            SET status = 'DISABLED',
                end_at = CASE WHEN end_at > ? THEN ? ELSE end_at END,
                cancelled_at = COALESCE(cancelled_at, ?)
            WHERE stripe_subscription_id = ? AND status = 'ACTIVE'`,
      args: [endedAt, endedAt, iso(facts.canceledAt) ?? endedAt, facts.id],
    });
  } else if (facts.cancelAtPeriodEnd) {
    await tx.execute({
      sql: `UPDATE subscription_access SET cancelled_at = ?
            WHERE stripe_subscription_id = ? AND status = 'ACTIVE' AND cancelled_at IS NULL`,
      args: [iso(facts.canceledAt) ?? at, facts.id],
    });
  } else {
    await tx.execute({
      sql: `UPDATE subscription_access SET cancelled_at = NULL
            WHERE stripe_subscription_id = ? AND status = 'ACTIVE' AND cancelled_at IS NOT NULL`,
      args: [facts.id],
    });
  }
}

/**
 * The subscription an account's cancel or resume acts on: the newest one Stripe still bills,
 * else the one behind access that is still running. Null when there is none.
 */
export async function findLiveSubscriptionId(
  store: Store,
  accountId: string,
  now: Date,
): Promise<string | null> {
  const mirrored = await store.client.execute({
    sql: `SELECT stripe_subscription_id FROM subscriptions
          WHERE account_id = ? AND status IN (${LIVE_STATUSES.map(() => '?').join(', ')})
          ORDER BY updated_at DESC LIMIT 1`,
    args: [accountId, ...LIVE_STATUSES],
  });
  if (mirrored.rows[0]) return String(mirrored.rows[0].stripe_subscription_id);
  const access = await store.client.execute({
    sql: `SELECT stripe_subscription_id FROM subscription_access
          WHERE account_id = ? AND status = 'ACTIVE' AND end_at > ? AND stripe_subscription_id IS NOT NULL
          ORDER BY end_at DESC LIMIT 1`,
    args: [accountId, now.toISOString()],
  });
  return access.rows[0] ? String(access.rows[0].stripe_subscription_id) : null;
}

/** The account a Stripe customer belongs to, from `accounts.stripe_customer_id`. */
export async function accountForCustomer(
  client: Pick<Store['client'], 'execute'>,
  customerId: string | null,
): Promise<string | null> {
  if (!customerId) return null;
  const result = await client.execute({
    sql: 'SELECT id FROM accounts WHERE stripe_customer_id = ?',
    args: [customerId],
  });
  return result.rows[0] ? String(result.rows[0].id) : null;
}
