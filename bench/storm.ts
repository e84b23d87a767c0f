/**
 * `storm_ledger_exact` (a figure in README.md, "Performance and reliability"): the reliability suite's webhook storm at bench size.
 * Real top-ups and subscriptions are paid in the emulator; every event it emitted is signed and
 * posted, 30 % of them twice, shuffled, at random to one of two server processes sharing one
 * libSQL file. The figure is 1 when the ledger, every balance and the audit come out exact;
 * `storm_deliveries_per_s` is the deliveries (duplicates included) over the storm's seconds.
 */
import { runWebhookStorm } from '../server/test/webhook-storm.ts';

const options = { topUps: 300, subscriptions: 30, duplicateRate: 0.3, concurrency: 32 };
const result = await runWebhookStorm(options);
console.log(
  `Webhook storm: ${options.topUps} top-ups + ${options.subscriptions} subscriptions, two server processes, one libSQL file`,
);
console.log(
  '| events | deliveries (30% twice, shuffled) | per process | redelivered | seconds | expected ¢ | ledger ¢ | audit |\n|---|---|---|---|---|---|---|---|',
);
console.log(
  `| ${result.events} | ${result.deliveries} | ${result.deliveriesPerProcess.join(' / ')} | ${result.redeliveries} | ${result.seconds.toFixed(1)} | ${result.expectedCents} | ${result.ledgerCents} | ${result.audit.length === 0 ? 'clean' : JSON.stringify(result.audit)} |`,
);
if (!result.exact) console.log(`wrong balances: ${result.wrongBalances.join(', ')}`);
console.log(JSON.stringify({ figure: 'storm_ledger_exact', value: result.exact ? 1 : 0, unit: 'bool' }));
// What two processes on one file sustain for signed webhooks, duplicates and retries included.
console.log(
  JSON.stringify({
    figure: 'storm_deliveries_per_s',
    value: Math.round(result.deliveries / result.seconds),
    unit: 'deliveries/s',
  }),
);
if (!result.exact) process.exitCode = 1;
