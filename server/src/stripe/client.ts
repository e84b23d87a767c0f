import Stripe from 'stripe';
import type { Config } from '../config.ts';

/** The Stripe API version this server is written against (stripe@23.1.0's own). */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/**
 * The official SDK client for the configured account. With `STRIPE_API_BASE` (the emulator) it
 * talks to that host instead of api.stripe.com; the API version is pinned so shapes never drift.
 */
export function createStripeClient(config: Config): Stripe {
  const base = config.stripeApiBase ? new URL(config.stripeApiBase) : null;
  return new Stripe(config.stripeSecretKey, {
    apiVersion: STRIPE_API_VERSION as Stripe.LatestApiVersion,
    maxNetworkRetries: 2,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
