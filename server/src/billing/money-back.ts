import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { idOf } from '../stripe/expandable.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import { prepareCheckoutFulfilment } from './fulfilment.ts';
import { combineChanges, type StoreChange } from './store-change.ts';
import { prepareInvoicePaid } from './subscriptions.ts';

/**
 * Money going back out through Stripe: refunds and disputes take back the credit their payment
 * granted. Policies (server/README.md, "Refunds and disputes"):
 *
 * - The grant is the ledger entry the payment made: a top-up's Checkout session, a subscription
 *   invoice's included credit, or an entry keyed by the PaymentIntent itself. A take-back is that
 *   grant's share of the money returned, `round(grant × returned / paid)`, computed on cumulative
 *   amounts so that partial refunds add up to exactly the grant (a top-up's grant is what was
 *   paid, so its share is cent for cent), and never more than the grant still holds (in SQL,
 *   store/operations.ts `reverseGrant`). Credit already spent makes the balance negative: the
 *   customer owes it, and `/usage` answers 402 until a top-up brings it back.
 * - Every handler re-reads Stripe and brings the ledger to what Stripe says now, keyed by Stripe's
 *   ids (refund `re_…`, dispute `du_…`), so repeats, out-of-order deliveries and reconciliation
 *   replays change nothing more. When the grant itself is not recorded yet (its webhook is late),
 *   the same unit records it first.
 */

/** The grant a charge's payment made, and the change that records it when it is not yet recorded. */
interface ChargeGrant {
  sourceId: string;
  ensure: StoreChange | null;
}

/**
 * Finds the grant behind a charge: the Checkout session of its PaymentIntent (ours only), else the
 * invoice it paid, else the PaymentIntent itself (a grant keyed by it). Null for a charge that no
 * payment of ours made.
 */
async function grantOfCharge(deps: AppDeps, charge: Stripe.Charge): Promise<ChargeGrant | null> {
  const paymentIntent = idOf(charge.payment_intent);
  if (!paymentIntent) return null;
  const sessions = await callStripe('find the Checkout session of a payment', () =>
    deps.stripe.checkout.sessions.list({ payment_intent: paymentIntent, limit: 1 }),
  );
  const session = sessions.data[0];
  if (session) {
    const fulfilment = await prepareCheckoutFulfilment(deps, session.id);
    if (fulfilment.outcome === 'unknown') return null;
    return { sourceId: session.id, ensure: fulfilment.change };
  }
  const payments = await callStripe('find the invoice of a payment', () =>
    deps.stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: paymentIntent },
      limit: 1,
    }),
  );
  const invoiceId = payments.data[0] ? idOf(payments.data[0].invoice) : null;
  if (invoiceId) return { sourceId: invoiceId, ensure: await prepareInvoicePaid(deps, invoiceId) };
  return { sourceId: paymentIntent, ensure: null };
}

/**
 * `charge.refunded`, `refund.created`, `refund.updated`: every succeeded refund of the charge takes
 * back its share of the grant, once per refund. Refunds count in Stripe's order (oldest first), so
 * each one's share is the delta of the cumulative amount refunded, whichever event arrives first.
 * A refund counts once it has succeeded (card refunds succeed at once); a pending one waits for its
 * `refund.updated`, and a failed or canceled one never takes anything.
 */
export async function prepareChargeRefunds(deps: AppDeps, chargeId: string): Promise<StoreChange | null> {
  const charge = await callStripe('read the charge', () => deps.stripe.charges.retrieve(chargeId));
  if (charge.amount_refunded === 0 || charge.amount <= 0) return null;
  const grant = await grantOfCharge(deps, charge);
  if (!grant) return null;
  const refunds: Stripe.Refund[] = [];
  await callStripe('list the charge’s refunds', () =>
    deps.stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingEach((r) => {
      refunds.push(r);
    }),
  );
  // Listed newest first: walk them oldest first, adding up what was returned before each.
  refunds.reverse();
  let returned = 0;
  const takes: StoreChange[] = [];
  for (const refund of refunds) {
    if (refund.status !== 'succeeded' || refund.amount <= 0) continue;
    const before = returned;
    returned = Math.min(charge.amount, returned + refund.amount);
    if (returned <= before) continue;
    takes.push((unit) => {
      unit.reverseGrant({
        grantSourceId: grant.sourceId,
        sourceId: refund.id,
        kind: 'refund',
        beforeCents: before,
        afterCents: returned,
        ofCents: charge.amount,
        stripeObjectId: refund.id,
        description: 'Payment refunded',
      });
    });
  }
  return combineChanges(grant.ensure, ...takes);
}

/**
 * `charge.dispute.*`: a dispute whose funds were withdrawn (a negative balance transaction; card
 * chargebacks withdraw at creation, so `charge.dispute.created` already finds it) takes back its
 * share of the grant; a won dispute then gives back exactly what was taken. A lost one keeps it
 * taken; an inquiry (`warning_*`) moves no money and takes nothing. The dispute fee is the
 * merchant's cost and is not charged to the customer's credit.
 */
export async function prepareDispute(deps: AppDeps, disputeId: string): Promise<StoreChange | null> {
  const dispute = await callStripe('read the dispute', () => deps.stripe.disputes.retrieve(disputeId));
  const withdrawn = dispute.balance_transactions.some((t) => t.amount < 0);
  if (!withdrawn || dispute.amount <= 0) return null;
  const chargeId = idOf(dispute.charge);
  if (!chargeId) return null;
  const charge = await callStripe('read the charge', () => deps.stripe.charges.retrieve(chargeId));
  const grant = await grantOfCharge(deps, charge);
  if (!grant || charge.amount <= 0) return null;
  const take: StoreChange = (unit) => {
    unit.reverseGrant({
      grantSourceId: grant.sourceId,
      sourceId: dispute.id,
      kind: 'dispute',
      beforeCents: 0,
      afterCents: Math.min(dispute.amount, charge.amount),
      ofCents: charge.amount,
      stripeObjectId: dispute.id,
      description: 'Payment disputed',
    });
  };
  const reinstate: StoreChange | null =
    dispute.status === 'won'
      ? (unit) => {
          unit.restoreReversal({
            reversedSourceId: dispute.id,
            sourceId: `${dispute.id}:reinstated`,
            kind: 'dispute_reinstated',
            stripeObjectId: dispute.id,
            description: 'Dispute won',
          });
        }
      : null;
  return combineChanges(grant.ensure, take, reinstate);
}
