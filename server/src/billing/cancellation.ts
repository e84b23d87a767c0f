import type { AppDeps } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import { hasEnded, subscriptionFacts, subscriptionUpdate } from './subscription-mirror.ts';

/** The answer of cancel and resume, in the shape the widgets already read. */
export interface SubscriptionChangeResult {
  status: 'success';
  message: string;
}

/**
 * Schedules the caller's subscription to end at the end of the paid period
 * (`cancel_at_period_end`); access lasts until then. 404 when nothing is running.
 */
export function cancelSubscription(deps: AppDeps, identity: Identity): Promise<SubscriptionChangeResult> {
  return setCancelAtPeriodEnd(deps, identity, true);
}

/** Undoes a scheduled cancellation while the period is still running. */
export function resumeSubscription(deps: AppDeps, identity: Identity): Promise<SubscriptionChangeResult> {
  return setCancelAtPeriodEnd(deps, identity, false);
}

async function setCancelAtPeriodEnd(
  deps: AppDeps,
  identity: Identity,
  cancel: boolean,
): Promise<SubscriptionChangeResult> {
  const subscriptionId = await deps.store.liveSubscriptionId(identity.accountId, deps.clock.now());
  if (!subscriptionId) {
    throw new ApiError(404, 'no_active_subscription', 'There is no active subscription to change.');
  }
  const current = await callStripe('read the subscription', () =>
    deps.stripe.subscriptions.retrieve(subscriptionId),
  );
  if (hasEnded(subscriptionFacts(current, identity.accountId))) {
    throw new ApiError(404, 'no_active_subscription', 'The subscription has already ended.');
  }
  const updated =
    current.cancel_at_period_end === cancel
      ? current
      : await callStripe(cancel ? 'cancel the subscription' : 'resume the subscription', () =>
          deps.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: cancel }),
        );
  const facts = subscriptionFacts(updated, identity.accountId);
  const now = deps.clock.now();
  await deps.store.write(now, (unit) => {
    unit.ensureAccount(identity.accountId);
    unit.mirrorSubscription(subscriptionUpdate(facts, now));
  });
  const until = facts.currentPeriodEnd
    ? new Date(facts.currentPeriodEnd * 1000).toISOString().slice(0, 10)
    : null;
  return {
    status: 'success',
    message: cancel
      ? `Your subscription is cancelled and stays active until ${until ?? 'the end of the paid period'}.`
      : `Your subscription is active again${until ? ` and renews on ${until}` : ''}.`,
  };
}
