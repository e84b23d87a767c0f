import type Stripe from 'stripe';
import type { ReconcileReport } from '../../../contract/types.ts';
import type { AppDeps } from '../app-env.ts';
import { callStripe } from '../stripe/gateway-error.ts';
import { HANDLED_WEBHOOK_EVENTS, handleWebhookEvent } from './webhook-events.ts';

/** The checkpoint's key: one Stripe account per deployment. */
const CHECKPOINT = 'stripe_events';
/** How far before the checkpoint each replay lists again: events of the same second, or made visible late. */
const OVERLAP_SECONDS = 300;
/** `events.list` takes at most 20 `types`. */
const MAX_TYPES_PER_LIST = 20;
/** Stripe keeps events for 30 days; a first replay lists all of them. */
const RETENTION_SECONDS = 30 * 86_400;

/** What one replay did (`POST /api/billing/reconcile` answers it; fields described in the contract). */
export type { ReconcileReport };

/**
 * Replays Stripe's events list since the checkpoint through the webhook handlers, oldest first. The
 * handlers are idempotent (each event is recorded once, every ledger change is keyed by its Stripe
 * object), so events already applied by a webhook, by another process or by a replay racing this
 * one change nothing. The checkpoint moves forward to the last event before the first failure.
 */
export async function reconcileEvents(deps: AppDeps): Promise<ReconcileReport> {
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const stored = await deps.store.reconcileCheckpoint(CHECKPOINT);
  const since = stored ? stored.eventCreated - OVERLAP_SECONDS : nowSeconds - RETENTION_SECONDS;
  const events: Stripe.Event[] = [];
  // Stripe lists at most 20 types at a time: one listing per 20 handled types, merged by time.
  for (let i = 0; i < HANDLED_WEBHOOK_EVENTS.length; i += MAX_TYPES_PER_LIST) {
    const types = HANDLED_WEBHOOK_EVENTS.slice(i, i + MAX_TYPES_PER_LIST);
    await callStripe('list events', () =>
      deps.stripe.events.list({ created: { gte: since }, types, limit: 100 }).autoPagingEach((event) => {
        events.push(event);
      }),
    );
  }
  // Oldest first (each listing came newest first).
  events.sort((a, b) => a.created - b.created);

  let applied = 0;
  let failed = 0;
  let oldestUnapplied: number | null = null;
  let checkpoint = stored?.eventCreated ?? null;
  for (const event of events) {
    try {
      if ((await handleWebhookEvent(deps, event)) === 'processed') {
        applied += 1;
        oldestUnapplied ??= event.created;
      }
      if (failed === 0) checkpoint = Math.max(checkpoint ?? event.created, event.created);
    } catch (err) {
      failed += 1;
      oldestUnapplied ??= event.created;
      deps.logger?.warn('reconcile_event_failed', {
        event_id: event.id,
        event_type: event.type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  if (checkpoint !== null) {
    const at = checkpoint;
    await deps.store.write(deps.clock.now(), (unit) =>
      unit.advanceReconcileCheckpoint(CHECKPOINT, at, applied),
    );
  }
  return {
    events_seen: events.length,
    applied,
    failed,
    lag_seconds: oldestUnapplied === null ? 0 : Math.max(0, nowSeconds - oldestUnapplied),
    checkpoint,
  };
}

/** The periodic replay of a running server; `stop()` waits for a replay in flight. */
export interface Reconciler {
  stop(): Promise<void>;
}

/**
 * Replays once shortly after start-up, then every `config.reconcileIntervalSeconds` (0: never; only
 * `POST /reconcile` then). A failed replay is logged and tried again at the next tick. The timer
 * does not keep the process alive.
 */
export function startReconciler(deps: AppDeps, startDelayMs = 1000): Reconciler {
  const intervalMs = deps.config.reconcileIntervalSeconds * 1000;
  if (intervalMs === 0) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = reconcileEvents(deps)
      .then((report) => {
        if (report.applied > 0 || report.failed > 0) deps.logger?.info('reconciled', { ...report });
      })
      .catch((err: unknown) => {
        deps.logger?.warn('reconcile_failed', { error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  timer = setTimeout(tick, startDelayMs).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
