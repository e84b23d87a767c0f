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
