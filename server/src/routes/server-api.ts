import type { OpenAPIHono } from '@hono/zod-openapi';
import * as api from '../../../contract/routes.ts';
import type { LedgerChangeRequest, UsageRequest } from '../../../contract/types.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { rechargeAfterDebit } from '../billing/auto-recharge.ts';
import { reconcileEvents } from '../billing/reconcile.ts';
import { subscriptionSummary } from '../billing/subscription-summary.ts';
import { usageTime } from '../billing/usage-summary.ts';
import { ApiError } from '../errors.ts';
import { requireBillingEnabled } from '../http/billing-enabled.ts';
import { contractRouter } from '../http/contract-router.ts';
import { isHostId, orgAccountKey, parseAccountKey, userAccountKey } from '../identity/account-key.ts';
import { requireApiKey } from '../identity/api-key.ts';
import { formatCents, parseAmount } from '../money.ts';
import type { AutoRechargeClaim, LedgerKind, LedgerResult } from '../store/records.ts';
import type { Later } from '../store/store.ts';

/**
 * Server-to-server API for the host backend (API key): `POST /usage` debits,
 * `POST /grants` credits (adjustments, refunds, promotions), `GET /accounts/:id` reads. Changes
 * name a user (`user_id`) or an organisation (`account_id`); answers and reads use the account
 * key, `user:<id>` or `org:<id>`, as the widgets' tokens do (identity/account-key.ts).
 */
export function serverApiRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { store, clock } = deps;
  const routes = contractRouter();
  const apiKey = requireApiKey(deps);
  const enabled = requireBillingEnabled(deps.config);

  // The body's shape (key, description, the account fields' form) was checked by the contract.
  const applyChange = async (
    body: LedgerChangeRequest,
    sign: 1 | -1,
    kind: LedgerKind,
    usage?: Pick<UsageRequest, 'feature' | 'occurred_at'>,
  ) => {
    const accountId = targetAccount(body);
    const amountCents = parseAmount(body.amount, 'amount');
    const key = body.idempotency_key;
    const description = body.description ?? null;
    const now = clock.now();
    const occurredAt = usage ? usageTime(usage.occurred_at, now) : null;
    let change!: Later<LedgerResult>;
    let recharge: Later<AutoRechargeClaim> | null = null;
    await store.write(now, (unit) => {
      change = unit.creditLedger({
        accountId,
        amountCents: sign * amountCents,
        kind,
        // One namespace for both routes: a key names one change, whichever route made it.
        sourceId: `api:${key}`,
        description,
        feature: usage?.feature ?? null,
        occurredAt,
        requireFunds: sign < 0,
      });
      // In the debit's own unit, so of concurrent debits only the crossing one can start a charge.
      if (sign < 0) recharge = unit.claimAutoRecharge(accountId, change);
    });
    const result = change.value;
    return {
      answer: {
        account_id: accountId,
        balance: formatCents(result.balanceCents),
        balance_cents: result.balanceCents,
        entry_id: result.entryId,
        replayed: !result.applied,
      },
      recharge: (recharge as Later<AutoRechargeClaim> | null)?.value ?? null,
    };
  };

  routes.openapi({ ...api.usage, middleware: [apiKey, enabled] }, async (c) => {
    const body = c.req.valid('json');
    const { answer, recharge } = await applyChange(body, -1, 'usage', body);
    return c.json(
      { ...answer, auto_recharge: await rechargeAfterDebit(deps, answer.account_id, recharge) },
      200,
    );
  });

  routes.openapi({ ...api.grants, middleware: [apiKey, enabled] }, async (c) => {
    const body = c.req.valid('json');
    return c.json((await applyChange(body, 1, body.kind ?? 'grant')).answer, 200);
  });

  routes.openapi({ ...api.reconcile, middleware: [apiKey] }, async (c) =>
    c.json(await reconcileEvents(deps), 200),
  );

  routes.openapi({ ...api.account, middleware: [apiKey] }, async (c) => {
    const accountId = c.req.valid('param').id;
    if (!parseAccountKey(accountId)) {
      throw new ApiError(
        400,
        'invalid_account_key',
        'The account is named by its key: user:<user id> for a user, org:<account id> for an organisation.',
        'id',
      );
    }
    const account = await store.account(accountId);
    if (!account) throw new ApiError(404, 'account_not_found', 'No billing account has this key.');
    return c.json(
      {
        id: account.id,
        email: account.email,
        stripe_customer_id: account.stripeCustomerId,
        balance: formatCents(account.balanceCents),
        balance_cents: account.balanceCents,
        has_payment_method: account.defaultPaymentMethodId !== null,
        welcome_granted_at: account.welcomeGrantedAt,
        subscription: await subscriptionSummary(store, account.id, clock.now()),
        created_at: account.createdAt,
        updated_at: account.updatedAt,
      },
      200,
    );
  });

  return routes;
}

/**
 * The account a change applies to: `user_id` names a user's own account (`user:<id>`), `account_id`
 * an organisation's (`org:<id>`), the same accounts a token's `sub` and `account` claims reach.
 */
function targetAccount(body: Record<string, unknown>): string {
  // null counts as absent, as JSON encoders of optional fields often send it.
  if (body.user_id != null && body.account_id != null) {
    throw new ApiError(
      400,
      'ambiguous_account',
      "Send user_id (a user's own balance) or account_id (an organisation's), not both.",
      'account_id',
    );
  }
  const field = body.account_id != null ? 'account_id' : 'user_id';
  const value = body[field];
  if (!isHostId(value)) {
    throw new ApiError(
      400,
      'invalid_account',
      'user_id or account_id is required (1 to 128 printable characters).',
      field,
    );
  }
  return field === 'account_id' ? orgAccountKey(value) : userAccountKey(value);
}
