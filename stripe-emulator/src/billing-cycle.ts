import { periodContaining } from './billing-periods.ts';
import type { Emulator } from './emulator.ts';
import { changedAttributes } from './previous-attributes.ts';
import type { InvoiceRecord, SubscriptionRecord } from './records.ts';
import {
  attemptInvoicePayment,
  createSubscriptionInvoice,
  finalizeInvoice,
  invoiceSubscriptionId,
} from './resources/invoices.ts';
import {
  currentPeriod,
  endSubscription,
  expireIncomplete,
  INCOMPLETE_EXPIRY_SECONDS,
  settleAfterPayment,
} from './resources/subscriptions.ts';
import { render, type StoredObject } from './store.ts';

const DAY = 86_400;
/** Smart-retry stand-in: after a failed renewal charge, retry 3, 5 and 7 days after the first failure, then give up. */
export const RETRY_DAYS_AFTER_FIRST_FAILURE = [3, 5, 7] as const;
/** A guard against a bug looping forever; far above any real advance (ten years of daily renewals). */
const MAX_ACTIONS = 100_000;

/** When a renewal invoice that failed `attemptCount` times is tried next; null once retries are exhausted. */
export function nextRenewalAttempt(attemptCount: number, firstFailedAt: number): number | null {
  const days = RETRY_DAYS_AFTER_FIRST_FAILURE[attemptCount - 1];
  return days === undefined ? null : firstFailedAt + days * DAY;
}

/** One piece of work that falls due at `at`; `rank` orders work due at the same second. */
interface DueWork {
  at: number;
  rank: number;
  run: () => void;
}

/**
 * Everything due for the objects on one clock (`null` = objects on no test clock): period ends
 * (renew, or end a subscription set to cancel), renewal invoices to finalize and charge about an
 * hour after creation, retries of failed renewals, and first invoices left unpaid for 23 hours.
 */
function dueWork(emu: Emulator, clockId: string | null): DueWork[] {
  const work: DueWork[] = [];
  for (const invoice of emu.store.collection<InvoiceRecord>('invoices').values()) {
    if ((invoice.test_clock ?? null) !== clockId) continue;
    if (invoice.status === 'draft' && invoice.automatically_finalizes_at) {
      work.push({
        at: invoice.automatically_finalizes_at,
        rank: 0,
        run: () => finalizeAndCharge(emu, invoice),
      });
    } else if (invoice.status === 'open' && invoice.next_payment_attempt) {
      work.push({ at: invoice.next_payment_attempt, rank: 1, run: () => retryRenewal(emu, invoice) });
    }
  }
  for (const sub of emu.store.collection<SubscriptionRecord>('subscriptions').values()) {
    if ((sub.test_clock ?? null) !== clockId) continue;
    if (sub.status === 'active' || sub.status === 'past_due') {
      const end = currentPeriod(sub).end;
      if (sub.cancel_at !== null && sub.cancel_at <= end) {
        work.push({
          at: sub.cancel_at,
          rank: 2,
          run: () => endSubscription(emu, sub, 'cancellation_requested', null),
        });
      } else {
        work.push({ at: end, rank: 2, run: () => renew(emu, sub) });
      }
    } else if (sub.status === 'incomplete') {
      work.push({
        at: sub.created + INCOMPLETE_EXPIRY_SECONDS,
        rank: 3,
        run: () => expireIncomplete(emu, sub, null),
      });
    }
  }
  return work;
}

/**
 * Runs, in time order, all work due strictly after `from` and at or before `to`, each at its own
 * time (so objects and events carry the period end, not the end of the jump), again and again until
 * nothing more is due: a jump over three periods renews three times. Answers how much work ran.
 */
export function runBillingCycle(emu: Emulator, clockId: string | null, from: number, to: number): number {
  let count = 0;
  for (;;) {
    const next = dueWork(emu, clockId)
      .filter((w) => w.at > from && w.at <= to)
      .sort((a, b) => a.at - b.at || a.rank - b.rank)[0];
    if (!next) return count;
    atTime(emu, clockId, next.at, next.run);
    count += 1;
    if (count > MAX_ACTIONS) throw new Error(`billing cycle did not settle after ${MAX_ACTIONS} steps`);
  }
}

/** Runs `fn` with the clock's time (or the emulator's own time) set to `at`, then puts it back. */
function atTime(emu: Emulator, clockId: string | null, at: number, fn: () => void): void {
  const clock = clockId
    ? emu.store.get<StoredObject & { frozen_time: number }>('test_clocks', clockId)
    : undefined;
  if (clock) {
    const saved = clock.frozen_time;
    clock.frozen_time = at;
    try {
      fn();
    } finally {
      clock.frozen_time = saved;
    }
    return;
  }
  // Held, not offset: on a busy machine the wall clock can tick while `fn` runs.
  emu.atOwnTime(at, fn);
}

/**
 * A period ended: the items move to the next period (`customer.subscription.updated`, with the old
 * items in `previous_attributes`) and a draft `subscription_cycle` invoice for the new period is
 * created (`invoice.created`); it is finalized and charged an hour later.
 */
function renew(emu: Emulator, sub: SubscriptionRecord): void {
  const before = render(sub);
  const ended = currentPeriod(sub);
  const next = periodContaining(sub.billing_cycle_anchor, sub.items.data[0]!.price.recurring!, ended.end);
  for (const item of sub.items.data) {
    item.current_period_start = next.start;
    item.current_period_end = next.end;
  }
  const invoice = createSubscriptionInvoice(emu, sub, {
    billingReason: 'subscription_cycle',
    service: next,
    window: ended,
    autoFinalize: true,
  });
  sub.latest_invoice = invoice.id;
  emu.store.changed();
  const options = { request: null, customer: sub.customer as string };
  emu.emitEvent('customer.subscription.updated', sub, {
    ...options,
    previousAttributes: changedAttributes(before, sub),
  });
  emu.emitEvent('invoice.created', invoice, options);
}

function subscriptionOf(emu: Emulator, invoice: InvoiceRecord): SubscriptionRecord | undefined {
  const id = invoiceSubscriptionId(invoice);
  return id ? emu.store.get<SubscriptionRecord>('subscriptions', id) : undefined;
}

/** An hour after creation: finalize, charge; a failure makes the subscription past_due. */
function finalizeAndCharge(emu: Emulator, invoice: InvoiceRecord): void {
  finalizeInvoice(emu, invoice, null);
  const attempt = attemptInvoicePayment(emu, invoice, { request: null, nextAttemptAt: nextRenewalAttempt });
  const sub = subscriptionOf(emu, invoice);
  if (sub) settleAfterPayment(emu, sub, attempt.paid, null);
}

/** A retry: paid → the subscription is active again; the last failure ends it (`payment_failed`). */
function retryRenewal(emu: Emulator, invoice: InvoiceRecord): void {
  const attempt = attemptInvoicePayment(emu, invoice, { request: null, nextAttemptAt: nextRenewalAttempt });
  const sub = subscriptionOf(emu, invoice);
  if (!sub || sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
  if (attempt.paid) settleAfterPayment(emu, sub, true, null);
  else if (invoice.next_payment_attempt === null) endSubscription(emu, sub, 'payment_failed', null);
}

/** Registers the cycle with the emulator's time: `/_emulator/advance` and test clock advances run it. */
export function registerBillingCycle(emu: Emulator): void {
  emu.onTimeAdvance((clockId, from, to) => {
    runBillingCycle(emu, clockId, from, to);
  });
}
