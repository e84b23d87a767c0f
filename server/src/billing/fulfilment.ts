import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { parseAccountKey } from '../identity/account-key.ts';
import type { BillingSession } from '../store/records.ts';
import { idOf } from '../stripe/expandable.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import { paymentMethodOf } from './card-on-file.ts';
import { combineChanges, type StoreChange } from './store-change.ts';
import { prepareInvoicePaid, prepareSubscriptionSync } from './subscriptions.ts';

/**
 * How a fulfilment attempt ended: `fulfilled` (now or by an earlier call), `not_paid` (the session
 * is open, expired or awaiting a delayed payment), or `unknown` (not a session this server created).
 */
export type FulfilmentOutcome = 'fulfilled' | 'not_paid' | 'unknown';

export interface Fulfilment {
  outcome: FulfilmentOutcome;
  session: BillingSession | null;
  /** The store change that records the fulfilment; null when there is nothing (more) to write. */
  change: StoreChange | null;
}

/**
 * Fulfils a Checkout session once: credits a paid top-up, saves a set-up card (and the welcome
 * credit), or records a subscription's first paid period. The success callback and the webhooks
 * all call this; racing calls are safe because every write is keyed (ledger `source_id`, invoice
 * id) and commits in one transaction.
 */
export async function fulfilCheckoutSession(deps: AppDeps, sessionId: string): Promise<Fulfilment> {
  const fulfilment = await prepareCheckoutFulfilment(deps, sessionId);
  if (fulfilment.change) await deps.store.write(deps.clock.now(), fulfilment.change);
  return fulfilment;
}

/** Reads the session from Stripe and decides the store change, without writing anything yet. */
export async function prepareCheckoutFulfilment(deps: AppDeps, sessionId: string): Promise<Fulfilment> {
  const record = await deps.store.billingSession(sessionId);
  if (!record) return { outcome: 'unknown', session: null, change: null };
  // A completed row was only ever written after Stripe said the session was paid.
  if (record.status === 'completed') return { outcome: 'fulfilled', session: record, change: null };

  const session = await callStripe('read the Checkout session', () =>
    deps.stripe.checkout.sessions.retrieve(sessionId, {
      expand: record.type === 'SETUP' ? ['setup_intent'] : [],
    }),
  );
  if (!metadataNamesAccount(session.metadata?.account_id, record.accountId)) {
    return { outcome: 'unknown', session: null, change: null };
  }
  if (session.status !== 'complete') return { outcome: 'not_paid', session: record, change: null };

  let change: StoreChange | null;
  switch (record.type) {
    case 'DIRECT_PAYMENT':
      if (session.payment_status !== 'paid') return { outcome: 'not_paid', session: record, change: null };
      change = creditTopUp(record, session);
      break;
    case 'SETUP':
      change = await saveDefaultCard(deps, record, session);
      break;
    case 'MONTHLY_SUBSCRIPTION':
      if (session.payment_status === 'unpaid') return { outcome: 'not_paid', session: record, change: null };
      change = combineChanges(
        await recordFirstPeriod(deps, session),
        await recordSubscriptionCard(deps, record, session),
      );
      break;
  }
  const markCompleted: StoreChange = (unit) => unit.completeBillingSession(record.id);
  return { outcome: 'fulfilled', session: record, change: combineChanges(change, markCompleted) };
}

/**
 * Whether the session's `metadata.account_id` agrees with our record's account. Sessions opened
 * before migration 003 carry the account's unprefixed id (`alice` for `user:alice`); that form of
 * our own record's key is accepted too. Our row stays authoritative: it alone says whom to credit.
 */
function metadataNamesAccount(metadataAccount: string | undefined, accountKey: string): boolean {
  if (metadataAccount === undefined || metadataAccount === accountKey) return true;
  return metadataAccount === parseAccountKey(accountKey)?.id;
}

/** The paid subtotal (tax excluded) becomes credit, once per session. */
function creditTopUp(record: BillingSession, session: Stripe.Checkout.Session): StoreChange {
  const amountCents = session.amount_subtotal ?? 0;
  return (unit) => {
    if (amountCents <= 0) return;
    unit.creditLedger({
      accountId: record.accountId,
      amountCents,
      kind: 'purchase',
      sourceId: session.id,
      description: 'Credit top-up',
      stripeObjectId: session.id,
    });
  };
}

/**
 * A completed setup session: the new card becomes the customer's default for invoices (Stripe
 * attaches it but does not make it the default), and the account gets its welcome credit once.
 */
async function saveDefaultCard(
  deps: AppDeps,
  record: BillingSession,
  session: Stripe.Checkout.Session,
): Promise<StoreChange> {
  const setupIntent = session.setup_intent;
  const paymentMethod =
    setupIntent && typeof setupIntent !== 'string' ? idOf(setupIntent.payment_method) : null;
  const customer = idOf(session.customer);
  if (paymentMethod && customer) {
    await callStripe('make the card the default', () =>
      deps.stripe.customers.update(customer, { invoice_settings: { default_payment_method: paymentMethod } }),
    );
  }
  const saved = paymentMethod ? await paymentMethodOf(deps, paymentMethod) : null;
  const welcomeCents = deps.config.welcomeCreditCents;
  return (unit) => {
    unit.ensureAccount(record.accountId);
    if (saved) unit.setDefaultPaymentMethod(record.accountId, saved.id, saved.card);
    if (welcomeCents > 0) unit.grantWelcomeCredit(record.accountId, welcomeCents);
  };
}

/**
 * The card a subscription checkout saved: Stripe keeps it on the subscription (not as the
 * customer's default), and it is the card on file from now on.
 */
async function recordSubscriptionCard(
  deps: AppDeps,
  record: BillingSession,
  session: Stripe.Checkout.Session,
): Promise<StoreChange | null> {
  const subscriptionId = idOf(session.subscription);
  if (!subscriptionId) return null;
  const subscription = await callStripe('read the subscription', () =>
    deps.stripe.subscriptions.retrieve(subscriptionId),
  );
  const method = subscription.default_payment_method;
  if (!method) return null;
  const saved = await paymentMethodOf(deps, method);
  return (unit) => unit.setDefaultPaymentMethod(record.accountId, saved.id, saved.card);
}

/**
 * A completed subscription session. Access itself comes from `invoice.paid`; reading the first
 * invoice here too lets the user see it on return, and both paths are keyed by the invoice id.
 */
async function recordFirstPeriod(
  deps: AppDeps,
  session: Stripe.Checkout.Session,
): Promise<StoreChange | null> {
  const subscriptionId = idOf(session.subscription);
  const invoiceId = idOf(session.invoice);
  const access = invoiceId ? await prepareInvoicePaid(deps, invoiceId) : null;
  const mirror = access || !subscriptionId ? null : await prepareSubscriptionSync(deps, subscriptionId);
  return combineChanges(access, mirror);
}
