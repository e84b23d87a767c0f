import type Stripe from 'stripe';
import type { Emulator, EventRequest } from '../emulator.ts';
import { invalidRequest, resourceMissing } from '../errors.ts';
import { createdInRange, paginate } from '../expand.ts';
import { newId } from '../ids.ts';
import { changedAttributes } from '../previous-attributes.ts';
import type { ChargeRecord, DisputeRecord } from '../records.ts';
import { render } from '../store.ts';

/** Stripe's dispute fee, withdrawn with the disputed amount ($15.00). */
const DISPUTE_FEE = 1500;

/** What Stripe's test mode does with the evidence text: these two close the dispute at once. */
const WINNING_EVIDENCE = 'winning_evidence';
const LOSING_EVIDENCE = 'losing_evidence';

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

/** The balance transaction of a withdrawal (negative, with the fee) or a reinstatement. */
function balanceTransaction(
  dispute: DisputeRecord,
  kind: 'withdrawal' | 'reinstatement',
  at: number,
): Stripe.BalanceTransaction {
  const withdrawal = kind === 'withdrawal';
  const amount = withdrawal ? -dispute.amount : dispute.amount;
  const fee = withdrawal ? DISPUTE_FEE : -DISPUTE_FEE;
  return {
    id: newId('txn'),
    object: 'balance_transaction',
    amount,
    available_on: at,
    balance_type: 'payments',
    created: at,
    currency: dispute.currency,
    description: `Chargeback ${withdrawal ? 'withdrawal' : 'reversal'} for ${dispute.charge as string}`,
    exchange_rate: null,
    fee,
    fee_details: [
      {
        amount: fee,
        application: null,
        currency: dispute.currency,
        description: 'Dispute fee',
        type: 'stripe_fee',
      },
    ],
    net: amount - fee,
    reporting_category: withdrawal ? 'dispute' : 'dispute_reversal',
    source: dispute.id,
    status: 'available',
    type: 'adjustment',
  } as unknown as Stripe.BalanceTransaction;
}

/**
 * Opens a dispute on a succeeded charge, as Stripe's test card 4000 0000 0000 0259 does after the
 * payment: the full amount, reason `fraudulent`, funds withdrawn at once (with the dispute fee).
 * Events: `charge.dispute.created`, then `charge.dispute.funds_withdrawn`.
 */
