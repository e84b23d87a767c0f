import type { BillingSummary, LedgerEntry, TransactionPage, UsageSummary } from '../client/types.js';

/** One request the fake API received. */
export interface RecordedRequest {
  method: string;
  /** The path under `/api/billing/`, without the query, e.g. `summary`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
  /** The `Idempotency-Key` header, if the request carried one. */
  idempotencyKey: string | null;
  /** The `X-Request-Id` the answer carried (the fake numbers them, as the server gives each one an id). */
  requestId: string;
}

/** What a route answers: JSON (status 200), a Response, or a promise of either (to hold a request open). */
export type Responder = (request: RecordedRequest) => unknown;

/**
 * A stand-in for the billing server inside the test page: it answers `fetch` calls under its own
 * unique `apiBase` with canned JSON and records them. It tests the widgets, not the server (the
 * `*.server.test.ts` files do that against the real one).
 */
export class FakeBillingApi {
  private static count = 0;
  private static active = new Map<string, FakeBillingApi>();
  private static realFetch: typeof fetch | undefined;

  /** A base URL no other test uses, so each test gets its own shared store. */
  readonly apiBase = `https://billing-${++FakeBillingApi.count}.test`;
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Responder>();

  constructor(summary: BillingSummary = summaryFixture()) {
    // As the server does, a summary asked for `usage_days` carries a usage summary (here: no spend).
    this.on('get', 'summary', (r) => {
      const days = Number(r.query.get('usage_days'));
      return days && !summary.usage ? { ...summary, usage: usageFixture(days, () => ({})) } : summary;
    });
    this.on('get', 'transactions', () => ({ data: [], next_cursor: null }) satisfies TransactionPage);
    FakeBillingApi.install();
    FakeBillingApi.active.set(this.apiBase, this);
  }

  /** Sets what `method path` answers from now on. */
  on(method: string, path: string, responder: Responder): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, responder);
    return this;
  }

  /** How many requests reached `path`. */
  count(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/billing\//, '');
    const text = await request.text();
    const recorded: RecordedRequest = {
      method: request.method,
      path,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.get('authorization'),
      idempotencyKey: request.headers.get('idempotency-key'),
      requestId: `req_${this.requests.length + 1}`,
    };
    this.requests.push(recorded);
    const responder = this.routes.get(`${request.method} ${path}`);
    if (!responder) {
      throw new Error(`FakeBillingApi has no route for ${request.method} ${path}; add one with .on()`);
    }
    const answer = await responder(recorded);
    const response = answer instanceof Response ? answer : Response.json(answer);
    response.headers.set('x-request-id', recorded.requestId);
    return response;
  }

  /** Routes `fetch` calls for active fakes to them; everything else goes to the real fetch. */
  private static install(): void {
    if (FakeBillingApi.realFetch) return;
    const realFetch = window.fetch.bind(window);
    FakeBillingApi.realFetch = realFetch;
    window.fetch = (input, init) => {
      const request = new Request(input, init);
      const fake = FakeBillingApi.active.get(new URL(request.url).origin);
      return fake ? fake.handle(request) : realFetch(request);
    };
  }
}

/** A JSON error answer in the server's envelope. */
export function errorResponse(status: number, code: string, message: string, field?: string): Response {
  return Response.json({ error: { code, message, field } }, { status });
}

/** A summary as the server sends it, with the given parts replaced. */
export function summaryFixture(overrides: Partial<BillingSummary> = {}): BillingSummary {
  return {
    billing_enabled: true,
    currency: 'usd',
    credits: '12.50',
    credits_cents: 1250,
    has_payment_method: false,
    payment_method: null,
    welcome_credit: '50.00',
    welcome_credit_cents: 5000,
    welcome_granted: false,
    topup: { min: '5.00', max: '1000.00', min_cents: 500, max_cents: 100000 },
    plans: [
      {
        id: 'pro',
        name: 'Pro',
        amount: '20.00',
        amount_cents: 2000,
        interval: 'month',
        included_credit: '10.00',
        included_credit_cents: 1000,
      },
    ],
    subscription: {
      status: 'none',
      plan_id: null,
      current_period_end: null,
      cancel_at: null,
      stripe_subscription_id: null,
    },
    auto_recharge: autoRechargeFixture(),
    transactions: { data: [], next_cursor: null, limit: 20 },
    usage_forecast: { average_daily_7d: '0.00', average_daily_7d_cents: 0, runs_out_on: null },
    ...overrides,
  };
}

