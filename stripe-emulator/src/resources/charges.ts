import type Stripe from 'stripe';
import type { ApiRequest, Emulator } from '../emulator.ts';
import { resourceMissing } from '../errors.ts';
import { paginate } from '../expand.ts';
import { newId, randomToken } from '../ids.ts';
import type { ChargeRecord, PaymentMethodRecord } from '../records.ts';

/** Why a charge failed, as the card network reports it. */
export interface ChargeFailure {
  code: string;
  declineCode: string;
  message: string;
}

/** Builds and saves the charge of one payment attempt on a PaymentIntent, and emits `charge.succeeded` / `charge.failed`. */
export function recordCharge(
  emu: Emulator,
  args: {
    paymentIntent: Stripe.PaymentIntent;
    paymentMethod: PaymentMethodRecord;
    failure: ChargeFailure | null;
    /** Leaves `balance_transaction` null until `settleCharge` (Checkout settles after its completion event). */
    settleLater?: boolean;
    request: ApiRequest['eventRequest'] | null;
  },
): ChargeRecord {
  const { paymentIntent: pi, paymentMethod: pm, failure } = args;
  const customer = typeof pi.customer === 'string' ? pi.customer : null;
  const card = pm.card!;
  const charge: ChargeRecord = {
    id: newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: failure ? 0 : pi.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failure || args.settleLater ? null : newId('txn'),
    billing_details: structuredClone(pm.billing_details),
    calculated_statement_descriptor: 'EMULATOR',
    captured: !failure,
    created: emu.timeForCustomer(customer),
    currency: pi.currency,
    customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: failure ? 'declined_by_network' : 'approved_by_network',
      reason: failure?.declineCode ?? null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: failure
        ? 'The bank did not return any further details with this decline.'
        : 'Payment complete.',
      type: failure ? 'issuer_declined' : 'authorized',
    },
    paid: !failure,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: failure ? null : pi.amount,
        authorization_code: failure ? null : randomToken(6).toUpperCase(),
        brand: card.brand,
        checks: card.checks,
        country: card.country,
        electronic_commerce_indicator: null,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        extended_authorization: { status: 'disabled' },
        fingerprint: card.fingerprint ?? null,
        funding: card.funding,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: failure ? null : randomToken(15),
        overcapture: { maximum_amount_capturable: pi.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    } as Stripe.Charge.PaymentMethodDetails,
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: '' },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: failure ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  charge.refunds!.url = `/v1/charges/${charge.id}/refunds`;
  emu.store.put('charges', charge);
  emu.emitEvent(failure ? 'charge.failed' : 'charge.succeeded', charge, { request: args.request, customer });
  return charge;
}

/** Gives a succeeded charge its balance transaction and emits `charge.updated`, as Stripe does once funds settle. */
export function settleCharge(
  emu: Emulator,
  chargeId: string,
  request: ApiRequest['eventRequest'] | null,
): void {
  const charge = emu.store.get<ChargeRecord>('charges', chargeId);
  if (charge?.status !== 'succeeded' || charge.balance_transaction) return;
  charge.balance_transaction = newId('txn');
  emu.store.changed();
  emu.emitEvent('charge.updated', charge, {
    request,
    customer: typeof charge.customer === 'string' ? charge.customer : null,
    previousAttributes: { balance_transaction: null },
  });
}

/** `charges`: retrieve and list (by customer or payment_intent); charges are made by PaymentIntents. */
export function registerCharges(emu: Emulator): void {
  emu.route('get', '/v1/charges/:id', (req) => {
    const charge = req.emu.store.get<ChargeRecord>('charges', req.path.id!);
    if (!charge) throw resourceMissing('charge', req.path.id!);
    return charge;
  });
  emu.route('get', '/v1/charges', (req) => {
    const customer = req.params.string('customer');
    const paymentIntent = req.params.string('payment_intent');
    const items = [...req.emu.store.collection<ChargeRecord>('charges').values()].filter(
      (c) => (!customer || c.customer === customer) && (!paymentIntent || c.payment_intent === paymentIntent),
    );
    return paginate(items, req.params, '/v1/charges');
  });
}