export function openDispute(emu: Emulator, chargeId: string, request: EventRequest): DisputeRecord | null {
  const charge = emu.store.get<ChargeRecord>('charges', chargeId);
  if (charge?.status !== 'succeeded' || charge.disputed) return null;
  const customer = typeof charge.customer === 'string' ? charge.customer : null;
  const now = emu.timeForCustomer(customer);
  const card = charge.payment_method_details?.card;
  const dispute = {
    id: newId('du'),
    object: 'dispute',
    amount: charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: Object.fromEntries([...EVIDENCE_FIELDS.map((f) => [f, null]), ['enhanced_evidence', {}]]),
    evidence_details: {
      due_by: now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method_details: {
      card: {
        brand: card?.brand ?? 'visa',
        case_type: 'chargeback',
        network: card?.brand ?? 'visa',
        network_reason_code: '10.4',
      },
      type: 'card',
    },
    reason: 'fraudulent',
    status: 'needs_response',
  } as unknown as DisputeRecord;
  emu.store.put('disputes', dispute);
  charge.disputed = true;
  emu.store.changed();
  const options = { request, customer };
  emu.emitEvent('charge.dispute.created', dispute, options);
  dispute.balance_transactions = [balanceTransaction(dispute, 'withdrawal', now)];
  emu.store.changed();
  emu.emitEvent('charge.dispute.funds_withdrawn', dispute, options);
  return dispute;
}

function requireDispute(emu: Emulator, id: string): DisputeRecord {
  const dispute = emu.store.get<DisputeRecord>('disputes', id);
  if (!dispute) throw resourceMissing('dispute', id);
  return dispute;
}

function customerOf(emu: Emulator, dispute: DisputeRecord): string | null {
  const charge = emu.store.get<ChargeRecord>('charges', dispute.charge as string);
  return typeof charge?.customer === 'string' ? charge.customer : null;
}

/**
 * Closes a dispute: `won` reinstates the funds (`charge.dispute.closed`, then
 * `charge.dispute.funds_reinstated`); `lost` keeps them withdrawn (`charge.dispute.closed`).
 */
function closeDispute(
  emu: Emulator,
  dispute: DisputeRecord,
  outcome: 'won' | 'lost',
  request: EventRequest,
): void {
  const customer = customerOf(emu, dispute);
  const before = structuredClone(render(dispute));
  dispute.status = outcome;
  dispute.is_charge_refundable = outcome === 'won';
  emu.store.changed();
  const options = { request, customer };
  emu.emitEvent('charge.dispute.closed', dispute, {
    ...options,
    previousAttributes: changedAttributes(before, render(dispute)),
  });
  if (outcome === 'won') {
    dispute.balance_transactions = [
      ...dispute.balance_transactions,
      balanceTransaction(dispute, 'reinstatement', emu.timeForCustomer(customer)),
    ];
    emu.store.changed();
    emu.emitEvent('charge.dispute.funds_reinstated', dispute, options);
  }
}

/** The dispute must still take evidence (or a close). */
function assertOpen(dispute: DisputeRecord): void {
  if (dispute.status !== 'needs_response' && dispute.status !== 'warning_needs_response') {
    throw invalidRequest(
      `This dispute is ${dispute.status} and can no longer be updated.`,
      'id',
      'charge_dispute_closed',
    );
  }
}

/**
 * `disputes`: retrieve, list, update (evidence; as in Stripe's test mode, `uncategorized_text`
 * `winning_evidence` / `losing_evidence` submitted closes it as won / lost) and close (accept: lost).
 */
export function registerDisputes(emu: Emulator): void {
  emu.route('get', '/v1/disputes/:id', (req) => requireDispute(req.emu, req.path.id!));
  emu.route('get', '/v1/disputes', (req) => {
    const p = req.params;
    const charge = p.string('charge');
    const paymentIntent = p.string('payment_intent');
    const created = createdInRange(p);
    const items = [...req.emu.store.collection<DisputeRecord>('disputes').values()].filter(
      (d) =>
        (!charge || d.charge === charge) &&
        (!paymentIntent || d.payment_intent === paymentIntent) &&
        created(d.created),
    );
    return paginate(items, p, '/v1/disputes');
  });
  emu.route('post', '/v1/disputes/:id', (req) => {
    const dispute = requireDispute(req.emu, req.path.id!);
    const p = req.params;
    const evidence = p.object('evidence');
    const submit = p.boolean('submit') ?? true;
    if (evidence || p.has('submit')) assertOpen(dispute);
    const before = structuredClone(render(dispute));
    if (evidence) {
      for (const field of EVIDENCE_FIELDS) {
        const value = evidence.nullableString(field);
        if (value !== undefined) (dispute.evidence as unknown as Record<string, unknown>)[field] = value;
      }
      dispute.evidence_details.has_evidence = true;
    }
    dispute.metadata = p.metadata(dispute.metadata as Record<string, string>);
    const text = dispute.evidence.uncategorized_text;
    const closes = submit && (text === WINNING_EVIDENCE || text === LOSING_EVIDENCE);
    if (submit && (evidence || p.has('submit'))) {
      dispute.evidence_details.submission_count += 1;
      dispute.status = 'under_review';
    }
    req.emu.store.changed();
    const options = { request: req.eventRequest, customer: customerOf(req.emu, dispute) };
    req.emu.emitEvent('charge.dispute.updated', dispute, {
      ...options,
      previousAttributes: changedAttributes(before, render(dispute)),
    });
    if (closes) closeDispute(req.emu, dispute, text === WINNING_EVIDENCE ? 'won' : 'lost', req.eventRequest);
    return dispute;
  });
  emu.route('post', '/v1/disputes/:id/close', (req) => {
    const dispute = requireDispute(req.emu, req.path.id!);
    assertOpen(dispute);
    closeDispute(req.emu, dispute, 'lost', req.eventRequest);
    return dispute;
  });
}