/** Auto-recharge turned on at $10 / $25 / $100, with $25 charged this month. */
export function autoRechargeOn(
  overrides: Partial<BillingSummary['auto_recharge']> = {},
): BillingSummary['auto_recharge'] {
  return autoRechargeFixture({
    enabled: true,
    status: 'ready',
    threshold: '10.00',
    threshold_cents: 1000,
    amount: '25.00',
    amount_cents: 2500,
    monthly_cap: '100.00',
    monthly_cap_cents: 10000,
    charged_this_month: '25.00',
    charged_this_month_cents: 2500,
    ...overrides,
  });
}

/** The summary's `auto_recharge` as the server sends it: never set up, unless `overrides` say more. */
export function autoRechargeFixture(
  overrides: Partial<BillingSummary['auto_recharge']> = {},
): BillingSummary['auto_recharge'] {
  return {
    enabled: false,
    threshold: null,
    threshold_cents: null,
    amount: null,
    amount_cents: null,
    monthly_cap: null,
    monthly_cap_cents: null,
    monthly_cap_max: '2000.00',
    monthly_cap_max_cents: 200000,
    charged_this_month: '0.00',
    charged_this_month_cents: 0,
    status: 'off',
    last_error: null,
    ...overrides,
  };
}

const cents = (n: number) => (n / 100).toFixed(2);

/**
 * A usage summary as the server sends it: `days` UTC days ending 2026-11-01, each day's spend per
 * feature from `spend(dayIndex)` (cents; zero amounts left out), with the server's totals and a
 * forecast for `balanceCents`.
 */
export function usageFixture(
  days: number,
  spend: (day: number) => Record<string, number>,
  balanceCents = 5000,
): UsageSummary {
  const end = Date.UTC(2026, 10, 1);
  const totals = new Map<string | null, number>();
  const daily = Array.from({ length: days }, (_, i) => {
    const features = Object.entries(spend(i))
      .filter(([, c]) => c > 0)
      .map(([feature, c]) => ({
        feature: feature === 'null' ? null : feature,
        amount: cents(c),
        amount_cents: c,
      }))
      .sort((a, b) => b.amount_cents - a.amount_cents);
    for (const f of features) totals.set(f.feature, (totals.get(f.feature) ?? 0) + f.amount_cents);
    const total = features.reduce((sum, f) => sum + f.amount_cents, 0);
    const date = new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return { date, total: cents(total), total_cents: total, features };
  });
  const total = daily.reduce((sum, d) => sum + d.total_cents, 0);
  const week = daily.slice(-7).reduce((sum, d) => sum + d.total_cents, 0);
  const runsOut = week
    ? new Date(end + (balanceCents / (week / 7)) * 86_400_000).toISOString().slice(0, 10)
    : null;
  return {
    currency: 'usd',
    days,
    from: daily[0]!.date,
    to: daily.at(-1)!.date,
    total: cents(total),
    total_cents: total,
    balance: cents(balanceCents),
    balance_cents: balanceCents,
    features: [...totals]
      .sort((a, b) => b[1] - a[1])
      .map(([feature, c]) => ({ feature, amount: cents(c), amount_cents: c })),
    daily,
    average_daily_7d: cents(Math.round(week / 7)),
    average_daily_7d_cents: Math.round(week / 7),
    runs_out_on: runsOut,
  };
}

/** A ledger entry as the server sends it. */
export function ledgerEntry(
  id: string,
  amountCents: number,
  balanceAfterCents: number,
  description: string,
): LedgerEntry {
  return {
    id,
    kind: amountCents < 0 ? 'usage' : 'purchase',
    amount: (amountCents / 100).toFixed(2),
    amount_cents: amountCents,
    description,
    balance_after: (balanceAfterCents / 100).toFixed(2),
    balance_after_cents: balanceAfterCents,
    created_at: '2026-03-14T12:00:00.000Z',
    stripe_object_id: null,
    feature: null,
  };
}

/** A promise with its resolve function, to hold a request open until the test lets it go. */
export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits until `condition` holds (checked every frame), failing with `what` after five seconds. */
export async function until(condition: () => unknown, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => requestAnimationFrame(r));
  }
}
