/**
 * The billing API's shapes, declared once with zod: the server validates requests and declares
 * its answers with them (through @hono/zod-openapi, which also writes the OpenAPI document), and
 * the widgets' client takes its TypeScript types from them (`contract/types.ts`), so the three
 * cannot drift apart.
 */
import { z } from '@hono/zod-openapi';

/** Money in answers: a decimal string in major units, e.g. "12.50". */
const Money = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .openapi({ example: '12.50' });
/** Money in requests: a JSON number in major units with at most two decimals. */
export const MoneyInput = z
  .number()
  .openapi({ description: 'Major units (e.g. 25 or 25.5), at most two decimals; a string is refused.' });
const Cents = z.number().int();
const Instant = z.string().openapi({ format: 'date-time' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'amount_too_small' }),
      message: z.string(),
      field: z.string().optional(),
    }),
  })
  .openapi('Error');

export const SubscriptionStatus = z
  .enum(['none', 'active', 'cancelling', 'past_due', 'ended'])
  .openapi('SubscriptionStatus');

export const TopupBounds = z
  .object({ min: Money, max: Money, min_cents: Cents, max_cents: Cents })
  .openapi('TopupBounds');

export const Plan = z
  .object({
    id: z.string(),
    name: z.string(),
    amount: Money,
    amount_cents: Cents,
    interval: z.literal('month'),
    included_credit: Money,
    included_credit_cents: Cents,
  })
  .openapi('Plan');

export const SubscriptionSummary = z
  .object({
    status: SubscriptionStatus,
    plan_id: z.string().nullable(),
    current_period_end: Instant.nullable(),
    cancel_at: Instant.nullable(),
    stripe_subscription_id: z.string().nullable(),
  })
  .openapi('SubscriptionSummary');

export const LedgerKind = z
  .enum(['purchase', 'subscription', 'welcome', 'usage', 'grant', 'refund', 'dispute', 'dispute_reinstated'])
  .openapi('LedgerKind', {
    description:
      '`refund` is a credit granted by `/grants`, or (negative) a Stripe refund taking back what its payment granted; `dispute` takes it back when a chargeback withdraws the funds; `dispute_reinstated` gives it back when the dispute is won.',
  });

export const LedgerEntry = z
  .object({
    id: z.string(),
    kind: LedgerKind,
    amount: Money,
    amount_cents: Cents,
    description: z.string().nullable(),
    balance_after: Money,
    balance_after_cents: Cents,
    created_at: Instant,
    stripe_object_id: z.string().nullable().openapi({
      description:
        'The Stripe object the entry came from: a Checkout session, invoice, refund (`re_…`) or dispute (`du_…`).',
    }),
    feature: z.string().nullable().openapi({
      description: 'Usage only: what it was spent on (`chat`, `images`, …), as `/usage` reported it.',
    }),
  })
  .openapi('LedgerEntry');

export const TransactionPage = z
  .object({ data: z.array(LedgerEntry), next_cursor: z.string().nullable() })
  .openapi('TransactionPage');

export const PublicConfig = z
  .object({
    currency: z.string(),
    topup: TopupBounds,
    plans: z.array(Plan),
    publishable_key: z.string(),
    welcome_credit: Money,
    welcome_credit_cents: Cents,
    billing_enabled: z.boolean(),
    stripe_js_url: z.url().nullable().openapi({
      description:
        "Emulator mode: the emulator's Stripe.js stand-in, put on the page before on-page checkout starts. Null: Stripe's own script.",
    }),
  })
  .openapi('PublicConfig');

export const AutoRechargeStatus = z
  .enum(['off', 'ready', 'charging', 'failed', 'action_required'])
  .openapi('AutoRechargeStatus', {
    description:
      '`off`: not enabled; `ready`: armed; `charging`: a charge is in flight; `failed`: a charge was declined and auto-recharge turned itself off; `action_required`: the bank wants the user to authenticate the charge (`POST /auto-recharge/complete`).',
  });

export const AutoRecharge = z
  .object({
    enabled: z.boolean(),
    threshold: Money.nullable().openapi({ description: 'Null until the user first saves settings.' }),
    threshold_cents: Cents.nullable(),
    amount: Money.nullable(),
    amount_cents: Cents.nullable(),
    monthly_cap: Money.nullable(),
    monthly_cap_cents: Cents.nullable(),
    monthly_cap_max: Money.openapi({ description: 'The largest cap this server accepts.' }),
    monthly_cap_max_cents: Cents,
    charged_this_month: Money.openapi({ description: 'Auto-recharges that succeeded this UTC month.' }),
    charged_this_month_cents: Cents,
    status: AutoRechargeStatus,
    last_error: z
      .object({
        code: z.string().openapi({ example: 'card_declined' }),
        message: z.string(),
      })
      .nullable()
      .openapi({
        description:
          'Why the last charge failed or needs the user (`card_declined`, `authentication_required`, …), or `monthly_cap_reached` when a charge was skipped for the cap.',
      }),
  })
  .openapi('AutoRecharge');

