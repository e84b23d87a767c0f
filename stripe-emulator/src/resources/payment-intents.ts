import type Stripe from 'stripe';
import type { CardOutcome } from '../cards.ts';
import type { ApiRequest, Emulator, EventRequest } from '../emulator.ts';
import { invalidParam, invalidRequest, StripeApiError } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId, randomToken } from '../ids.ts';
import { requireCustomer, requirePaymentIntent } from '../lookups.ts';
import { registerAuthenticationPage } from '../pages/authentication-page.ts';
import type { ParamReader } from '../params.ts';
import type { PaymentIntentRecord, PaymentMethodRecord } from '../records.ts';
import { render } from '../store.ts';
import { type ChargeFailure, recordCharge } from './charges.ts';
import { openDispute } from './disputes.ts';
import {
  assertCancelable,
  assertConfirmable,
  confirmationMethodId,
  rejectPaymentMethodTypes,
  savedMethodParam,
} from './intent-states.ts';
import { attachPaymentMethod, resolvePaymentMethod, testCardOf } from './payment-methods.ts';
import { MAX_UNIT_AMOUNT, readCurrency } from './prices.ts';

/** What a payment attempt answered: the PaymentIntent, and the card error Stripe would send when it failed. */
export interface ChargeResult {
  paymentIntent: PaymentIntentRecord;
  error: StripeApiError | null;
}

/** Stripe's smallest charge, in the minor unit ($0.50). */
export const MIN_CHARGE_AMOUNT = 50;

/**
 * How charging a test card fails, or null when it succeeds. A card that needs 3D Secure fails only
 * off-session: on a hosted page the customer is there to authenticate.
 */
