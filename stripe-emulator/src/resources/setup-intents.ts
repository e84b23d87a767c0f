import type Stripe from 'stripe';
import type { ApiRequest, Emulator, EventRequest } from '../emulator.ts';
import { invalidRequest, missingParam, StripeApiError } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId, randomToken } from '../ids.ts';
import { requireCustomer, requireSetupIntent } from '../lookups.ts';
import type { PaymentMethodRecord, SetupIntentRecord } from '../records.ts';
import { render } from '../store.ts';
import {
  assertCancelable,
  assertConfirmable,
  confirmationMethodId,
  rejectPaymentMethodTypes,
  savedMethodParam,
} from './intent-states.ts';
import { attachPaymentMethod, resolvePaymentMethod, testCardOf } from './payment-methods.ts';

/** A new SetupIntent, not yet saved: `requires_payment_method`, or `requires_confirmation` with a method. */
export function newSetupIntent(
  emu: Emulator,
  fields: {
    customer: string | null;
    paymentMethod?: string | null;
    usage?: 'on_session' | 'off_session';
    description?: string | null;
    metadata?: Record<string, string>;
  },
): SetupIntentRecord {
  const id = newId('seti');
  return {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: { allow_redirects: 'always', enabled: true },
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomToken(32)}`,
    created: emu.timeForCustomer(fields.customer),
    customer: fields.customer,
    customer_account: null,
    description: fields.description ?? null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: fields.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: fields.paymentMethod ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    } as Stripe.SetupIntent.PaymentMethodOptions,
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: fields.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    usage: fields.usage ?? 'off_session',
  };
}

/**
 * Confirms a saved SetupIntent with a method. Cards that decline fail the setup (402, the intent
 * back to `requires_payment_method`, `setup_intent.setup_failed`); a card needing 3D Secure waits in
 * `requires_action` unless the customer `authenticated` on a hosted page; otherwise the intent
 * succeeds and, with a customer, the method is attached to it. 4000 0000 0000 0341 sets up fine:
 * only its later charges fail.
 */
export function confirmSetupIntent(
  emu: Emulator,
  si: SetupIntentRecord,
  pm: PaymentMethodRecord,
  opts: { request: EventRequest; authenticated?: boolean },
): StripeApiError | null {
  const customer = typeof si.customer === 'string' ? si.customer : null;
  const outcome = testCardOf(pm).outcome;
  si.payment_method = pm.id;
  if (outcome === 'declined' || outcome === 'insufficient_funds') {
    const declineCode = outcome === 'declined' ? 'generic_decline' : 'insufficient_funds';
    const message = outcome === 'declined' ? 'Your card was declined.' : 'Your card has insufficient funds.';
    si.status = 'requires_payment_method';
    si.last_setup_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      message,
      payment_method: render(pm),
    } as Stripe.SetupIntent.LastSetupError;
    emu.store.put('setup_intents', si);
    emu.emitEvent('setup_intent.setup_failed', si, { request: opts.request, customer });
    // Stripe's card error names the failed intent and method, as the SDK's `err.setup_intent` shows.
    const related = { payment_method: render(pm), setup_intent: render(si) };
    return new StripeApiError(402, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
      message,
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      ...related,
    });
  }
  if (outcome === 'authentication_required' && !opts.authenticated) {
    si.status = 'requires_action';
    si.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
    emu.store.put('setup_intents', si);
    emu.emitEvent('setup_intent.requires_action', si, { request: opts.request, customer });
    return null;
  }
  if (customer) attachPaymentMethod(emu, pm, customer, opts.request);
  si.status = 'succeeded';
  si.last_setup_error = null;
  si.next_action = null;
  emu.store.put('setup_intents', si);
  emu.emitEvent('setup_intent.succeeded', si, { request: opts.request, customer });
  return null;
}

/** Checks a `payment_method` param without creating anything, so a later validation error changes nothing. */
function checkPaymentMethodParam(emu: Emulator, id: string | undefined, customer: string | null): void {
  const pm = savedMethodParam(emu, id);
  if (pm?.customer && pm.customer !== customer) {
    throw invalidRequest(
      `The provided PaymentMethod ${pm.id} is attached to another customer (${pm.customer}).`,
      'payment_method',
      'payment_method_unexpected_state',
    );
  }
}

function create(req: ApiRequest): SetupIntentRecord {
  const { emu, params: p } = req;
  rejectPaymentMethodTypes(p, 'SetupIntent');
  const customer = p.string('customer') ?? null;
  if (customer) requireCustomer(emu, customer, 'customer');
  const pmId = p.string('payment_method');
  const confirm = p.boolean('confirm') ?? false;
  if (confirm && !pmId) throw missingParam('payment_method');
  const usage = p.enum('usage', ['on_session', 'off_session'] as const) ?? 'off_session';
  const description = p.string('description') ?? null;
  const metadata = p.metadata();
  checkPaymentMethodParam(emu, pmId, customer);
  const pm = pmId ? resolvePaymentMethod(emu, pmId, 'payment_method') : null;
  const si = newSetupIntent(emu, { customer, paymentMethod: pm?.id ?? null, usage, description, metadata });
  emu.store.put('setup_intents', si);
  emu.emitEvent('setup_intent.created', si, { request: req.eventRequest, customer });
  if (confirm && pm) {
    const error = confirmSetupIntent(emu, si, pm, { request: req.eventRequest });
    if (error) throw error;
  }
  return si;
}

function confirm(req: ApiRequest): SetupIntentRecord {
  const { emu, params: p } = req;
  const si = requireSetupIntent(emu, req.path.id!);
  rejectPaymentMethodTypes(p, 'SetupIntent');
  assertConfirmable(si, 'SetupIntent');
  const customer = typeof si.customer === 'string' ? si.customer : null;
  const pmId = confirmationMethodId(p, si);
  checkPaymentMethodParam(emu, pmId, customer);
  const pm = resolvePaymentMethod(emu, pmId, 'payment_method');
  // Confirming the same card again after `requires_action` stands for a completed authentication.
  const authenticated = si.status === 'requires_action' && si.payment_method === pm.id;
  const error = confirmSetupIntent(emu, si, pm, { request: req.eventRequest, authenticated });
  if (error) throw error;
  return si;
}

function cancel(req: ApiRequest): SetupIntentRecord {
  const { emu, params: p } = req;
  const si = requireSetupIntent(emu, req.path.id!);
  assertCancelable(si, 'SetupIntent');
  si.status = 'canceled';
  si.cancellation_reason =
    p.enum('cancellation_reason', ['abandoned', 'duplicate', 'requested_by_customer'] as const) ?? null;
  si.next_action = null;
  emu.store.changed();
  emu.emitEvent('setup_intent.canceled', si, {
    request: req.eventRequest,
    customer: typeof si.customer === 'string' ? si.customer : null,
  });
  return si;
}

/** `setup_intents`: create (optionally `confirm`), retrieve, confirm, cancel, list by customer or payment_method. */
export function registerSetupIntents(emu: Emulator): void {
  emu.route('post', '/v1/setup_intents', create);
  emu.route('get', '/v1/setup_intents/:id', (req) => requireSetupIntent(req.emu, req.path.id!));
  emu.route('post', '/v1/setup_intents/:id/confirm', confirm);
  emu.route('post', '/v1/setup_intents/:id/cancel', cancel);
  emu.route('get', '/v1/setup_intents', (req) => {
    const customer = req.params.string('customer');
    const paymentMethod = req.params.string('payment_method');
    const items = [...req.emu.store.collection<SetupIntentRecord>('setup_intents').values()].filter(
      (si) =>
        (!customer || si.customer === customer) && (!paymentMethod || si.payment_method === paymentMethod),
    );
    return paginate(items, req.params, '/v1/setup_intents');
  });
}
