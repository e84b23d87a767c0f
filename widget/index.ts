/**
 * Defines every billing element. The provider comes first so that elements already in the page find
 * it when they upgrade.
 */

// A bare import, which import sorting never moves: the provider must be defined before the others.
import './components/billing-provider/billing-provider.js';

export { BillingElement, type ViewState } from './base/billing-element.js';
export { BillingApiError } from './client/billing-api-error.js';
export { apiRoot, BillingClient } from './client/billing-client.js';
export type * from './client/types.js';
export { BillingAutoRecharge } from './components/billing-auto-recharge/billing-auto-recharge.js';
export { BillingBalance } from './components/billing-balance/billing-balance.js';
export { BillingHistory } from './components/billing-history/billing-history.js';
export { BillingPortalButton } from './components/billing-portal-button/billing-portal-button.js';
export { BillingProvider } from './components/billing-provider/billing-provider.js';
export { BillingSubscription } from './components/billing-subscription/billing-subscription.js';
export { BillingTopup } from './components/billing-topup/billing-topup.js';
export { BillingUsage } from './components/billing-usage/billing-usage.js';
export { SetupPaymentModal } from './components/setup-payment-modal/setup-payment-modal.js';
export { BillingChangeEvent } from './events/billing-change.js';
export { BillingCheckoutEvent, type CheckoutKind } from './events/billing-checkout.js';
export { type BillingAction, BillingErrorEvent } from './events/billing-error.js';
export { billingContext } from './state/billing-context.js';
export { BillingStore, type StoreHost } from './state/billing-store.js';
export { sharedStore } from './state/shared-store.js';
