import Stripe from 'stripe';
import type { AutoRecharge } from '../../../contract/types.ts';
import type { AppDeps } from '../app-env.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { formatCents } from '../money.ts';
import type {
  AutoRechargeClaim,
  AutoRechargeOutcome,
  AutoRechargeSettings,
  AutoRechargeView,
} from '../store/records.ts';
import { idOf } from '../stripe/expandable.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import type { StoreChange } from './store-change.ts';

/**
 * Auto-recharge: the saved card is charged off-session when a debit takes the balance below the
 * threshold the user chose.
 *
 * The trigger rule: a `/usage` debit whose ledger row takes the balance from at or above
 * `threshold` to below it, on an account with auto-recharge enabled and no charge in flight,
 * starts ONE PaymentIntent for `amount` on the default card (`off_session`, idempotency key
 * `auto-recharge:<attempt id>`), unless this UTC month's charges (succeeded or in flight) plus
 * `amount` would pass `monthly_cap`; then it starts nothing and `last_error` says
 * `monthly_cap_reached`. The claim is SQL in the debit's own unit of work
 * (`WriteUnit.claimAutoRecharge`), so it holds across processes and on both stores. A balance
 * still below the threshold after a credit is not a crossing, so nothing loops; a crossing while a
 * charge is in flight starts nothing.
 *
 * The credit lands once, through the `payment_intent.succeeded` webhook (or the return from the
 * authentication page), keyed by the PaymentIntent id in the ledger. A decline turns auto-recharge
 * off (`failed`, with Stripe's reason); `authentication_required` waits for the user
 * (`action_required`), who completes the same PaymentIntent on-session.
 */

/** The PaymentIntent metadata that names the attempt (and so the account) a payment is for. */
const ATTEMPT_KEY = 'auto_recharge_attempt';
const LEDGER_DESCRIPTION = 'Auto-recharge';

/** Whether a PaymentIntent was started by auto-recharge (its metadata names the attempt). */
export function isAutoRechargePayment(intent: Pick<Stripe.PaymentIntent, 'metadata'>): boolean {
  return typeof intent.metadata?.[ATTEMPT_KEY] === 'string';
}

/** What `/summary` and `PUT /auto-recharge` answer. */
export function autoRechargeSummary(config: Config, view: AutoRechargeView): AutoRecharge {
  const s = view.settings;
  const money = (cents: number | null) => (cents === null ? null : formatCents(cents));
  return {
    enabled: s?.enabled ?? false,
    threshold: money(s?.thresholdCents ?? null),
    threshold_cents: s?.thresholdCents ?? null,
    amount: money(s?.amountCents ?? null),
    amount_cents: s?.amountCents ?? null,
    monthly_cap: money(s?.monthlyCapCents ?? null),
    monthly_cap_cents: s?.monthlyCapCents ?? null,
    monthly_cap_max: formatCents(config.autoRechargeCapMaxCents),
    monthly_cap_max_cents: config.autoRechargeCapMaxCents,
    charged_this_month: formatCents(view.chargedThisMonthCents),
    charged_this_month_cents: view.chargedThisMonthCents,
    status: statusOf(s),
    last_error: s ? lastError(s) : null,
  };
}

function statusOf(s: AutoRechargeSettings | null): AutoRecharge['status'] {
  if (!s) return 'off';
  if (s.state === 'idle') return s.enabled ? 'ready' : 'off';
  return s.state;
}

function lastError(s: AutoRechargeSettings): AutoRecharge['last_error'] {
  if (s.lastErrorCode === null) return null;
  if (s.lastErrorCode === 'monthly_cap_reached') {
    return {
      code: 'monthly_cap_reached',
      message: `A recharge of ${formatCents(s.amountCents)} would pass this month's cap of ${formatCents(s.monthlyCapCents)}; none was made.`,
    };
  }
  return { code: s.lastErrorCode, message: s.lastErrorMessage ?? 'The card could not be charged.' };
}

