import type { AppDeps } from '../app-env.ts';
import type { Identity } from '../identity/identity.ts';
import { callStripe } from '../stripe/gateway-error.ts';

/**
 * The Stripe customer of the caller's billing account, created on first use. The create call
 * carries the idempotency key `customer:<account>` and only account-derived parameters, so two
 * racing first requests (or a retry after a lost answer) end with one customer, not two.
 */
export async function findOrCreateCustomer(deps: AppDeps, identity: Identity): Promise<string> {
  const existing = await storedCustomerId(deps, identity.accountId);
  if (existing) return existing;
  const customer = await callStripe('create the customer', () =>
    deps.stripe.customers.create(
      { metadata: { account_id: identity.accountId } },
      { idempotencyKey: `customer:${identity.accountId}` },
    ),
  );
  return deps.store.write(deps.clock.now(), (unit) => {
    unit.ensureAccount(identity.accountId);
    return unit.setCustomer(identity.accountId, customer.id);
  });
}

/** The customer id already recorded for an account, or null. */
export async function storedCustomerId(
  deps: Pick<AppDeps, 'store'>,
  accountId: string,
): Promise<string | null> {
  const id = (await deps.store.account(accountId))?.stripeCustomerId;
  return id ? id : null;
}
