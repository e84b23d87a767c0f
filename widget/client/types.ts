/**
 * Shapes of the billing server's JSON answers. They are the server's own contract (zod schemas in
 * `contract/schemas.ts`, the same ones that validate requests and write `/api/billing/openapi.json`),
 * imported as types only: the widgets cannot drift from what the server answers.
 */
export type {
  AutoRecharge,
  AutoRechargeRequest,
  AutoRechargeStatus,
  BillingSummary,
  CheckoutStart,
  CheckoutUi,
  CreditBalance,
  EmbeddedCheckout,
  ErrorBody,
  LedgerEntry,
  PaymentMethodSummary,
  Plan,
  PublicConfig,
  Redirect,
  StatusMessage,
  SubscriptionAccess,
  SubscriptionStatus,
  SubscriptionSummary,
  TopupBounds,
  TransactionPage,
  UsageDay,
  UsageSummary,
} from '../../contract/types.js';

/** Returns a fresh bearer token (a JWT signed by the host backend). */
export type TokenProvider = () => Promise<string> | string;