/**
 * What a `/usage` answer says of auto-recharge: whether this debit started a charge (which is then
 * started before answering, so the status shows a decline at once) and the status after it.
 */
export async function rechargeAfterDebit(
  deps: AppDeps,
  accountId: string,
  claim: AutoRechargeClaim | null,
): Promise<{ started: boolean; status: AutoRecharge['status'] }> {
  if (claim?.attempt) {
    return { started: true, status: await startAutoRechargeCharge(deps, accountId, claim.attempt) };
  }
  const s = claim?.settings;
  const status = !s ? 'off' : s.state === 'idle' ? (s.enabled ? 'ready' : 'off') : s.state;
  return { started: false, status };
}

/**
 * Charges the card for an attempt a debit just claimed, and records a decline or a request for
 * authentication at once; a success is credited by its webhook. Answers the status after the call.
 * Never throws: the debit is already done, and its answer must say so.
 */
export async function startAutoRechargeCharge(
  deps: AppDeps,
  accountId: string,
  attempt: NonNullable<AutoRechargeClaim['attempt']>,
): Promise<AutoRecharge['status']> {
  const settle = async (outcome: AutoRechargeOutcome) => {
    await deps.store.write(deps.clock.now(), (unit) => unit.settleAutoRecharge(attempt.id, outcome));
    return outcome.status === 'succeeded' ? 'ready' : outcome.status;
  };
  try {
    const account = await deps.store.account(accountId);
    if (!account?.stripeCustomerId || !account.defaultPaymentMethodId) {
      return await settle({
        status: 'failed',
        paymentIntentId: null,
        errorCode: 'no_payment_method',
        errorMessage: 'No card is saved, so nothing was charged.',
      });
    }
    try {
      await deps.stripe.paymentIntents.create(
        {
          amount: attempt.amountCents,
          currency: deps.config.currency,
          customer: account.stripeCustomerId,
          payment_method: account.defaultPaymentMethodId,
          off_session: true,
          confirm: true,
          description: LEDGER_DESCRIPTION,
          metadata: { account_id: accountId, [ATTEMPT_KEY]: attempt.id },
        },
        { idempotencyKey: `auto-recharge:${attempt.id}` },
      );
      return 'charging';
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError) {
        const intent =
          err.payment_intent ?? (err.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent;
        return await settle(declineOutcome(err.code ?? 'card_declined', err.message, intent?.id ?? null));
      }
      if (err instanceof Stripe.errors.StripeError) {
        // A success we could not hear about still lands through its webhook and is credited.
        return await settle({
          status: 'failed',
          paymentIntentId: null,
          errorCode: 'stripe_error',
          errorMessage: `Stripe could not be reached to charge the card (${err.message}).`,
        });
      }
      throw err;
    }
  } catch (err) {
    deps.logger?.error('auto-recharge charge could not be started or recorded', {
      account_id: accountId,
      attempt_id: attempt.id,
      error: String(err),
    });
    return 'charging';
  }
}

function declineOutcome(code: string, message: string, paymentIntentId: string | null): AutoRechargeOutcome {
  return {
    status: code === 'authentication_required' ? 'action_required' : 'failed',
    paymentIntentId,
    errorCode: code,
    errorMessage: message,
  };
}

/**
 * The store change a PaymentIntent calls for when it belongs to an auto-recharge (read back from
 * Stripe, never taken from an event): a success credits the attempt's account once (the ledger's
 * source is the PaymentIntent) and settles the attempt; a decline or an authentication request
 * settles it. Null for any other PaymentIntent, or one still in progress.
 */
