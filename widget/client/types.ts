/** Shapes of the billing server's JSON answers (server/README.md lists the routes); the widgets rely on them exactly. */

/** Where a subscription stands, as the summary reports it. */
export type SubscriptionStatus = 'none' | 'active' | 'cancelling' | 'past_due' | 'ended';

/** Top-up bounds in major units (decimal strings) and in cents. */
export interface TopupBounds {
  min: string;
  max: string;
  min_cents: number;
  max_cents: number;
}

/** A plan a customer can subscribe to. */
export interface Plan {
  id: string;
  name: string;
  amount: string;
  amount_cents: number;
  interval: 'month';
  included_credit: string;
  included_credit_cents: number;
}

/** The account's subscription as the summary reports it. */
export interface SubscriptionSummary {
  status: SubscriptionStatus;
  plan_id: string | null;
  current_period_end: string | null;
  cancel_at: string | null;
  stripe_subscription_id: string | null;
}

/** GET /summary: everything a page of widgets needs, in one answer. */
export interface BillingSummary {
  billing_enabled: boolean;
  currency: string;
  credits: string | null;
  credits_cents: number;
  has_payment_method: boolean;
  welcome_credit: string;
  welcome_credit_cents: number;
  welcome_granted: boolean;
  topup: TopupBounds;
  plans: Plan[];
  subscription: SubscriptionSummary;
  /** The first page of GET /transactions with `limit` entries at most. */
  transactions?: TransactionPage & { limit: number };
}

/** GET /credits: the balance in major units, e.g. "12.50"; null when billing is off. */
export interface CreditBalance {
  credits: string | null;
}

/** GET /subscription-access: the paid subscription period that covers now (ISO-8601 instants). */
export interface SubscriptionAccess {
  start_at: string;
  end_at: string;
  created_at: string;
  /** When the subscription was cancelled; access still lasts until `end_at`. Null while it renews. */
  cancelled_at: string | null;
  stripe_subscription_id: string | null;
}

/** One ledger entry of GET /transactions. */
export interface LedgerEntry {
  id: string;
  kind: 'purchase' | 'subscription' | 'welcome' | 'usage' | 'grant' | 'refund';
  amount: string;
  amount_cents: number;
  description: string | null;
  balance_after: string;
  balance_after_cents: number;
  created_at: string;
}

/** GET /transactions: one page, newest first. */
export interface TransactionPage {
  data: LedgerEntry[];
  next_cursor: string | null;
}

/** Every checkout-like endpoint answers with where to send the browser. */
export interface Redirect {
  redirect_url: string;
}

/** Cancel and resume answers. */
export interface StatusMessage {
  status: 'success';
  message: string;
}

/** The error envelope every failure carries. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** Returns a fresh bearer token (a JWT signed by the host backend). */
export type TokenProvider = () => Promise<string> | string;
