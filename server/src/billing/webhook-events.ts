import type { Transaction } from '@libsql/client';
import type Stripe from 'stripe';
import type { AppDeps } from '../app-env.ts';
import { inWriteTransaction } from '../store/db.ts';
import { prepareCheckoutClosure } from './checkout-closure.ts';
import { prepareCheckoutFulfilment } from './fulfilment.ts';
import type { StoreChange } from './store-change.ts';
import { prepareInvoicePaid, prepareInvoicePaymentFailed, prepareSubscriptionSync } from './subscriptions.ts';

/** `processed` when this delivery changed what it had to; `duplicate` when the event was already handled. */
export type WebhookOutcome = 'processed' | 'duplicate';

/**
 * Handles one verified Stripe event exactly once. Stripe is read first (objects are re-fetched,
 * never taken from the event, since events arrive late, twice or out of order); then the store
 * change and the `webhook_events` record commit in one transaction, so a crash in between means
 * Stripe's retry does the whole job again and a duplicate does nothing.
 */
export async function handleWebhookEvent(deps: AppDeps, event: Stripe.Event): Promise<WebhookOutcome> {
  if (await wasProcessed(deps.store.client, event.id)) return 'duplicate';
  const change = await prepareEventChange(deps, event);
  return inWriteTransaction(deps.store, async (tx) => {
    // A concurrent delivery of the same event may have committed while Stripe was being read.
    if (await wasProcessed(tx, event.id)) return 'duplicate';
    if (change) await change(tx);
    const at = deps.clock.now().toISOString();
    await tx.execute({
      sql: `INSERT INTO webhook_events (id, type, received_at, processed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET processed_at = excluded.processed_at`,
      args: [event.id, event.type, at, at],
    });
    return 'processed';
  });
}

/** The store change an event calls for; null for events this server does not act on. */
async function prepareEventChange(deps: AppDeps, event: Stripe.Event): Promise<StoreChange | null> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return (await prepareCheckoutFulfilment(deps, event.data.object.id)).change;
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_failed':
      return prepareCheckoutClosure(deps, event.data.object.id);
    case 'invoice.paid':
      return event.data.object.id ? prepareInvoicePaid(deps, event.data.object.id) : null;
    case 'invoice.payment_failed':
      return event.data.object.id ? prepareInvoicePaymentFailed(deps, event.data.object.id) : null;
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return prepareSubscriptionSync(deps, event.data.object.id);
    default:
      return null;
  }
}

async function wasProcessed(client: Pick<Transaction, 'execute'>, eventId: string): Promise<boolean> {
  const result = await client.execute({
    sql: 'SELECT 1 FROM webhook_events WHERE id = ? AND processed_at IS NOT NULL',
    args: [eventId],
  });
  return result.rows.length > 0;
}
