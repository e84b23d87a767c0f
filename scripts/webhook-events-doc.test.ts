import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HANDLED_WEBHOOK_EVENTS } from '../server/src/billing/webhook-events.ts';
import { withWebhookEvents } from './webhook-events-doc.ts';

test("README's webhook event list is the server's handler table (npm run docs:webhooks rewrites it)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(withWebhookEvents(readme), readme, 'run npm run docs:webhooks');
  for (const type of HANDLED_WEBHOOK_EVENTS) assert.ok(readme.includes(`\`${type}\``), type);
  // The events this server has to see for the flows it runs are all there.
  for (const type of [
    'checkout.session.completed',
    'checkout.session.async_payment_failed',
    'customer.subscription.created',
    'invoice.paid',
  ]) {
    assert.ok(HANDLED_WEBHOOK_EVENTS.includes(type as never), type);
  }
});