export async function prepareAutoRechargePayment(
  deps: AppDeps,
  paymentIntentId: string,
): Promise<StoreChange | null> {
  const intent = await callStripe('read the PaymentIntent', () =>
    deps.stripe.paymentIntents.retrieve(paymentIntentId),
  );
  const attemptId = intent.metadata?.[ATTEMPT_KEY];
  if (!attemptId) return null;
  // Our row is authoritative for the account and amount; metadata only finds it.
  const attempt = await deps.store.autoRechargeAttempt(attemptId);
  if (!attempt || attempt.accountId !== intent.metadata.account_id) return null;
  switch (intent.status) {
    case 'succeeded':
      return (unit) => {
        unit.creditLedger({
          accountId: attempt.accountId,
          amountCents: intent.amount_received,
          kind: 'purchase',
          sourceId: intent.id,
          description: LEDGER_DESCRIPTION,
        });
        unit.settleAutoRecharge(attempt.id, { status: 'succeeded', paymentIntentId: intent.id });
      };
    case 'requires_payment_method': {
      const error = intent.last_payment_error;
      if (!error) return null;
      const outcome = declineOutcome(
        error.code ?? 'card_declined',
        error.message ?? 'The card was declined.',
        intent.id,
      );
      return (unit) => unit.settleAutoRecharge(attempt.id, outcome);
    }
    case 'canceled':
      return (unit) =>
        unit.settleAutoRecharge(attempt.id, {
          status: 'failed',
          paymentIntentId: intent.id,
          errorCode: 'canceled',
          errorMessage: 'The payment was canceled.',
        });
    default:
      return null;
  }
}

/** Validated settings, or a 400 naming the field; a 409 when enabling without a saved card. */
export async function saveAutoRechargeSettings(
  deps: AppDeps,
  identity: Identity,
  settings: { enabled: boolean; thresholdCents: number; amountCents: number; monthlyCapCents: number },
): Promise<AutoRecharge> {
  const { store, clock, config } = deps;
  if (settings.monthlyCapCents < settings.amountCents) {
    throw new ApiError(
      400,
      'cap_below_amount',
      `monthly_cap must be at least the amount (${formatCents(settings.amountCents)}).`,
      'monthly_cap',
    );
  }
  if (settings.enabled) {
    const account = await store.account(identity.accountId);
    if (!account?.defaultPaymentMethodId) {
      throw new ApiError(409, 'no_payment_method', 'Save a card before turning on auto-recharge.');
    }
  }
  await store.write(clock.now(), (unit) => unit.saveAutoRechargeSettings(identity.accountId, settings));
  return autoRechargeSummary(config, await store.autoRecharge(identity.accountId, clock.now()));
}

/**
 * Lets the user authenticate the charge their bank refused off-session: confirms the same
 * PaymentIntent on-session with a return address, and answers the bank's page Stripe names in
 * `next_action.redirect_to_url` (or the return address, when no authentication is needed after all).
 */
export async function completeAutoRecharge(
  deps: AppDeps,
  identity: Identity,
  returnUrl: string,
): Promise<string> {
  const { store, stripe, clock, config } = deps;
  const view = await store.autoRecharge(identity.accountId, clock.now());
  const attemptId = view.settings?.state === 'action_required' ? view.settings.attemptId : null;
  const attempt = attemptId ? await store.autoRechargeAttempt(attemptId) : null;
  if (!attempt?.paymentIntentId) {
    throw new ApiError(409, 'no_action_required', 'No auto-recharge is waiting for authentication.');
  }
  const back = new URL(`${config.publicUrl}/api/billing/auto-recharge/return`);
  back.searchParams.set('to', returnUrl);
  back.searchParams.set('payment_intent', attempt.paymentIntentId);
  let intent = await callStripe('read the PaymentIntent', () =>
    stripe.paymentIntents.retrieve(attempt.paymentIntentId!),
  );
  if (intent.status === 'requires_payment_method') {
    const method = idOf(intent.last_payment_error?.payment_method ?? intent.payment_method);
    intent = await callStripe('confirm the payment', () =>
      stripe.paymentIntents.confirm(intent.id, {
        ...(method && { payment_method: method }),
        return_url: back.href,
      }),
    );
  }
  const page = intent.next_action?.redirect_to_url?.url;
  if (intent.status === 'requires_action' && page) return page;
  if (intent.status === 'succeeded' || intent.status === 'processing') return back.href;
  throw new ApiError(409, 'no_action_required', 'This payment cannot be completed here.');
}
