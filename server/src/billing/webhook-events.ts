import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { WebhookEventAlreadyProcessed } from '../store/store-errors.ts';
import { idOf } from '../stripe/expandable.ts';
import { isAutoRechargePayment, prepareAutoRechargePayment } from './auto-recharge.ts';
import { prepareDefaultCardSync } from './card-on-file.ts';
import { prepareCheckoutClosure } from './checkout-closure.ts';
import { prepareCheckoutFulfilment } from './fulfilment.ts';
import { prepareChargeRefunds, prepareDispute } from './money-back.ts';
import type { StoreChange } from './store-change.ts';
import { prepareInvoicePaid, prepareInvoicePaymentFailed, prepareSubscriptionSync } from './subscriptions.ts';

/** `processed` when this delivery changed what it had to; `duplicate` when the event was already handled. */
export type WebhookOutcome = 'processed' | 'duplicate';

/**
 * Handles one verified Stripe event exactly once. Stripe is read first (objects are re-fetched,
 * never taken from the event, since events arrive late, twice or out of order); then the store
 * change and the `webhook_events` record commit in one transaction, so a crash in between means
 * Stripe's retry does the whole job again and a duplicate does nothing.
 */
export async function handleWebhookEvent(deps: AppDeps, event: Stripe.Event): Promise<WebhookOutcome> {
  if (await deps.store.webhookEventProcessed(event.id)) return 'duplicate';
  const change = await prepareEventChange(deps, event);
  try {
    await deps.store.write(deps.clock.now(), (unit) => {
      // Refused, with nothing written, when a concurrent delivery of the same event committed
      // while Stripe was being read.
      unit.recordWebhookEvent(event.id, event.type);
      change?.(unit);
    });
  } catch (err) {
    if (err instanceof WebhookEventAlreadyProcessed) return 'duplicate';
    throw err;
  }
  return 'processed';
}

/** How an event becomes a store change (null: nothing to change). */
type EventHandler = (deps: AppDeps, event: Stripe.Event) => Promise<StoreChange | null>;

/** A handler written against the events of types `T` (narrowed by the table's keys). */
function on<T extends Stripe.Event.Type>(
  handle: (deps: AppDeps, event: Extract<Stripe.Event, { type: T }>) => Promise<StoreChange | null>,
): EventHandler {
  return handle as EventHandler;
}

const fulfil = on<'checkout.session.completed' | 'checkout.session.async_payment_succeeded'>(
  async (deps, event) => (await prepareCheckoutFulfilment(deps, event.data.object.id)).change,
);
const close = on<'checkout.session.expired' | 'checkout.session.async_payment_failed'>((deps, event) =>
  prepareCheckoutClosure(deps, event.data.object.id),
);
// Only PaymentIntents this server started for auto-recharge (their metadata, set at creation,
// names the attempt) are read back from Stripe; a top-up's is fulfilled through its Checkout session.
const settleAutoRecharge = on<'payment_intent.succeeded' | 'payment_intent.payment_failed'>(
  async (deps, event) =>
    isAutoRechargePayment(event.data.object) ? prepareAutoRechargePayment(deps, event.data.object.id) : null,
);
const syncSubscription = on<
  'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted'
>((deps, event) => prepareSubscriptionSync(deps, event.data.object.id));

const refund = on<'charge.refunded' | 'refund.created' | 'refund.updated'>(async (deps, event) => {
  const object = event.data.object;
  const chargeId = object.object === 'charge' ? object.id : idOf(object.charge);
  return chargeId ? prepareChargeRefunds(deps, chargeId) : null;
});
const dispute = on<
  | 'charge.dispute.created'
  | 'charge.dispute.funds_withdrawn'
  | 'charge.dispute.funds_reinstated'
  | 'charge.dispute.closed'
>((deps, event) => prepareDispute(deps, event.data.object.id));
/** The default card may have changed: the customer's (for a detached card, the one it left). */
const syncCard = on<'payment_method.attached' | 'payment_method.detached'>((deps, event) => {
  const customer = idOf(event.data.object.customer) ?? idOf(event.data.previous_attributes?.customer);
  return prepareDefaultCardSync(deps, customer);
});

/**
 * Every Stripe event this server acts on. It is also the list a Stripe webhook endpoint must
 * subscribe to: README.md's list is generated from it (`npm run docs:webhooks`) and a test fails
 * when the two differ. Events not listed here are acknowledged and ignored.
 */
export const WEBHOOK_EVENT_HANDLERS: Partial<Record<Stripe.Event.Type, EventHandler>> = {
  'checkout.session.completed': fulfil,
  'checkout.session.async_payment_succeeded': fulfil,
  'checkout.session.expired': close,
  'checkout.session.async_payment_failed': close,
  'invoice.paid': on<'invoice.paid'>(async (deps, event) =>
    event.data.object.id ? prepareInvoicePaid(deps, event.data.object.id) : null,
  ),
  'invoice.payment_failed': on<'invoice.payment_failed'>(async (deps, event) =>
    event.data.object.id ? prepareInvoicePaymentFailed(deps, event.data.object.id) : null,
  ),
  'customer.subscription.created': syncSubscription,
  'customer.subscription.updated': syncSubscription,
  'customer.subscription.deleted': syncSubscription,
  'charge.refunded': refund,
  'refund.created': refund,
  'refund.updated': refund,
  'charge.dispute.created': dispute,
  'charge.dispute.funds_withdrawn': dispute,
  'charge.dispute.funds_reinstated': dispute,
  'charge.dispute.closed': dispute,
  'payment_intent.succeeded': settleAutoRecharge,
  'payment_intent.payment_failed': settleAutoRecharge,
  'customer.updated': on<'customer.updated'>((deps, event) =>
    prepareDefaultCardSync(deps, event.data.object.id),
  ),
  'payment_method.attached': syncCard,
  'payment_method.detached': syncCard,
};

/** The event types a webhook endpoint must send, in the table's order. */
export const HANDLED_WEBHOOK_EVENTS = Object.keys(WEBHOOK_EVENT_HANDLERS) as Stripe.Event.Type[];

/** The store change an event calls for; null for events this server does not act on. */
function prepareEventChange(deps: AppDeps, event: Stripe.Event): Promise<StoreChange | null> {
  const handler = WEBHOOK_EVENT_HANDLERS[event.type];
  return handler ? handler(deps, event) : Promise.resolve(null);
}