export function chargeFailureFor(outcome: CardOutcome, offSession: boolean): ChargeFailure | null {
  switch (outcome) {
    case 'succeeds':
    case 'disputed':
      return null;
    case 'declined':
    case 'fails_after_attach':
      return { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
    case 'insufficient_funds':
      return {
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      };
    case 'authentication_required':
      return offSession
        ? {
            code: 'authentication_required',
            declineCode: 'authentication_required',
            message: 'Your card was declined. This transaction requires authentication.',
          }
        : null;
  }
}

/** A new PaymentIntent in `requires_payment_method` (or `requires_confirmation` with a method), not yet saved. */
export function newPaymentIntent(
  emu: Emulator,
  fields: {
    amount: number;
    currency: string;
    customer: string | null;
    paymentMethod?: string | null;
    description?: string | null;
    metadata?: Record<string, string>;
    setupFutureUsage?: Stripe.PaymentIntent.SetupFutureUsage | null;
    receiptEmail?: string | null;
    statementDescriptor?: string | null;
    statementDescriptorSuffix?: string | null;
  },
): PaymentIntentRecord {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: 'automatic',
    created: emu.timeForCustomer(fields.customer),
    currency: fields.currency,
    customer: fields.customer,
    customer_account: null,
    description: fields.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: fields.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: {
        installments: null,
        mandate_options: null,
        network: null,
        request_three_d_secure: 'automatic',
      },
    } as Stripe.PaymentIntent.PaymentMethodOptions,
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: fields.receiptEmail ?? null,
    review: null,
    setup_future_usage: fields.setupFutureUsage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: fields.statementDescriptor ?? null,
    statement_descriptor_suffix: fields.statementDescriptorSuffix ?? null,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

/** A method that belongs to another customer, or to a customer while the intent has none, cannot pay it. */
function checkMethodOwner(pm: PaymentMethodRecord, customer: string | null, param: string): void {
  if (pm.customer && pm.customer !== customer) {
    throw invalidRequest(
      customer
        ? `The provided PaymentMethod ${pm.id} belongs to another customer; it must be attached to ${customer}.`
        : `The provided PaymentMethod ${pm.id} is attached to a customer (${pm.customer}); pass that customer too.`,
      param,
      'payment_method_unexpected_state',
    );
  }
}

/**
 * Confirms a saved PaymentIntent with a method: charges the card and moves the intent to
 * `succeeded`, or back to `requires_payment_method` with `last_payment_error` (or to `requires_action`
 * for a card needing 3D Secure on-session). Emits `charge.*` then `payment_intent.*`; with
 * `setup_future_usage` and a customer a successful payment also attaches the method. Answers the
 * card error Stripe would send, or null.
 */
export function confirmPaymentIntent(
  emu: Emulator,
  pi: PaymentIntentRecord,
  pm: PaymentMethodRecord,
  opts: {
    offSession: boolean;
    request: EventRequest;
    settleLater?: boolean;
    authenticated?: boolean;
    /** The confirmation's `return_url`: the customer authenticates on the emulator's page, then goes there. */
    returnUrl?: string;
  },
): StripeApiError | null {
  const customer = typeof pi.customer === 'string' ? pi.customer : null;
  const outcome = testCardOf(pm).outcome;
  pi.payment_method = pm.id;
  if (outcome === 'authentication_required' && !opts.offSession && !opts.authenticated) {
    // The intent waits for the customer, as at Stripe: with a return_url on the bank's page
    // (pages/authentication-page.ts), else through Stripe.js.
    pi.status = 'requires_action';
    pi.next_action = (
      opts.returnUrl
        ? {
            type: 'redirect_to_url',
            redirect_to_url: { url: `${emu.url}/3d_secure/${pi.id}`, return_url: opts.returnUrl },
          }
        : { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
    ) as Stripe.PaymentIntent.NextAction;
    emu.store.put('payment_intents', pi);
    emu.emitEvent('payment_intent.requires_action', pi, { request: opts.request, customer });
    return null;
  }
  const failure = chargeFailureFor(outcome, opts.offSession);
  const charge = recordCharge(emu, {
    paymentIntent: pi,
    paymentMethod: pm,
    failure,
    settleLater: opts.settleLater,
    request: opts.request,
  });
  pi.latest_charge = charge.id;
  if (failure) {
    pi.status = 'requires_payment_method';
    pi.last_payment_error = {
      type: 'card_error',
      charge: charge.id,
      code: failure.code as Stripe.PaymentIntent.LastPaymentError.Code,
      decline_code: failure.declineCode,
      doc_url: `https://stripe.com/docs/error-codes/${failure.code.replaceAll('_', '-')}`,
      message: failure.message,
      payment_method: render(pm),
    };
    emu.store.put('payment_intents', pi);
    emu.emitEvent('payment_intent.payment_failed', pi, { request: opts.request, customer });
    const extra = {
      charge: charge.id,
      doc_url: pi.last_payment_error.doc_url,
      payment_intent: render(pi),
      payment_method: render(pm),
    };
    return new StripeApiError(402, {
      type: 'card_error',
      code: failure.code,
      decline_code: failure.declineCode,
      message: failure.message,
      ...extra,
    });
  }
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  pi.last_payment_error = null;
  pi.next_action = null;
  if (pi.setup_future_usage && customer) attachPaymentMethod(emu, pm, customer, opts.request);
  emu.store.put('payment_intents', pi);
  emu.emitEvent('payment_intent.succeeded', pi, { request: opts.request, customer });
  // 4000 0000 0000 0259: the cardholder disputes the payment; Checkout opens it after its completion.
  if (outcome === 'disputed' && !opts.settleLater) openDispute(emu, charge.id, opts.request);
  return null;
}

/**
 * Charges a customer's saved card without the customer present (renewals, retries, off-session
 * PaymentIntents). Emits `payment_intent.created`, then `charge.succeeded` + `payment_intent.succeeded`,
 * or `charge.failed` + `payment_intent.payment_failed`; a decline is answered in `error`, not thrown.
 * Unknown customers or methods, and methods of another customer, throw.
 */
export function chargeOffSession(
  emu: Emulator,
  args: {
    customer: string;
    paymentMethod: string;
    amount: number;
    currency: string;
    description?: string | null;
    metadata?: Record<string, string>;
    request?: EventRequest;
  },
): ChargeResult {
  requireCustomer(emu, args.customer, 'customer');
  if (!Number.isSafeInteger(args.amount) || args.amount < 1) {
    throw invalidParam('amount', `Invalid amount: ${args.amount} (a positive integer in the minor unit).`);
  }
  if (!/^[a-z]{3}$/.test(args.currency))
    throw invalidParam('currency', `Invalid currency: ${args.currency}.`);
  const pm = resolvePaymentMethod(emu, args.paymentMethod, 'payment_method');
  checkMethodOwner(pm, args.customer, 'payment_method');
  const request = args.request ?? null;
  const pi = newPaymentIntent(emu, {
    amount: args.amount,
    currency: args.currency,
    customer: args.customer,
    paymentMethod: pm.id,
    description: args.description ?? null,
    metadata: args.metadata ?? {},
  });
  emu.store.put('payment_intents', pi);
  emu.emitEvent('payment_intent.created', pi, { request, customer: args.customer });
  const error = confirmPaymentIntent(emu, pi, pm, { offSession: true, request });
  return { paymentIntent: pi, error };
}

/** `off_session` is a boolean, or `one_off` / `recurring` (both mean the customer is not present). */
function readOffSession(p: ParamReader): boolean | undefined {
  const v = p.string('off_session');
  if (v === undefined) return undefined;
  if (['true', 'one_off', 'recurring'].includes(v)) return true;
  if (v === 'false') return false;
  throw invalidParam('off_session', `Invalid off_session: ${v} (true, false, one_off or recurring).`);
}

/** Checks a `payment_method` param without creating anything, so a later validation error changes nothing. */
function checkPaymentMethodParam(emu: Emulator, id: string | undefined, customer: string | null): void {
  const pm = savedMethodParam(emu, id);
  if (pm) checkMethodOwner(pm, customer, 'payment_method');
}

function create(req: ApiRequest): PaymentIntentRecord {
  const { emu, params: p } = req;
  rejectPaymentMethodTypes(p, 'PaymentIntent');
  const amount = p.integer('amount', { required: true });
  if (amount < MIN_CHARGE_AMOUNT) {
    throw invalidRequest('Amount must be at least $0.50 usd', 'amount', 'amount_too_small');
  }
  if (amount > MAX_UNIT_AMOUNT) {
    throw invalidRequest(`Amount must be no more than ${MAX_UNIT_AMOUNT}`, 'amount', 'amount_too_large');
  }
  const currency = readCurrency(p)!;
  const customer = p.string('customer') ?? null;
  if (customer) requireCustomer(emu, customer, 'customer');
  const pmId = p.string('payment_method');
  const confirm = p.boolean('confirm') ?? false;
  const offSession = readOffSession(p);
  if (offSession !== undefined && !confirm) {
    throw invalidRequest(
      'off_session can only be set when confirm=true.',
      'off_session',
      'parameter_invalid',
    );
  }
  if (confirm && !pmId) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Pass payment_method.",
      'payment_method',
      'payment_intent_unexpected_state',
    );
  }
  const capture = p.enum('capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (capture === 'manual') {
    throw invalidParam('capture_method', 'Manual capture is not supported by the emulator.');
  }
  const setupFutureUsage = p.enum('setup_future_usage', ['on_session', 'off_session'] as const) ?? null;
  const receiptEmail = p.string('receipt_email') ?? null;
  if (receiptEmail && !/^[^@\s]+@[^@\s]+$/.test(receiptEmail)) {
    throw invalidParam('receipt_email', `Invalid email address: ${receiptEmail}`);
  }
  const description = p.string('description') ?? null;
  const metadata = p.metadata();
  const statementDescriptor = p.string('statement_descriptor') ?? null;
  const statementDescriptorSuffix = p.string('statement_descriptor_suffix') ?? null;
  checkPaymentMethodParam(emu, pmId, customer);
  const pm = pmId ? resolvePaymentMethod(emu, pmId, 'payment_method') : null;
  const pi = newPaymentIntent(emu, {
    amount,
    currency,
    customer,
    paymentMethod: pm?.id ?? null,
    description,
    metadata,
    setupFutureUsage,
    receiptEmail,
    statementDescriptor,
    statementDescriptorSuffix,
  });
  emu.store.put('payment_intents', pi);
  emu.emitEvent('payment_intent.created', pi, { request: req.eventRequest, customer });
  if (confirm && pm) {
    const error = confirmPaymentIntent(emu, pi, pm, {
      offSession: offSession ?? false,
      request: req.eventRequest,
    });
    if (error) throw error;
  }
  return pi;
}

