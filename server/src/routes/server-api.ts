import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { requireBillingEnabled } from '../http/billing-enabled.ts';
import { optionalText, readJsonObject } from '../http/json-body.ts';
import { requireApiKey } from '../identity/api-key.ts';
import { formatCents, parseAmount } from '../money.ts';
import { inWriteTransaction } from '../store/db.ts';
import { accountFromRow, creditLedger, type LedgerKind } from '../store/ledger.ts';
import { subscriptionSummary } from '../store/subscription-state.ts';

const ACCOUNT_ID = /^[\x21-\x7e]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Server-to-server API for the host backend (API key): `POST /usage` debits,
 * `POST /grants` credits (adjustments, refunds, promotions), `GET /accounts/:id` reads.
 */
export function serverApiRoutes(deps: AppDeps): Hono<AppEnv> {
  const { store, clock } = deps;
  const routes = new Hono<AppEnv>();
  const apiKey = requireApiKey(deps);
  const enabled = requireBillingEnabled(deps.config);

  const applyChange = async (body: Record<string, unknown>, sign: 1 | -1, kind: LedgerKind) => {
    const accountId = targetAccount(body);
    const amountCents = parseAmount(body.amount, 'amount');
    const key = body.idempotency_key;
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new ApiError(
        400,
        'invalid_idempotency_key',
        'idempotency_key is required: 1 to 255 printable characters, unique per change.',
        'idempotency_key',
      );
    }
    const description = optionalText(body, 'description') ?? null;
    const result = await inWriteTransaction(store, (tx) =>
      creditLedger(tx, {
        accountId,
        amountCents: sign * amountCents,
        kind,
        // One namespace for both routes: a key names one change, whichever route made it.
        sourceId: `api:${key}`,
        description,
        now: clock.now(),
        requireFunds: sign < 0,
      }),
    );
    return {
      account_id: accountId,
      balance: formatCents(result.balanceCents),
      balance_cents: result.balanceCents,
      entry_id: result.entryId,
      replayed: !result.applied,
    };
  };

  routes.post('/usage', apiKey, enabled, async (c) => {
    return c.json(await applyChange(await readJsonObject(c), -1, 'usage'));
  });

  routes.post('/grants', apiKey, enabled, async (c) => {
    const body = await readJsonObject(c);
    const kind = body.kind ?? 'grant';
    if (kind !== 'grant' && kind !== 'refund') {
      throw new ApiError(400, 'invalid_kind', 'kind must be "grant" or "refund".', 'kind');
    }
    return c.json(await applyChange(body, 1, kind));
  });

  routes.get('/accounts/:id', apiKey, async (c) => {
    const accountId = c.req.param('id');
    const rs = await store.client.execute({ sql: 'SELECT * FROM accounts WHERE id = ?', args: [accountId] });
    if (!rs.rows[0]) throw new ApiError(404, 'account_not_found', `No billing account "${accountId}".`);
    const account = accountFromRow(rs.rows[0]);
    return c.json({
      id: account.id,
      email: account.email,
      stripe_customer_id: account.stripeCustomerId,
      balance: formatCents(account.balanceCents),
      balance_cents: account.balanceCents,
      has_payment_method: account.defaultPaymentMethodId !== null,
      welcome_granted_at: account.welcomeGrantedAt,
      subscription: await subscriptionSummary(store.client, account.id, clock.now()),
      created_at: account.createdAt,
      updated_at: account.updatedAt,
    });
  });

  return routes;
}

/** `account_id`, or `user_id` (whose account is the user's own by default). */
function targetAccount(body: Record<string, unknown>): string {
  const value = body.account_id ?? body.user_id;
  const field = body.account_id !== undefined ? 'account_id' : 'user_id';
  if (typeof value !== 'string' || !ACCOUNT_ID.test(value)) {
    throw new ApiError(
      400,
      'invalid_account',
      'account_id or user_id is required (1 to 128 printable characters).',
      field,
    );
  }
  return value;
}
