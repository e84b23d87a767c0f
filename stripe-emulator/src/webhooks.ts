import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import type { Emulator } from './emulator.ts';
import { newId } from './ids.ts';
import { render, type StoredObject } from './store.ts';

/** A pending delivery of one event to one endpoint; persisted so retries survive a restart. */
interface Delivery extends StoredObject {
  object: 'webhook_delivery';
  event: string;
  endpoint: string;
  attempts: number;
  next_at_ms: number;
  seq: number;
}

export interface WebhookEndpointRecord extends StoredObject {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  _secret: string;
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "t.body" keyed by the whole secret>`, exactly as Stripe signs. */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const sig = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${sig}`;
}

const DELIVERIES = '_webhook_deliveries';

/**
 * Delivers events to the enabled webhook endpoints: asynchronously, each endpoint in its own lane so
 * a slow or dead receiver never delays another, one delivery at a time per endpoint so events arrive
 * in the order they were emitted, retrying a non-2xx answer or a time-out with backoff until
 * `webhookMaxAttempts`. The shuffle fault spreads deliveries over a short window in random order;
 * the duplicate fault sends some deliveries twice.
 */
export class WebhookDispatcher {
  /** Endpoint ids whose lane is delivering right now, with the promise that settles when it stops. */
  private readonly lanes = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private seq = 0;
  /** Aborts in-flight requests on close; an aborted attempt is not counted, so it is sent again after a restart. */
  private abort = new AbortController();

  constructor(private readonly emu: Emulator) {
    for (const d of this.deliveries().values()) this.seq = Math.max(this.seq, d.seq);
  }

  private deliveries() {
    return this.emu.store.collection<Delivery>(DELIVERIES);
  }

  /** Queues one delivery of `event` per matching enabled endpoint (two with the duplicate fault); answers how many endpoints. */
  enqueue(event: Stripe.Event): number {
    let count = 0;
    const now = Date.now();
    for (const endpoint of this.emu.store.collection<WebhookEndpointRecord>('webhook_endpoints').values()) {
      if (!endpointWants(endpoint, event.type)) continue;
      const copies = Math.random() < this.emu.faults.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const d: Delivery = {
          id: newId('whd'),
          object: 'webhook_delivery',
          event: event.id,
          endpoint: endpoint.id,
          attempts: 0,
          next_at_ms: this.emu.faults.shuffle ? now + Math.floor(Math.random() * SHUFFLE_WINDOW_MS) : now,
          seq: ++this.seq,
        };
        this.emu.store.put(DELIVERIES, d);
      }
      count++;
    }
    if (count > 0) this.wake(0);
    return count;
  }

  /** Resolves when no delivery is pending or in flight (tests use it to wait for webhooks). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries().size > 0 || this.lanes.size > 0) {
      if (Date.now() > deadline) throw new Error(`webhook deliveries still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  pendingCount(): number {
    return this.deliveries().size;
  }

  /** Starts delivering (called when the emulator listens); deliveries saved before a restart resume. */
  start(): void {
    this.closed = false;
    this.abort = new AbortController();
    this.wake(0);
  }

  /** Stops delivering; waits for in-flight requests, which are aborted and left pending. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.abort.abort();
    await Promise.all(this.lanes.values());
  }

  /** Forgets every pending delivery (reset). */
  clear(): void {
    this.deliveries().clear();
    this.emu.store.changed();
  }

  /** Arms the timer to start lanes in `delayMs`, unless it already fires sooner. */
  private wake(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Deliveries are not part of the request that queued them: never journal or roll them back with it.
    this.timer = this.emu.store.outsideTransaction(() =>
      setTimeout(() => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.startDueLanes();
      }, at - Date.now()),
    );
  }

  private startDueLanes(): void {
    if (this.closed) return;
    const now = Date.now();
    let nextAt = Number.POSITIVE_INFINITY;
    const dueEndpoints = new Set<string>();
    for (const d of this.deliveries().values()) {
      if (this.lanes.has(d.endpoint)) continue;
      if (d.next_at_ms <= now) dueEndpoints.add(d.endpoint);
      else nextAt = Math.min(nextAt, d.next_at_ms);
    }
    for (const endpoint of dueEndpoints) {
      const lane = this.runLane(endpoint).finally(() => {
        this.lanes.delete(endpoint);
        this.startDueLanes();
      });
      this.lanes.set(endpoint, lane);
    }
    if (Number.isFinite(nextAt)) this.wake(nextAt - now);
  }

  /** Delivers an endpoint's due deliveries, oldest first (random order with the shuffle fault), until none is due. */
  private async runLane(endpointId: string): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const now = Date.now();
      let due = [...this.deliveries().values()].filter(
        (d) => d.endpoint === endpointId && d.next_at_ms <= now,
      );
      if (due.length === 0) return;
      if (this.emu.faults.shuffle) due = shuffle(due);
      else due.sort((a, b) => a.seq - b.seq);
      for (const d of due) {
        if (this.closed) return;
        if (!this.deliveries().has(d.id)) continue;
        await this.attempt(d);
      }
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const endpoint = this.emu.store.get<WebhookEndpointRecord>('webhook_endpoints', d.endpoint);
    const event = this.emu.store.get('events', d.event);
    if (!endpoint || !event || endpoint.status !== 'enabled') {
      this.emu.store.delete(DELIVERIES, d.id);
      return;
    }
    if (this.emu.faults.dropWebhooks) {
      // Given up, as after Stripe's retry window: the event stays undelivered and says so.
      this.emu.store.delete(DELIVERIES, d.id);
      (event as { _delivery_failed?: boolean })._delivery_failed = true;
      this.emu.store.changed();
      return;
    }
    const payload = JSON.stringify(render(event), null, 2);
    let ok = false;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signPayload(payload, endpoint._secret, Math.floor(Date.now() / 1000)),
        },
        body: payload,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.emu.options.webhookTimeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    }
    if (this.closed && !ok) return;
    d.attempts += 1;
    if (ok || d.attempts >= this.emu.options.webhookMaxAttempts) {
      this.emu.store.delete(DELIVERIES, d.id);
      if (ok && typeof event.pending_webhooks === 'number' && event.pending_webhooks > 0) {
        event.pending_webhooks -= 1;
        this.emu.store.changed();
      }
      return;
    }
    const delays = this.emu.options.webhookRetryDelaysMs;
    d.next_at_ms = Date.now() + delays[Math.min(d.attempts - 1, delays.length - 1)]!;
    this.emu.store.changed();
  }
}

/** Whether an enabled endpoint subscribes to this event type (`*` for all). */
export function endpointWants(endpoint: WebhookEndpointRecord, type: string): boolean {
  return (
    endpoint.status === 'enabled' &&
    (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type))
  );
}

/** How far the shuffle fault spreads a burst, so that events emitted together arrive out of order. */
const SHUFFLE_WINDOW_MS = 200;

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