function confirm(req: ApiRequest): PaymentIntentRecord {
  const { emu, params: p } = req;
  const pi = requirePaymentIntent(emu, req.path.id!);
  rejectPaymentMethodTypes(p, 'PaymentIntent');
  assertConfirmable(pi, 'PaymentIntent');
  const customer = typeof pi.customer === 'string' ? pi.customer : null;
  const pmId = confirmationMethodId(p, pi);
  const offSession = readOffSession(p) ?? false;
  const returnUrl = p.string('return_url');
  if (returnUrl !== undefined && !/^https?:\/\/\S+$/.test(returnUrl)) {
    throw invalidParam('return_url', `Invalid URL: ${returnUrl}`);
  }
  checkPaymentMethodParam(emu, pmId, customer);
  const pm = resolvePaymentMethod(emu, pmId, 'payment_method');
  if (pi.status === 'requires_action' && pm.id === pi.payment_method) {
    // Confirming again after the (emulated) authentication succeeds.
    pi.status = 'requires_confirmation';
    pi.next_action = null;
    const error = confirmPaymentIntent(emu, pi, pm, {
      offSession: false,
      authenticated: true,
      request: req.eventRequest,
    });
    if (error) throw error;
    return pi;
  }
  const error = confirmPaymentIntent(emu, pi, pm, { offSession, request: req.eventRequest, returnUrl });
  if (error) throw error;
  return pi;
}