export const AutoRechargeRequest = z
  .object({
    enabled: z.boolean(),
    threshold: MoneyInput.openapi({ description: 'Recharge when a debit takes the balance below this.' }),
    amount: MoneyInput.openapi({ description: 'What each recharge charges; bounded like a top-up.' }),
    monthly_cap: MoneyInput.openapi({ description: 'At most this much auto-recharge per UTC month.' }),
  })
  .openapi('AutoRechargeRequest');

export const AutoRechargeCompleteRequest = z
  .object({ return_url: z.string().max(2048).optional() })
  .openapi('AutoRechargeCompleteRequest');
/** A UTC calendar day, `YYYY-MM-DD`. */
const Day = z.string().openapi({ format: 'date', example: '2026-11-30' });

export const FeatureSpend = z
  .object({
    feature: z.string().nullable().openapi({ description: 'Null for usage reported without a feature.' }),
    amount: Money,
    amount_cents: Cents,
  })
  .openapi('FeatureSpend');

export const UsageDay = z
  .object({
    date: Day,
    total: Money,
    total_cents: Cents,
    features: z.array(FeatureSpend).openapi({ description: "The day's spend per feature, biggest first." }),
  })
  .openapi('UsageDay');

const forecastFields = {
  average_daily_7d: Money,
  average_daily_7d_cents: Cents.openapi({
    description: 'Usage spend over the last 7 × 24 hours divided by 7, rounded to the cent.',
  }),
  runs_out_on: Day.nullable().openapi({
    description:
      'The UTC day the balance reaches zero at that average (today when it already has); null when nothing was spent.',
  }),
};

export const UsageForecast = z.object(forecastFields).openapi('UsageForecast');

export const UsageSummary = z
  .object({
    currency: z.string(),
    days: z.number().int(),
    from: Day,
    to: Day.openapi({ description: 'Today (UTC), the last day of the period.' }),
    total: Money,
    total_cents: Cents,
    balance: Money,
    balance_cents: Cents,
    features: z
      .array(FeatureSpend)
      .openapi({ description: "The period's spend per feature, biggest first." }),
    daily: z
      .array(UsageDay)
      .openapi({ description: 'One entry per UTC day of the period, oldest first, zero days included.' }),
    ...forecastFields,
  })
  .openapi('UsageSummary');
export const PaymentMethodSummary = z
  .object({
    brand: z.string().openapi({ example: 'visa' }),
    last4: z.string().regex(/^\d{4}$/),
    exp_month: z.number().int().min(1).max(12),
    exp_year: z.number().int(),
  })
  .openapi('PaymentMethodSummary');

export const BillingSummary = z
  .object({
    billing_enabled: z.boolean(),
    currency: z.string(),
    credits: Money.nullable(),
    credits_cents: Cents.nullable().openapi({ description: 'Null when billing is off.' }),
    has_payment_method: z.boolean(),
    payment_method: PaymentMethodSummary.nullable().openapi({
      description:
        'The default card as recorded when it was saved (brand, last 4 digits, expiry); null when none is known.',
    }),
    welcome_credit: Money,
    welcome_credit_cents: Cents,
    welcome_granted: z.boolean(),
    topup: TopupBounds,
    plans: z.array(Plan),
    subscription: SubscriptionSummary,
    auto_recharge: AutoRecharge,
    transactions: TransactionPage.extend({ limit: z.number().int() }).openapi({
      description: 'The first page of /transactions, so a page of widgets makes one request.',
    }),
    usage_forecast: UsageForecast,
    usage: UsageSummary.optional().openapi({
      description: 'The usage summary of the last `usage_days` days, only when the request asks for it.',
    }),
  })
  .openapi('BillingSummary');

export const CreditBalance = z
  .object({ credits: Money.nullable().openapi({ description: 'Null when billing is off.' }) })
  .openapi('CreditBalance');

export const SubscriptionAccess = z
  .object({
    start_at: Instant,
    end_at: Instant,
    created_at: Instant,
    cancelled_at: Instant.nullable().openapi({
      description: 'Set once cancelled; access lasts until end_at.',
    }),
    stripe_subscription_id: z.string().nullable(),
  })
  .openapi('SubscriptionAccess');

export const Redirect = z.object({ redirect_url: z.url() }).openapi('Redirect');

/** An on-page (embedded) Checkout session: what Stripe.js mounts, and the id to close it with. */
export const EmbeddedCheckout = z
  .object({ client_secret: z.string(), session_id: z.string() })
  .openapi('EmbeddedCheckout');

