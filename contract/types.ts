/**
 * The billing API's shapes as TypeScript types, inferred from the zod schemas the server
 * validates and documents with (`schemas.ts`). The widgets' client imports these (type-only, so
 * nothing of zod reaches the browser bundle); a change of the contract is a type error on both sides.
 */
import type { z } from '@hono/zod-openapi';
import type * as s from './schemas.js';

export type SubscriptionStatus = z.infer<typeof s.SubscriptionStatus>;
export type TopupBounds = z.infer<typeof s.TopupBounds>;
export type Plan = z.infer<typeof s.Plan>;
export type SubscriptionSummary = z.infer<typeof s.SubscriptionSummary>;
export type LedgerKind = z.infer<typeof s.LedgerKind>;
export type LedgerEntry = z.infer<typeof s.LedgerEntry>;
export type TransactionPage = z.infer<typeof s.TransactionPage>;
export type PublicConfig = z.infer<typeof s.PublicConfig>;
export type BillingSummary = z.infer<typeof s.BillingSummary>;
export type CreditBalance = z.infer<typeof s.CreditBalance>;
export type SubscriptionAccess = z.infer<typeof s.SubscriptionAccess>;
export type Redirect = z.infer<typeof s.Redirect>;
export type EmbeddedCheckout = z.infer<typeof s.EmbeddedCheckout>;
export type CheckoutStart = z.infer<typeof s.CheckoutStart>;
export type CheckoutUi = z.infer<typeof s.CheckoutUi>;
export type PaymentMethodSummary = z.infer<typeof s.PaymentMethodSummary>;
export type StatusMessage = z.infer<typeof s.StatusMessage>;
export type ErrorBody = z.infer<typeof s.ErrorBody>;
export type TopUpRequest = z.input<typeof s.TopUpRequest>;
export type SetupRequest = z.input<typeof s.SetupRequest>;
export type SubscribeRequest = z.input<typeof s.SubscribeRequest>;
export type PortalRequest = z.input<typeof s.PortalRequest>;
export type LedgerChangeRequest = z.input<typeof s.LedgerChangeRequest>;
export type UsageRequest = z.input<typeof s.UsageRequest>;
export type FeatureSpend = z.infer<typeof s.FeatureSpend>;
export type UsageDay = z.infer<typeof s.UsageDay>;
export type UsageForecast = z.infer<typeof s.UsageForecast>;
export type UsageSummary = z.infer<typeof s.UsageSummary>;
export type LedgerChange = z.infer<typeof s.LedgerChange>;
export type AccountView = z.infer<typeof s.AccountView>;
export type ReconcileReport = z.infer<typeof s.ReconcileReport>;
export type AutoRechargeStatus = z.infer<typeof s.AutoRechargeStatus>;
export type AutoRecharge = z.infer<typeof s.AutoRecharge>;
export type AutoRechargeRequest = z.input<typeof s.AutoRechargeRequest>;
export type UsageDebit = z.infer<typeof s.UsageDebit>;
