import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runWebhookStorm } from './webhook-storm.ts';

// File only (scripts/test-remote.ts leaves it out): its remote twin, with no 5xx allowed, is in
// remote-two-processes.remote-test.ts.
describe('webhook storm over two server processes on one libSQL file', () => {
  test('every event shuffled, 30% delivered twice, at random to either process → the exact ledger', async () => {
    const result = await runWebhookStorm({
      topUps: 60,
      subscriptions: 10,
      duplicateRate: 0.3,
      concurrency: 16,
    });
    // Both processes really took part, and duplicates really happened.
    assert.ok(
      result.deliveriesPerProcess.every((n) => n > result.deliveries / 4),
      JSON.stringify(result),
    );
    assert.equal(result.deliveries, result.events + Math.round(result.events * 0.3));
    assert.deepEqual(result.failedPurchases, [], 'every purchase was made');
    assert.equal(result.undelivered, 0, 'every delivery was accepted within 5 attempts');
    assert.ok(result.events >= 70 * 2, `only ${result.events} events`);
    assert.deepEqual(result.audit, [], 'every balance equals the sum of its ledger rows');
    assert.deepEqual(result.wrongBalances, [], 'every account holds exactly what it paid for');
    assert.equal(result.ledgerCents, result.expectedCents);
    assert.equal(result.processedEvents, result.events, 'each event recorded once');
    assert.equal(result.exact, true);
  });
});
