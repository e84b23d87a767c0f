import { BillingApiError } from '../client/billing-api-error.js';
import type { BillingClient } from '../client/billing-client.js';
import type { BillingSummary, CheckoutStart, CheckoutUi, Redirect } from '../client/types.js';
import { BillingChangeEvent } from '../events/billing-change.js';
import { BillingCheckoutEvent, type CheckoutKind } from '../events/billing-checkout.js';
import { type BillingAction, BillingErrorEvent } from '../events/billing-error.js';
import type { Messages } from '../i18n/en.js';
import { consumeStripeReturn } from './stripe-return.js';

/** Creates a Checkout session: for `returnUrl`, and on the page when `ui` is `embedded`. */
export type CheckoutCreator = (
  client: BillingClient,
  returnUrl: string,
  ui?: CheckoutUi,
) => Promise<CheckoutStart>;

/** An element that shows the store's state: it re-renders on change and can show a toast. */
export interface StoreHost extends HTMLElement {
  requestUpdate(): void;
  /** Shows a short message in the host's language; `error` toasts are announced assertively. */
  toast(text: (messages: Messages) => string, tone: 'info' | 'error'): void;
  /** Days of usage summary this host shows (`<billing-usage>`): the summary then carries them. */
  readonly usageDays?: number;
}

/**
 * The billing state a page of widgets shares: one `/summary` load for all of them, one refresh after
 * any action, and every connected element re-rendered with the result.
 */
export class BillingStore {
  /** The latest summary; undefined until the first load succeeds. */
  summary: BillingSummary | undefined;
  /** Why the latest load failed; cleared when a new load starts. */
  error: BillingApiError | undefined;
  /** Counts successful loads, so elements with their own data (the history) know when to reload. */
  revision = 0;
  /** How payments start when the element does not say: `redirect` to Stripe, or `embedded` on the page. */
  checkoutMode: CheckoutUi = 'redirect';
  /** Sends the browser to a Stripe page. Tests and hosts with their own routing replace it. */
  navigate = (url: string): void => location.assign(url);
  private readonly hosts = new Set<StoreHost>();
  private loading: Promise<void> | undefined;
  private stripeReturn = consumeStripeReturn();

  constructor(
    /** The API client every element of this store calls through. */
    readonly client: BillingClient,
  ) {}

  /** Starts showing the store in `host`; the first host triggers the initial load and shows the return toast. */
  connect(host: StoreHost): void {
    this.hosts.add(host);
    const returned = this.stripeReturn;
    this.stripeReturn = undefined;
    if (returned) host.toast((m) => m.returned[returned], returned === 'checkout_error' ? 'error' : 'info');
    if (!this.summary && !this.error) void this.refresh(host);
  }

  /** Stops re-rendering `host`. */
  disconnect(host: StoreHost): void {
    this.hosts.delete(host);
  }

  /**
   * Reloads the summary. Calls during a load share it, unless `again` asks for a load that starts
   * after it (needed after an action, whose result the running load may not include).
   */
  refresh(origin?: StoreHost, again?: boolean): Promise<void> {
    if (!this.loading || again) {
      const run = (this.loading ?? Promise.resolve()).then(() => this.load(origin));
      this.loading = run;
      void run.then(() => {
        if (this.loading === run) this.loading = undefined;
      });
    }
    return this.loading;
  }

  /** Runs an action (cancel, resume), then refreshes every element; rejects with the action's failure. */
  async act(origin: StoreHost, action: (client: BillingClient) => Promise<unknown>): Promise<void> {
    await action(this.client);
    await this.refresh(origin, true);
  }

  /**
   * Asks the server for a Stripe page, fires the cancelable `billing-checkout` event, and follows the
   * redirect unless a listener prevented it. Rejects with the failure; the element reports it.
   */
  async redirect(
    origin: StoreHost,
    kind: CheckoutKind,
    create: CheckoutCreator,
    amountCents?: number,
  ): Promise<void> {
    // Asked without `ui`, the server answers with a page to go to.
    const { redirect_url } = (await create(this.client, location.href)) as Redirect;
    if (origin.dispatchEvent(new BillingCheckoutEvent(redirect_url, kind, amountCents)))
      this.navigate(redirect_url);
  }

  /**
   * Fires `billing-error` for `action` from `origin` (or the first element). Unless a listener
   * prevented it, logs one console line (a host silences it by preventing the event) and that
   * element shows a toast.
   */
  report(origin: StoreHost | undefined, failure: unknown, action: BillingAction = 'load'): BillingApiError {
    const error =
      failure instanceof BillingApiError ? failure : new BillingApiError(0, 'client_error', String(failure));
    const target = origin ?? [...this.hosts][0];
    if (target?.dispatchEvent(new BillingErrorEvent(error, action))) {
      const { status, code, message, requestId } = error;
      console.warn(
        `[billing] ${action} failed: ${status} ${code} ${message}${requestId ? ` (X-Request-Id ${requestId})` : ''}`,
      );
      target.toast((m) => (status ? message : m.offline), 'error');
    }
    return error;
  }

  private async load(origin: StoreHost | undefined): Promise<void> {
    this.error = undefined;
    this.rerender();
    try {
      // A page with <billing-usage> gets its usage summary inside the same one request.
      const usageDays = [...this.hosts].find((host) => host.usageDays)?.usageDays;
      this.summary = await (usageDays ? this.client.summaryWithUsage(usageDays) : this.client.summary());
      this.revision++;
      (origin ?? [...this.hosts][0])?.dispatchEvent(new BillingChangeEvent(this.summary));
    } catch (error) {
      this.error = this.report(origin, error);
    }
    this.rerender();
  }

  private rerender(): void {
    for (const host of this.hosts) host.requestUpdate();
  }
}