/**
 * The customer's answer on the authentication page: `succeeded` charges the card as after a
 * passed 3D Secure challenge; `failed` returns the intent to `requires_payment_method` with
 * `payment_intent_authentication_failure`, as Stripe does. Emits the same events as a confirmation.
 */
export function authenticatePaymentIntent(emu: Emulator, pi: PaymentIntentRecord, passed: boolean): void {
  const customer = typeof pi.customer === 'string' ? pi.customer : null;
  const pmId = typeof pi.payment_method === 'string' ? pi.payment_method : pi.payment_method?.id;
  const pm = resolvePaymentMethod(emu, pmId!, 'payment_method');
  pi.next_action = null;
  if (passed) {
    pi.status = 'requires_confirmation';
    confirmPaymentIntent(emu, pi, pm, { offSession: false, authenticated: true, request: null });
    return;
  }
  pi.status = 'requires_payment_method';
  pi.last_payment_error = {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: render(pm),
  } as Stripe.PaymentIntent.LastPaymentError;
  emu.store.put('payment_intents', pi);
  emu.emitEvent('payment_intent.payment_failed', pi, { request: null, customer });
}

function cancel(req: ApiRequest): PaymentIntentRecord {
  const { emu, params: p } = req;
  const pi = requirePaymentIntent(emu, req.path.id!);
  assertCancelable(pi, 'PaymentIntent');
  const reason =
    p.enum('cancellation_reason', [
      'abandoned',
      'duplicate',
      'fraudulent',
      'requested_by_customer',
    ] as const) ?? null;
  const customer = typeof pi.customer === 'string' ? pi.customer : null;
  pi.status = 'canceled';
  pi.canceled_at = emu.timeForCustomer(customer);
  pi.cancellation_reason = reason;
  pi.next_action = null;
  emu.store.changed();
  emu.emitEvent('payment_intent.canceled', pi, { request: req.eventRequest, customer });
  return pi;
}

/**
 * `payment_intents`: create (optionally `confirm` + `off_session` with a saved card), retrieve,
 * confirm, cancel, list by customer. Declines are 402 card errors; the intent returns to
 * `requires_payment_method`.
 */
export function registerPaymentIntents(emu: Emulator): void {
  registerAuthenticationPage(emu, authenticatePaymentIntent);
  emu.route('post', '/v1/payment_intents', create);
  emu.route('get', '/v1/payment_intents/:id', (req) => requirePaymentIntent(req.emu, req.path.id!));
  emu.route('post', '/v1/payment_intents/:id/confirm', confirm);
  emu.route('post', '/v1/payment_intents/:id/cancel', cancel);
  emu.route('get', '/v1/payment_intents', (req) => {
    const customer = req.params.string('customer');
    const items = [...req.emu.store.collection<PaymentIntentRecord>('payment_intents').values()].filter(
      (pi) => !customer || pi.customer === customer,
    );
    return paginate(items, req.params, '/v1/payment_intents');
  });
}
