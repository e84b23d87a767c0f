import type Stripe from 'stripe';
import { cardFor, type TestCard } from '../cards.ts';
import { jsonBody } from '../control.ts';
import type { Emulator, EventRequest } from '../emulator.ts';
import { invalidParam, StripeApiError } from '../errors.ts';
import { registerCheckoutPage } from '../pages/checkout-page.ts';
import { registerStripeJsStandIn } from '../pages/stripe-js.ts';
import type {
  CheckoutSessionRecord,
  CustomerRecord,
  PaymentIntentRecord,
  PaymentMethodRecord,
  SetupIntentRecord,
} from '../records.ts';
import { render } from '../store.ts';
import { settleCharge } from './charges.ts';
import { requireCheckoutSession } from './checkout-sessions.ts';
import { createCustomer } from './customers.ts';
import { openDispute } from './disputes.ts';
import { chargeFailureFor, confirmPaymentIntent, newPaymentIntent } from './payment-intents.ts';
import { createCardPaymentMethod, EMPTY_ADDRESS, invalidCardNumber } from './payment-methods.ts';
import { confirmSetupIntent, newSetupIntent } from './setup-intents.ts';
import { createSubscriptionFromCheckout } from './subscriptions.ts';

/** What the payer typed besides the card: the email and name on the hosted page, and the card's expiry. */
export interface CheckoutPayer {
  email?: string | null;
  name?: string | null;
  expMonth?: number;
  expYear?: number;
}

function customerIdOf(session: CheckoutSessionRecord): string | null {
  return typeof session.customer === 'string' ? session.customer : null;
}

function existingCustomer(emu: Emulator, session: CheckoutSessionRecord): CustomerRecord | undefined {
  const id = customerIdOf(session);
  return id ? emu.store.get<CustomerRecord>('customers', id) : undefined;
}

/** The payer's email: typed on the page, else the one the session or its customer already has. */
function payerEmail(emu: Emulator, session: CheckoutSessionRecord, payer: CheckoutPayer): string | null {
  const typed = payer.email?.trim() || null;
  if (typed && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed)) {
    throw invalidParam('email', `Invalid email address: ${typed}`);
  }
  return typed ?? session.customer_email ?? existingCustomer(emu, session)?.email ?? null;
}

/**
 * Stripe sets the email the payer typed on a session's existing customer that had none (so the next
 * Checkout for that customer does not ask again), with `customer.updated`.
 */
function fillCustomerEmail(
  emu: Emulator,
  session: CheckoutSessionRecord,
  email: string | null,
  request: EventRequest,
): void {
  const customer = existingCustomer(emu, session);
  if (!customer || customer.email || !email) return;
  customer.email = email;
  emu.store.changed();
  emu.emitEvent('customer.updated', customer, {
    request,
    customer: customer.id,
    previousAttributes: { email: null },
  });
}

/** The StripeCardError body Checkout shows for a card that cannot pay, when no intent was charged. */
function declineFor(card: TestCard): StripeApiError | null {
  const failure = chargeFailureFor(card.outcome, false);
  if (!failure) return null;
  return new StripeApiError(402, {
    type: 'card_error',
    code: failure.code,
    decline_code: failure.declineCode,
    message: failure.message,
    doc_url: `https://stripe.com/docs/error-codes/${failure.code.replaceAll('_', '-')}`,
  });
}