/** A redirect to Stripe's page, or with `ui_mode` `embedded` the session to mount on the page. */
export const CheckoutStart = z.union([Redirect, EmbeddedCheckout]).openapi('CheckoutStart');

export const StatusMessage = z
  .object({ status: z.literal('success'), message: z.string() })
  .openapi('StatusMessage');

const ReturnUrl = z
  .string()
  .max(2048)
  .optional()
  .openapi({ description: 'Where Stripe sends the browser back; on an allowed origin. Default: the first.' });

export const CheckoutUi = z.enum(['redirect', 'embedded']).openapi('CheckoutUi');
const UiMode = CheckoutUi.optional().openapi({
  description: '`redirect` (default): a Stripe page to go to; `embedded`: a session for on-page Checkout.',
});

export const TopUpRequest = z
  .object({ amount: MoneyInput, return_url: ReturnUrl, ui_mode: UiMode })
  .openapi('TopUpRequest');
export const SetupRequest = z.object({ return_url: ReturnUrl, ui_mode: UiMode }).openapi('SetupRequest');
export const SubscribeRequest = z
  .object({
    plan: z.string().optional().openapi({ description: 'A plan id; default: the first plan.' }),
    return_url: ReturnUrl,
    ui_mode: UiMode,
  })
  .openapi('SubscribeRequest');
export const PortalRequest = z.object({ return_url: ReturnUrl }).openapi('PortalRequest');
export const CloseCheckoutRequest = z
  .object({ session_id: z.string().min(1).max(255) })
  .openapi('CloseCheckoutRequest');

const HostId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/);

export const LedgerChangeRequest = z
  .object({
    user_id: HostId.nullish().openapi({ description: "The user's own account (user:<id>); or account_id." }),
    account_id: HostId.nullish().openapi({ description: "An organisation's shared account (org:<id>)." }),
    amount: MoneyInput,
    idempotency_key: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\x21-\x7e]+$/),
    description: z.string().max(500).nullable().optional(),
  })
  .openapi('LedgerChangeRequest');

/** What usage was spent on: a short key of the host's choosing, e.g. `chat` or `images`. */
export const UsageFeature = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/)
  .openapi({ example: 'chat', description: '1 to 32 lowercase letters, digits, "_" or "-".' });

export const UsageRequest = LedgerChangeRequest.extend({
  feature: UsageFeature.nullish().openapi({
    description:
      'What the usage was for (1 to 32 of a-z, 0-9, "_", "-"); the usage summary splits spend by it.',
  }),
  occurred_at: z.iso.datetime({ offset: true }).nullish().openapi({
    description:
      'When the host metered it (ISO 8601 with Z or an offset): not in the future (a minute of clock skew is allowed), at most 35 days back. Default: now.',
  }),
}).openapi('UsageRequest');

export const GrantRequest = LedgerChangeRequest.extend({
  kind: z.enum(['grant', 'refund']).optional(),
}).openapi('GrantRequest');

export const LedgerChange = z
  .object({
    account_id: z.string().openapi({ example: 'user:alice' }),
    balance: Money,
    balance_cents: Cents,
    entry_id: z.string().nullable(),
    replayed: z.boolean(),
  })
  .openapi('LedgerChange');

export const ReconcileReport = z
  .object({
    events_seen: z
      .number()
      .int()
      .openapi({ description: 'Events of the handled types listed since the checkpoint.' }),
    applied: z
      .number()
      .int()
      .openapi({ description: 'Of those, the events this replay applied (none had been before).' }),
    failed: z
      .number()
      .int()
      .openapi({ description: 'Events whose handler failed; the checkpoint stays before the first.' }),
    lag_seconds: z.number().int().openapi({
      description: 'Age of the oldest event that had not been applied when the replay started; 0 when none.',
    }),
    checkpoint: z.number().int().nullable().openapi({
      description: 'Unix time (Stripe’s clock) up to which every listed event is applied; null before any.',
    }),
  })
  .openapi('ReconcileReport');
export const UsageDebit = LedgerChange.extend({
  auto_recharge: z
    .object({
      started: z.boolean().openapi({ description: 'This debit crossed the threshold and started a charge.' }),
      status: AutoRechargeStatus,
    })
    .openapi({ description: "The account's auto-recharge after this debit." }),
}).openapi('UsageDebit');

export const AccountView = z
  .object({
    id: z.string().openapi({ example: 'org:acme' }),
    email: z.string().nullable(),
    stripe_customer_id: z.string().nullable(),
    balance: Money,
    balance_cents: Cents,
    has_payment_method: z.boolean(),
    welcome_granted_at: Instant.nullable(),
    subscription: SubscriptionSummary,
    created_at: Instant,
    updated_at: Instant,
  })
  .openapi('Account');
