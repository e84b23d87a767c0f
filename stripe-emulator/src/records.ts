/**
 * The stored shape of each Stripe object the emulator keeps: the SDK's type plus `StoredObject`, and
 * the private `_` keys a resource needs (never rendered). They live here, below every resource
 * module, so any module can name another resource's object without importing that resource.
 */
import type Stripe from 'stripe';
import type { StoredObject } from './store.ts';

export type CustomerRecord = Stripe.Customer & StoredObject;

/** A stored PaymentMethod; `_card_number` is the test card it was made from (never rendered). */
export type PaymentMethodRecord = Stripe.PaymentMethod & StoredObject & { _card_number: string };

export type ProductRecord = Stripe.Product & StoredObject;

/** `_inline`: a single-use price from Checkout's `price_data`, archived, yet its session's subscription may use it. */
export type PriceRecord = Stripe.Price & StoredObject & { _inline?: boolean };

export type SubscriptionRecord = Stripe.Subscription & StoredObject;

export type InvoiceRecord = Stripe.Invoice &
  StoredObject & {
    /** When the first payment attempt failed: retries are scheduled from it. */
    _first_failed_at?: number | null;
  };

export type InvoicePaymentRecord = Stripe.InvoicePayment & StoredObject;

export type PaymentIntentRecord = Stripe.PaymentIntent & StoredObject;

export type SetupIntentRecord = Stripe.SetupIntent & StoredObject;

/** The minimal charge store behind `charge.*` events: one charge per payment attempt. */
export type ChargeRecord = Stripe.Charge & StoredObject;

export type RefundRecord = Stripe.Refund & StoredObject;

/** A stored dispute; `_balance_transactions` lists its withdrawal and reinstatement, rendered expanded. */
export type DisputeRecord = Stripe.Dispute & StoredObject;

export type TestClockRecord = Stripe.TestHelpers.TestClock & StoredObject;

export type PortalSessionRecord = Stripe.BillingPortal.Session & StoredObject;

/** `_delivery_failed`: a delivery was given up (the `drop_webhooks` fault), as Stripe marks it after its retries. */
export type EventRecord = Stripe.Event & StoredObject & { _delivery_failed?: boolean };

/** What a session keeps for completion: the `*_data` params Stripe copies onto the objects it creates then. */
export interface IntentData {
  metadata: Record<string, string>;
  description: string | null;
}

/** A stored Checkout Session; `_`-keys hold its line items and the `*_data` params until completion. */
export type CheckoutSessionRecord = Stripe.Checkout.Session &
  StoredObject & {
    _line_items: Stripe.LineItem[];
    _payment_intent_data: (IntentData & { setup_future_usage: 'on_session' | 'off_session' | null }) | null;
    _subscription_data: IntentData | null;
    _setup_intent_data: IntentData | null;
  };