function finish(
  emu: Emulator,
  session: CheckoutSessionRecord,
  fields: Partial<Stripe.Checkout.Session>,
  email: string | null,
  name: string | null,
  request: EventRequest,
): CheckoutSessionRecord {
  fillCustomerEmail(emu, session, email, request);
  Object.assign(session, fields);
  session.status = 'complete';
  session.url = null;
  session.customer_details = {
    address: { ...EMPTY_ADDRESS },
    business_name: null,
    email,
    individual_name: null,
    name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  emu.store.put('checkout_sessions', session);
  emu.emitEvent('checkout.session.completed', session, { request, customer: customerIdOf(session) });
  return session;
}

/**
 * Payment mode: a PaymentIntent for the session total, charged on-session. A decline records the
 * failed attempt on the session's intent (reused by the next attempt) and throws the card error;
 * success creates the customer when asked (`customer_creation: always`, or `setup_future_usage`),
 * saves the card when `setup_future_usage` is set, and settles the charge after completion.
 */
function completePayment(
  emu: Emulator,
  session: CheckoutSessionRecord,
  card: TestCard,
  payer: CheckoutPayer,
  request: EventRequest,
): CheckoutSessionRecord {
  const email = payerEmail(emu, session, payer);
  const name = payer.name?.trim() || null;
  const data = session._payment_intent_data;
  const failure = chargeFailureFor(card.outcome, false);
  const wantsCustomer = session.customer_creation === 'always' || Boolean(data?.setup_future_usage);
  let customerId = customerIdOf(session);
  if (!failure && !customerId && wantsCustomer) customerId = createCustomer(emu, { email, name }, request).id;
  const pm = newCardMethod(emu, card, payer, email, name);
  const pi = sessionPaymentIntent(emu, session, customerId, request);
  const error = confirmPaymentIntent(emu, pi, pm, {
    offSession: false,
    authenticated: true,
    settleLater: true,
    request,
  });
  if (error) throw error;
  finish(
    emu,
    session,
    { customer: customerId, payment_intent: pi.id, payment_status: 'paid' },
    email,
    name,
    request,
  );
  if (typeof pi.latest_charge === 'string') {
    settleCharge(emu, pi.latest_charge, request);
    if (card.outcome === 'disputed') openDispute(emu, pi.latest_charge, request);
  }
  return session;
}

function newCardMethod(
  emu: Emulator,
  card: TestCard,
  payer: CheckoutPayer,
  email: string | null,
  name: string | null,
): PaymentMethodRecord {
  return createCardPaymentMethod(emu, card.number, {
    billing_details: { email, name },
    expMonth: payer.expMonth,
    expYear: payer.expYear,
  });
}

/**
 * The session's intent (`payment_intent` or `setup_intent`): made by `make` on the first attempt to
 * pay, reused with the attempt's customer by later attempts, as at Stripe.
 */
function sessionIntent<T extends PaymentIntentRecord | SetupIntentRecord>(
  emu: Emulator,
  session: CheckoutSessionRecord,
  kind: 'payment_intent' | 'setup_intent',
  customerId: string | null,
  request: EventRequest,
  make: () => T,
): T {
  const id = session[kind];
  const existing = typeof id === 'string' ? emu.store.get<T>(`${kind}s`, id) : undefined;
  if (existing) {
    existing.customer = customerId;
    return existing;
  }
  const intent = make();
  emu.store.put(`${kind}s`, intent);
  session[kind] = intent.id;
  emu.store.changed();
  emu.emitEvent(`${kind}.created`, intent, { request, customer: customerId });
  return intent;
}

/** The session's PaymentIntent, for the session's amount and its `payment_intent_data`. */
function sessionPaymentIntent(
  emu: Emulator,
  session: CheckoutSessionRecord,
  customerId: string | null,
  request: EventRequest,
): PaymentIntentRecord {
  const data = session._payment_intent_data;
  return sessionIntent(emu, session, 'payment_intent', customerId, request, () =>
    newPaymentIntent(emu, {
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      customer: customerId,
      description: data?.description ?? null,
      metadata: data?.metadata ?? {},
      setupFutureUsage: data?.setup_future_usage ?? null,
    }),
  );
}

/**
 * Setup mode: a SetupIntent that saves the card, attaching it to the session's customer (created
 * first with `customer_creation: always`). Cards that decline fail the setup; 4000 0000 0000 0341
 * saves fine.
 */
function completeSetup(
  emu: Emulator,
  session: CheckoutSessionRecord,
  card: TestCard,
  payer: CheckoutPayer,
  request: EventRequest,
): CheckoutSessionRecord {
  const email = payerEmail(emu, session, payer);
  const name = payer.name?.trim() || null;
  const declines = card.outcome === 'declined' || card.outcome === 'insufficient_funds';
  let customerId = customerIdOf(session);
  if (!declines && !customerId && session.customer_creation === 'always') {
    customerId = createCustomer(emu, { email, name }, request).id;
  }
  const pm = newCardMethod(emu, card, payer, email, name);
  const si = sessionSetupIntent(emu, session, customerId, request);
  const error = confirmSetupIntent(emu, si, pm, { request, authenticated: true });
  if (error) throw error;
  return finish(
    emu,
    session,
    { customer: customerId, setup_intent: si.id, payment_status: 'no_payment_required' },
    email,
    name,
    request,
  );
}

/** The session's SetupIntent, for off-session use, from its `setup_intent_data`. */
function sessionSetupIntent(
  emu: Emulator,
  session: CheckoutSessionRecord,
  customerId: string | null,
  request: EventRequest,
): SetupIntentRecord {
  const data = session._setup_intent_data;
  return sessionIntent(emu, session, 'setup_intent', customerId, request, () =>
    newSetupIntent(emu, {
      customer: customerId,
      description: data?.description ?? null,
      metadata: data?.metadata ?? {},
      usage: 'off_session',
    }),
  );
}

/**
 * Subscription mode: a card that cannot pay is declined before anything is made. Otherwise the
 * customer (created when the session has none) gets the card attached, and the subscription and
 * its first invoice are created and paid by `createSubscriptionFromCheckout`.
 */
function completeSubscription(
  emu: Emulator,
  session: CheckoutSessionRecord,
  card: TestCard,
  payer: CheckoutPayer,
  request: EventRequest,
): CheckoutSessionRecord {
  const email = payerEmail(emu, session, payer);
  const name = payer.name?.trim() || null;
  const decline = declineFor(card);
  if (decline) throw decline;
  const customerId = customerIdOf(session) ?? createCustomer(emu, { email, name }, request).id;
  const pm = createCardPaymentMethod(emu, card.number, {
    customer: customerId,
    billing_details: { email, name },
    expMonth: payer.expMonth,
    expYear: payer.expYear,
    request,
  });
  const { subscription, invoice } = createSubscriptionFromCheckout(emu, {
    customer: customerId,
    paymentMethod: pm.id,
    items: session._line_items.map((li) => ({ price: li.price!.id, quantity: li.quantity ?? 1 })),
    metadata: session._subscription_data?.metadata ?? {},
    request,
  });
  return finish(
    emu,
    session,
    {
      customer: customerId,
      subscription: subscription.id,
      invoice: invoice.id,
      amount_subtotal: invoice.subtotal,
      amount_total: invoice.total,
      payment_status: invoice.amount_due > 0 ? 'paid' : 'no_payment_required',
    },
    email,
    name,
    request,
  );
}

/**
 * Completes an open Checkout Session with a test card, as a customer on the hosted page would: the
 * one path for the page and `POST /_emulator/checkout/sessions/:id/complete`. Emits the events of
 * Stripe's sequence for the session's mode, ending with `checkout.session.completed`. A card that
 * declines throws Stripe's 402 card error and leaves the session open; an unknown card number is a
 * 400; a session that is not open is a 400.
 */
export function completeCheckoutSession(
  emu: Emulator,
  sessionId: string,
  card: string,
  request: EventRequest = null,
  payer: CheckoutPayer = {},
): CheckoutSessionRecord {
  const session = requireCheckoutSession(emu, sessionId);
  if (session.status !== 'open') {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message: `This Checkout Session is ${session.status}; only an open session can be completed.`,
      param: 'id',
    });
  }
  const test = cardFor(card);
  if (!test) throw invalidCardNumber('card');
  if (session.mode === 'payment') return completePayment(emu, session, test, payer, request);
  if (session.mode === 'setup') return completeSetup(emu, session, test, payer, request);
  return completeSubscription(emu, session, test, payer, request);
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParam(key, `${key} must be a string.`);
  return v;
}

/**
 * The two ways to complete a session: the hosted page at its `url`, and
 * `POST /_emulator/checkout/sessions/:id/complete` `{"card": "4242424242424242", "email"?, "name"?}`
 * for tests (JSON in, the completed session out; errors in Stripe's envelope).
 */
export function registerCheckoutCompletion(emu: Emulator): void {
  registerCheckoutPage(emu, completeCheckoutSession);
  registerStripeJsStandIn(emu);
  emu.app.post('/_emulator/checkout/sessions/:id/complete', async (c) => {
    const body = await jsonBody(c);
    const card = optionalString(body, 'card');
    if (!card) throw invalidParam('card', 'card is required: a test card number such as 4242424242424242.');
    const session = completeCheckoutSession(emu, c.req.param('id'), card, null, {
      email: optionalString(body, 'email') ?? null,
      name: optionalString(body, 'name') ?? null,
    });
    return c.json(render(session) as object);
  });
}
