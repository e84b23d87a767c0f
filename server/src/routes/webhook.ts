import { OpenAPIHono } from '@hono/zod-openapi';
import type Stripe from 'stripe';
import * as api from '../../../contract/routes.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { handleWebhookEvent } from '../billing/webhook-events.ts';
import { ApiError } from '../errors.ts';
import { BodyGate } from '../http/body-gate.ts';

/** Webhook bodies received at once; Stripe sends a few at a time, and each is at most 256 KiB. */
export const MAX_WEBHOOK_BODIES_RECEIVING = 64;

/**
 * `POST /api/billing/webhook`: Stripe's events, authenticated by the signature over the raw body
 * alone. A bad signature is a 400 before anything is parsed; a failure while handling is a 500 so
 * Stripe delivers the event again.
 */
export function webhookRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  // In the OpenAPI document; handled without the contract's validators, since the signature
  // covers the raw body, read before anything is parsed.
  app.openAPIRegistry.registerPath(api.webhook);

  const bodies = new BodyGate(MAX_WEBHOOK_BODIES_RECEIVING);

  app.post('/webhook', async (c) => {
    const signature = c.req.header('stripe-signature');
    if (!signature) {
      throw new ApiError(400, 'missing_signature', 'The Stripe-Signature header is missing.');
    }
    const payload = await bodies.read(() => c.req.text());
    let event: Stripe.Event;
    try {
      // Stripe's default tolerance: a signature older than 300 s is a replay.
      event = deps.stripe.webhooks.constructEvent(payload, signature, deps.config.stripeWebhookSecret);
    } catch {
      throw new ApiError(400, 'invalid_signature', 'The webhook signature does not match this payload.');
    }
    try {
      const outcome = await handleWebhookEvent(deps, event);
      return c.json({ received: true, duplicate: outcome === 'duplicate' });
    } catch (err) {
      deps.logger?.error('webhook handling failed; Stripe will retry', {
        request_id: c.var.requestId,
        event_id: event.id,
        event_type: event.type,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      throw new ApiError(500, 'webhook_failed', 'The event could not be handled; it will be retried.');
    }
  });

  return app;
}
