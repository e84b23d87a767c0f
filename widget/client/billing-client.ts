import ky, { HTTPError, type Options } from 'ky';
import { BillingApiError } from './billing-api-error.js';
import type {
  AutoRecharge,
  AutoRechargeRequest,
  BillingSummary,
  CheckoutStart,
  CheckoutUi,
  CreditBalance,
  ErrorBody,
  Redirect,
  StatusMessage,
  SubscriptionAccess,
  TokenProvider,
  TransactionPage,
  UsageSummary,
} from './types.js';

/** The longest `Retry-After` waited out (a longer one is cut to this); after that the element's Retry button is the way. */
const MAX_RETRY_AFTER_MS = 5_000;

/** `api-base` may be the server's root or already end in `/api/billing`; both mean the same API. */
export function apiRoot(apiBase = ''): string {
  return `${apiBase.replace(/\/+$/, '').replace(/\/api\/billing$/, '')}/api/billing`;
}

/**
 * The typed client for the widget-facing billing API (every route is listed in server/README.md),
 * on ky. Every method resolves with the server's JSON or rejects with a `BillingApiError`; the
 * fields can change between calls.
 *
 * - the token (asked from `tokenProvider` when there is none) goes on in a `beforeRequest` hook, and
 *   a 401 asks the provider once more and repeats the request once;
 * - reads, and writes that carry an `Idempotency-Key`, are retried twice with backoff on 408, 429
 *   and 5xx and on network failure, waiting out `Retry-After` (at most 5 s); any other
 *   write is sent once (a second checkout session must never open behind the user's back);
 * - a request unanswered after 10 s (ky's default timeout) fails as `network_error`, so the element
 *   can offer Retry.
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

  /**
   * POST /create-checkout-session: a top-up of `amount` major units (at most two decimals); with
   * `ui_mode` `embedded` the answer is the session's client secret instead of a page to go to.
   */
  createCheckoutSession(amount: number, return_url: string, ui_mode?: 'redirect'): Promise<Redirect>;
  createCheckoutSession(amount: number, return_url: string, ui_mode?: CheckoutUi): Promise<CheckoutStart>;
  createCheckoutSession(amount: number, return_url: string, ui_mode?: CheckoutUi): Promise<CheckoutStart> {
    return this.call('create-checkout-session', { amount, return_url, ui_mode });
  }

  /** POST /create-customer-setup-session: save a card. */
  createCustomerSetupSession(return_url: string, ui_mode?: 'redirect'): Promise<Redirect>;
  createCustomerSetupSession(return_url: string, ui_mode?: CheckoutUi): Promise<CheckoutStart>;
  createCustomerSetupSession(return_url: string, ui_mode?: CheckoutUi): Promise<CheckoutStart> {
    return this.call('create-customer-setup-session', { return_url, ui_mode });
  }

  /** POST /subscription-checkout-session: subscribe to `plan`. */
  subscriptionCheckoutSession(plan: string, return_url: string, ui_mode?: 'redirect'): Promise<Redirect>;
  subscriptionCheckoutSession(plan: string, return_url: string, ui_mode?: CheckoutUi): Promise<CheckoutStart>;
  subscriptionCheckoutSession(
    plan: string,
    return_url: string,
    ui_mode?: CheckoutUi,
  ): Promise<CheckoutStart> {
    return this.call('subscription-checkout-session', { plan, return_url, ui_mode });
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
    return this.call('auto-recharge', settings, undefined, 'put');
  }

  /**
   * GET `path`, or POST (or `method`) `body` to it; an `idempotencyKey` (sent as `Idempotency-Key`)
   * makes the POST safe to retry. See the class comment for tokens, retries and the timeout.
   */
  async call<T>(path: string, body?: object, idempotencyKey?: string, method?: 'put'): Promise<T> {
    const provider = this.tokenProvider;
    let refreshed = false;
    const options: Options = {
      method: method ?? (body ? 'post' : 'get'),
      json: body,
      headers: { 'idempotency-key': idempotencyKey },
      // No `fetch` option: ky takes `globalThis.fetch` when each request starts, so a fetch replaced
      // after this module loaded (the widget tests' fake) is the one used.
      // ky's defaults: 2 retries, 0.3 s then 0.6 s apart.
      // A POST without an idempotency key is never retried: its method is not in the list (the one
      // repeat after a 401 is forced, so it still happens).
      retry: { methods: [idempotencyKey ? 'post' : 'get'], maxRetryAfter: MAX_RETRY_AFTER_MS },
      hooks: {
        beforeRequest: [
          async (request) => {
            if (provider && !this.token) this.token = await provider();
            if (this.token) request.headers.set('authorization', `Bearer ${this.token}`);
          },
        ],
        afterResponse: [
          async (_request, _options, response) => {
            if (response.status !== 401 || !provider || refreshed) return;
            refreshed = true;
            this.token = await provider();
            return ky.retry({ delay: 0 });
          },
        ],
      },
    };
    try {
      return await ky(`${apiRoot(this.apiBase)}/${path}`, options).json<T>();
    } catch (cause) {
      if (!(cause instanceof HTTPError)) throw new BillingApiError(0, 'network_error', String(cause));
      const { response } = cause;
      const { error } = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
      throw new BillingApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? response.statusText,
        error?.field,
        response.headers.get('x-request-id') ?? undefined,
      );
    }
  }
}
