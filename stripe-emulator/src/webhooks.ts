import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import type { Emulator } from './emulator.ts';
import { newId } from './ids.ts';
import type { StoredObject } from './store.ts';

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
 * Delivers events to the enabled webhook endpoints: asynchronously, one at a time per emulator so
 * they arrive in the order they were emitted (unless the shuffle fault is on), retrying a non-2xx
 * answer or a time-out with exponential backoff until `maxAttempts`.
 */
export class WebhookDispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private seq = 0;
  private idle: Promise<void> = Promise.resolve();
  private settle: (() => void) | undefined;

  constructor(private readonly emu: Emulator) {
    for (const d of this.deliveries().values()) this.seq = Math.max(this.seq, d.seq);
  }

  private deliveries() {
    return this.emu.store.collection<Delivery>(DELIVERIES);
  }

  enqueue(event: Stripe.Event): number {
    let count = 0;
    for (const endpoint of this.emu.store.collection<WebhookEndpointRecord>('webhook_endpoints').values()) {
      if (endpoint.status !== 'enabled') continue;
      if (!endpoint.enabled_events.includes('*') && !endpoint.enabled_events.includes(event.type)) continue;
      const copies = Math.random() < this.emu.faults.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const d: Delivery = {
          id: newId('whd'),
          object: 'webhook_delivery',
          event: event.id,
          endpoint: endpoint.id,
          attempts: 0,
          next_at_ms: Date.now(),
          seq: ++this.seq,
        };
        this.emu.store.put(DELIVERIES, d);
      }
      count++;
    }
    this.schedule(0);
    return count;
  }

  /** Resolves when no delivery is pending or in flight (tests use it to wait for webhooks). */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries().size > 0 || this.running) {
      if (Date.now() > deadline) throw new Error(`webhook deliveries still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  pendingCount(): number {
    return this.deliveries().size;
  }

  start(): void {
    this.closed = false;
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle;
  }

  clear(): void {
    this.deliveries().clear();
    this.emu.store.changed();
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), Math.max(0, delayMs));
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    this.idle = new Promise((resolve) => {
      this.settle = resolve;
    });
    try {
      for (;;) {
        if (this.closed) return;
        const now = Date.now();
        let due = [...this.deliveries().values()].filter((d) => d.next_at_ms <= now);
        if (due.length === 0) break;
        if (this.emu.faults.shuffle) due = shuffle(due);
        else due.sort((a, b) => a.seq - b.seq);
        for (const d of due) {
          if (this.closed) return;
          if (!this.deliveries().has(d.id)) continue;
          await this.attempt(d);
        }
      }
    } finally {
      this.running = false;
      this.settle?.();
      const next = Math.min(...[...this.deliveries().values()].map((d) => d.next_at_ms));
      if (Number.isFinite(next)) this.schedule(next - Date.now());
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const endpoint = this.emu.store.get<WebhookEndpointRecord>('webhook_endpoints', d.endpoint);
    const event = this.emu.store.get('events', d.event);
    if (!endpoint || !event) {
      this.emu.store.delete(DELIVERIES, d.id);
      return;
    }
    const payload = JSON.stringify(event, null, 2);
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
        signal: AbortSignal.timeout(this.emu.options.webhookTimeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    }
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

function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
