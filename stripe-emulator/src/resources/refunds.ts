import type Stripe from 'stripe';
import type { Emulator, EventRequest } from '../emulator.ts';
import { invalidRequest, resourceMissing } from '../errors.ts';
import { createdInRange, paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { requirePaymentIntent } from '../lookups.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { ChargeRecord, DisputeRecord, RefundRecord } from '../records.ts';
import { render } from '../store.ts';

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

function requireCharge(emu: Emulator, id: string, param = 'id'): ChargeRecord {
  const charge = emu.store.get<ChargeRecord>('charges', id);
  if (!charge) throw resourceMissing('charge', id, param);
  return charge;
}

/** The charge's dispute that still holds its funds (open, or closed as lost); a won one gives them back. */
function blockingDispute(emu: Emulator, chargeId: string): DisputeRecord | undefined {
  return [...emu.store.collection<DisputeRecord>('disputes').values()].find(
    (d) => d.charge === chargeId && d.status !== 'won' && d.status !== 'warning_closed',
  );
}

/**
 * Refunds (part of) a succeeded card charge, as Stripe does for cards in test mode: the refund
 * succeeds at once. Events in Stripe's order: `charge.refunded` (the charge with its new cumulative
 * `amount_refunded`), `refund.created`, then `refund.updated` when its balance transaction is set.
 */
function createRefund(
  emu: Emulator,
  charge: ChargeRecord,
  args: { amount: number | undefined; reason: RefundRecord['reason']; metadata: Record<string, string> },
  request: EventRequest,
): RefundRecord {
  if (charge.status !== 'succeeded') {
    throw invalidRequest(
      `Charge ${charge.id} has not succeeded; only a succeeded charge can be refunded.`,
      'charge',
      'charge_not_refundable',
    );
  }
  if (charge.disputed && blockingDispute(emu, charge.id)) {
    throw invalidRequest(
      `Charge ${charge.id} has been charged back; cannot issue a refund.`,
      'charge',
      'charge_disputed',
    );
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) {
    throw invalidRequest(
      `Charge ${charge.id} has already been refunded.`,
      'charge',
      'charge_already_refunded',
    );
  }
  const amount = args.amount ?? remaining;
  if (amount < 1)
    throw invalidRequest('Refund amount must be a positive integer.', 'amount', 'parameter_invalid_integer');
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      'amount',
      'amount_too_large',
    );
  }
  const customer = typeof charge.customer === 'string' ? charge.customer : null;
  const refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: emu.timeForCustomer(customer),
    currency: charge.currency,
    customer,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: args.metadata,
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method: typeof charge.payment_method === 'string' ? charge.payment_method : null,
    reason: args.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  } as unknown as RefundRecord;
  emu.store.put('refunds', refund);

  const before = structuredClone(render(charge));
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  charge.refunds = refundList(emu, charge.id);
  emu.store.changed();
  const options = { request, customer };
  emu.emitEvent('charge.refunded', charge, {
    ...options,
    previousAttributes: changedAttributes(before, render(charge)),
  });
  emu.emitEvent('refund.created', refund, options);
  refund.balance_transaction = newId('txn');
  emu.store.changed();
  emu.emitEvent('refund.updated', refund, { ...options, previousAttributes: { balance_transaction: null } });
  return refund;
}

/** A charge's refunds as the list Stripe nests in `charge.refunds`, newest first. */
function refundList(emu: Emulator, chargeId: string): Stripe.ApiList<Stripe.Refund> {
  const data = [...emu.store.collection<RefundRecord>('refunds').values()]
    .filter((r) => r.charge === chargeId)
    .reverse()
    .map(render);
  return { object: 'list', data, has_more: false, url: `/v1/charges/${chargeId}/refunds` };
}

/** `refunds`: create (on a charge or a PaymentIntent, full or partial), retrieve, list. */
export function registerRefunds(emu: Emulator): void {
  emu.route('post', '/v1/refunds', (req) => {
    const p = req.params;
    const chargeId = p.string('charge');
    const paymentIntentId = p.string('payment_intent');
    if (!chargeId === !paymentIntentId) {
      throw invalidRequest(
        'Exactly one of charge or payment_intent is required.',
        chargeId ? 'payment_intent' : 'charge',
        'parameter_missing',
      );
    }
    let charge: ChargeRecord;
    if (chargeId) charge = requireCharge(req.emu, chargeId, 'charge');
    else {
      const pi = requirePaymentIntent(req.emu, paymentIntentId!, 'payment_intent');
      if (typeof pi.latest_charge !== 'string' || pi.status !== 'succeeded') {
        throw invalidRequest(
          `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
          'payment_intent',
          'charge_not_refundable',
        );
      }
      charge = requireCharge(req.emu, pi.latest_charge, 'payment_intent');
    }
    return createRefund(
      req.emu,
      charge,
      {
        amount: p.integer('amount'),
        reason: p.enum('reason', REFUND_REASONS) ?? null,
        metadata: p.metadata(),
      },
      req.eventRequest,
    );
  });
  emu.route('get', '/v1/refunds/:id', (req) => {
    const refund = req.emu.store.get<RefundRecord>('refunds', req.path.id!);
    if (!refund) throw resourceMissing('refund', req.path.id!);
    return refund;
  });
  emu.route('get', '/v1/refunds', (req) => {
    const p = req.params;
    const charge = p.string('charge');
    const paymentIntent = p.string('payment_intent');
    const created = createdInRange(p);
    const items = [...req.emu.store.collection<RefundRecord>('refunds').values()].filter(
      (r) =>
        (!charge || r.charge === charge) &&
        (!paymentIntent || r.payment_intent === paymentIntent) &&
        created(r.created),
    );
    return paginate(items, p, '/v1/refunds');
  });
}
