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
  .enum(['purchase', 'subscription', 'welcome', 'usage', 'grant', 'refund'])
  .openapi('LedgerKind');

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
    transactions: TransactionPage.extend({ limit: z.number().int() }).openapi({
      description: 'The first page of /transactions, so a page of widgets makes one request.',
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
