import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { API_VERSION, createEmulator, type Emulator, type EmulatorOptions } from './index.ts';

/** An SDK client pointed at a local emulator, exactly as the billing server configures it. */
export function sdkFor(url: string, key = 'sk_test_emulator'): Stripe {
  const { hostname, port } = new URL(url);
  return new Stripe(key, {
    apiVersion: API_VERSION as Stripe.LatestApiVersion,
    host: hostname,
    port: Number(port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

export interface RunningEmulator {
  emu: Emulator;
  url: string;
  stripe: Stripe;
  /** POSTs JSON to an emulator control endpoint (`/_emulator/...`). */
  // biome-ignore lint/suspicious/noExplicitAny: control answers are free-form JSON that tests read field by field
  control(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts an in-memory emulator on a free loopback port. Each test builds its own. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = createEmulator({ webhookRetryDelaysMs: [20, 40, 80], webhookTimeoutMs: 2000, ...options });
  const url = await emu.listen(0);
  return {
    emu,
    url,
    stripe: sdkFor(url),
    async control(path, body = {}) {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    close: () => emu.close(),
  };
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  event: Stripe.Event;
}

/**
 * A real HTTP server on 127.0.0.1 that records webhook deliveries; `respond` picks the status
 * of each answer (default 200) so tests can make the emulator retry.
 */
export async function startWebhookReceiver(
  respond: (event: Stripe.Event, attempt: number) => number = () => 200,
) {
  const received: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const event = JSON.parse(body) as Stripe.Event;
    const attempt = (attempts.get(event.id) ?? 0) + 1;
    attempts.set(event.id, attempt);
    received.push({ body, signature: String(req.headers['stripe-signature']), event });
    res.statusCode = respond(event, attempt);
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return {
    url,
    received,
    types: () => received.map((r) => r.event.type),
    /** Waits until `predicate` holds for the deliveries so far. */
    async waitFor(predicate: (r: ReceivedWebhook[]) => boolean, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `webhooks not received in time; got: ${received.map((r) => r.event.type).join(', ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
