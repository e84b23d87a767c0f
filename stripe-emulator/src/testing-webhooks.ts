import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';

/** One webhook delivery as the receiver saw it, in arrival order. */
export interface WebhookDelivery {
  body: string;
  signature: string;
  userAgent: string;
  contentType: string;
  event: Stripe.Event;
  /** 1 for the first delivery of this event id, 2 for the next (a retry or a duplicate), … */
  attempt: number;
  /** Wall-clock ms when the request arrived, taken before answering (backoff is measured from here). */
  receivedAt: number;
}

/** What the receiver answers: an HTTP status, or `'hang'` to never answer (the emulator must time out). */
export type WebhookAnswer = number | 'hang';

/** A running receiver; its `url` is what a webhook endpoint is registered with. */
export interface WebhookReceiver {
  url: string;
  deliveries: WebhookDelivery[];
  /** Event ids in arrival order. */
  ids(): string[];
  /** Event types in arrival order. */
  types(): string[];
  /** Waits until `predicate` holds for the deliveries so far; throws after `timeoutMs` (5 s). */
  waitFor(predicate: (d: WebhookDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that records every webhook delivery and answers as `answer`
 * decides (default 200), including never answering, so tests can drive retries and time-outs.
 */
export async function startWebhookReceiver(
  answer: (event: Stripe.Event, attempt: number) => WebhookAnswer = () => 200,
): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const event = JSON.parse(body) as Stripe.Event;
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    deliveries.push({
      body,
      signature: String(req.headers['stripe-signature']),
      userAgent: String(req.headers['user-agent']),
      contentType: String(req.headers['content-type']),
      event,
      attempt,
      receivedAt,
    });
    const status = answer(event, attempt);
    if (status === 'hang') return;
    res.statusCode = status;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return {
    url,
    deliveries,
    ids: () => deliveries.map((d) => d.event.id),
    types: () => deliveries.map((d) => d.event.type),
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(deliveries)) {
        if (Date.now() > deadline) {
          throw new Error(
            `webhooks not received in time; got: ${deliveries.map((d) => d.event.type).join(', ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
