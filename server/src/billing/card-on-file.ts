import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import type { CardOnFile } from '../store/records.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import type { StoreChange } from './store-change.ts';

/** The default payment method's id and, when it is a card, what it looks like. */
export interface DefaultCard {
  id: string;
  card: CardOnFile | null;
}

/** Brand, last 4 digits and expiry of a card payment method; null for any other kind. */
export function cardOnFile(method: Stripe.PaymentMethod): CardOnFile | null {
  const { card } = method;
  return card
    ? { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year }
    : null;
}

/** A payment method, read from Stripe when only its id is at hand. */
export async function paymentMethodOf(
  deps: AppDeps,
  method: string | Stripe.PaymentMethod,
): Promise<DefaultCard> {
  const full =
    typeof method === 'string'
      ? await callStripe('read the payment method', () => deps.stripe.paymentMethods.retrieve(method))
      : method;
  return { id: full.id, card: cardOnFile(full) };
}

/**
 * The customer's default card (`invoice_settings.default_payment_method`), or else any card saved
 * on it; null when there is none. What the portal or a subscription changed shows up here.
 */
export async function currentDefaultCard(deps: AppDeps, customerId: string): Promise<DefaultCard | null> {
  const customer = await callStripe('read the customer', () => deps.stripe.customers.retrieve(customerId));
  if (customer.deleted) return null;
  const preferred = customer.invoice_settings?.default_payment_method;
  if (preferred) return paymentMethodOf(deps, preferred);
  const cards = await callStripe('list the saved cards', () =>
    deps.stripe.customers.listPaymentMethods(customerId, { type: 'card', limit: 1 }),
  );
  const first = cards.data[0];
  return first ? { id: first.id, card: cardOnFile(first) } : null;
}

/**
 * `customer.updated`, `payment_method.attached` and `payment_method.detached`: the account's
 * default card is read back from Stripe (never taken from the event) and recorded with its brand,
 * last 4 digits and expiry, so `/summary` stays a store read.
 */
export async function prepareDefaultCardSync(
  deps: AppDeps,
  customerId: string | null,
): Promise<StoreChange | null> {
  if (!customerId) return null;
  const accountId = await deps.store.accountIdForCustomer(customerId);
  if (!accountId) return null;
  const current = await currentDefaultCard(deps, customerId);
  return (unit) => unit.setDefaultPaymentMethod(accountId, current?.id ?? null, current?.card ?? null);
}
