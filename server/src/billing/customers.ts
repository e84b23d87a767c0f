import type { AppDeps } from '../app-env.ts';
import type { Identity } from '../identity/identity.ts';
import { inWriteTransaction } from '../store/db.ts';
import { ensureAccount } from '../store/ledger.ts';
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
  return inWriteTransaction(deps.store, async (tx) => {
    const now = deps.clock.now();
    await ensureAccount(tx, identity.accountId, now);
    await tx.execute({
      sql: 'UPDATE accounts SET stripe_customer_id = ?, updated_at = ? WHERE id = ? AND stripe_customer_id IS NULL',
      args: [customer.id, now.toISOString(), identity.accountId],
    });
    const row = await tx.execute({
      sql: 'SELECT stripe_customer_id FROM accounts WHERE id = ?',
      args: [identity.accountId],
    });
    return String(row.rows[0]?.stripe_customer_id ?? customer.id);
  });
}

/** The customer id already recorded for an account, or null. */
export async function storedCustomerId(
  deps: Pick<AppDeps, 'store'>,
  accountId: string,
): Promise<string | null> {
  const result = await deps.store.client.execute({
    sql: 'SELECT stripe_customer_id FROM accounts WHERE id = ?',
    args: [accountId],
  });
  const id = result.rows[0]?.stripe_customer_id;
  return typeof id === 'string' && id !== '' ? id : null;
}
