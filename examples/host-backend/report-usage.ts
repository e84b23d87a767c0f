/** One metered use of the product, charged against a user's or an organisation's credits. */
export interface UsageReport {
  /** The user whose own balance pays (the token's `sub`). Send this or `account_id`, not both. */
  user_id?: string;
  /** The organisation whose shared balance pays (the token's `account` claim). */
  account_id?: string;
  /** Major units (dollars) as a JSON number with at most two decimals, e.g. `0.25`. */
  amount: number;
  /** Unique per use: the same key twice debits once, so a retried report is safe. */
  idempotency_key: string;
  description?: string;
  /** What it was spent on, a short key such as `chat` or `images`: `<billing-usage>` splits spend by it. */
  feature?: string;
  /** When it happened (ISO 8601; at most 35 days back), if not now: e.g. metering sent in batches. */
  occurred_at?: string;
}

/** The billing server's answer to a usage report. */
export interface UsageResult {
  /** The account key: `user:<user_id>` or `org:<account_id>`. */
  account_id: string;
  balance: string;
  balance_cents: number;
  entry_id: string;
  /** True when this key was already reported: nothing was debited this time. */
  replayed: boolean;
  /**
   * The user's auto-recharge after this debit: `started` when this debit took the balance below the
   * user's threshold and the saved card is being charged (the credit follows within seconds).
   */
  auto_recharge: { started: boolean; status: 'off' | 'ready' | 'charging' | 'failed' | 'action_required' };
}

/** A refusal from the billing server, e.g. 402 `insufficient_credits` (nothing was debited). */
export class BillingServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BillingServerError';
  }
}

/**
 * Reports usage to the billing server (`POST /api/billing/usage` with the server-to-server API
 * key). It debits only when the balance covers the amount; otherwise it throws a 402
 * `BillingServerError` and the balance is unchanged, so the host can refuse the work.
 */
export async function reportUsage(
  billingUrl: string,
  apiKey: string,
  usage: UsageReport,
): Promise<UsageResult> {
  const response = await fetch(`${billingUrl.replace(/\/+$/, '')}/api/billing/usage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(usage),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as UsageResult & {
    error?: { code: string; message: string };
  };
  if (!response.ok) {
    throw new BillingServerError(
      response.status,
      body.error?.code ?? `http_${response.status}`,
      body.error?.message ?? response.statusText,
    );
  }
  return body;
}
