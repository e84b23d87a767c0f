import { BillingApiError } from './billing-api-error.js';
import type {
  AutoRecharge,
  AutoRechargeRequest,
  BillingSummary,
  CreditBalance,
  ErrorBody,
  Redirect,
  StatusMessage,
  SubscriptionAccess,
  TokenProvider,
  TransactionPage,
  UsageSummary,
} from './types.js';

/** A request that has not answered by then fails as `network_error`, so the element can offer Retry. */
const TIMEOUT_MS = 15_000;

/** `api-base` may be the server's root or already end in `/api/billing`; both mean the same API. */
export function apiRoot(apiBase = ''): string {
  return `${apiBase.replace(/\/+$/, '').replace(/\/api\/billing$/, '')}/api/billing`;
}

/**
 * The typed client for the widget-facing billing API (every route is listed in server/README.md).
 * Every method resolves with the server's JSON or rejects with a `BillingApiError`; the fields can
 * change between calls.
 *
 * It calls `fetch` directly rather than through ky: ky weighs 4.4 KB gzipped, more than the
 * script-tag bundle's budget leaves (`GZIP_BUDGET_BYTES` in vite.config.ts); the little it would do
 * here (JSON body, one retry after a 401, a timeout) takes a few lines.
 */
export class BillingClient {
  constructor(
    /** The billing server's base URL; empty means this page's origin. */
    public apiBase = '',
    /** The bearer token (a JWT); replaced when `tokenProvider` hands out a fresh one. */
    public token?: string,
    /** Source of fresh tokens: asked when there is no token, and once more after a 401. */
    public tokenProvider?: TokenProvider,
  ) {}

  /** GET /summary */
  summary(): Promise<BillingSummary> {
    return this.call('summary');
  }

  /** GET /summary with the usage summary of the last `days` days in `usage` (a page with `<billing-usage>`). */
  summaryWithUsage(days: number): Promise<BillingSummary> {
    return this.call(`summary?usage_days=${days}`);
  }

  /** GET /usage-summary: spend per UTC day and feature over the last `days` days, and the forecast. */
  usageSummary(days: number): Promise<UsageSummary> {
    return this.call(`usage-summary?days=${days}`);
  }

  /** GET /credits: the balance alone, the cheapest read. */
  credits(): Promise<CreditBalance> {
    return this.call('credits');
  }

  /** GET /subscription-access: the paid period covering now, or null when there is none. */
  subscriptionAccess(): Promise<SubscriptionAccess | null> {
    return this.call('subscription-access');
  }

  /** POST /has-payment-method: asks Stripe whether the account has a saved card (a POST: it refreshes the server's copy). */
  hasPaymentMethod(): Promise<boolean> {
    return this.call('has-payment-method', {});
  }

  /** GET /transactions, newest first; `cursor` is the previous page's `next_cursor`. */
  transactions(limit: number, cursor?: string | null): Promise<TransactionPage> {
    return this.call(`transactions?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  }

  /** POST /create-checkout-session: a top-up of `amount` major units (at most two decimals). */
  createCheckoutSession(amount: number, return_url: string): Promise<Redirect> {
    return this.call('create-checkout-session', { amount, return_url });
  }

  /** POST /create-customer-setup-session: save a card. */
  createCustomerSetupSession(return_url: string): Promise<Redirect> {
    return this.call('create-customer-setup-session', { return_url });
  }

  /** POST /subscription-checkout-session: subscribe to `plan`. */
  subscriptionCheckoutSession(plan: string, return_url: string): Promise<Redirect> {
    return this.call('subscription-checkout-session', { plan, return_url });
  }

  /** POST /cancel-subscription: cancel at the end of the paid period. */
  cancelSubscription(): Promise<StatusMessage> {
    return this.call('cancel-subscription', {});
  }

  /** POST /resume-subscription: undo a pending cancellation. */
  resumeSubscription(): Promise<StatusMessage> {
    return this.call('resume-subscription', {});
  }

  /** POST /portal-session: the Stripe Customer Portal. */
  portalSession(return_url: string): Promise<Redirect> {
    return this.call('portal-session', { return_url });
  }

  /** PUT /auto-recharge: turn auto-recharge on or off with its threshold, amount and monthly cap (major units). */
  saveAutoRecharge(settings: AutoRechargeRequest): Promise<AutoRecharge> {
    return this.call('auto-recharge', settings, false, 'PUT');
  }

  /** GET `path`, or POST (or `method`) `body` to it; a 401 gets one retry with a fresh token from `tokenProvider`. */
  async call<T>(path: string, body?: object, retried?: boolean, method?: 'PUT'): Promise<T> {
    const provider = this.tokenProvider;
    if (provider && (retried || !this.token)) this.token = await provider();
    let response: Response;
    try {
      // No silent retries: the widgets' Retry button is the retry policy.
      response = await fetch(`${apiRoot(this.apiBase)}/${path}`, {
        method: method ?? (body ? 'POST' : 'GET'),
        body: body && JSON.stringify(body),
        headers: {
          'content-type': 'application/json',
          ...(this.token && { authorization: `Bearer ${this.token}` }),
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new BillingApiError(0, 'network_error', String(cause));
    }
    if (response.status === 401 && provider && !retried) return this.call(path, body, true, method);
    if (!response.ok) {
      const { error } = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
      throw new BillingApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? response.statusText,
        error?.field,
        response.headers.get('x-request-id') ?? undefined,
      );
    }
    return response.json();
  }
}
