/**
 * `auto_recharge_credit_ms`: the time from sending the `/usage` debit that takes a balance below
 * its auto-recharge threshold to the recharge's credit being in the ledger, on the emulator. The
 * path is the real one: the debit's unit of work claims the charge, the server creates the
 * off-session PaymentIntent through the SDK, the emulator charges the saved card and delivers the
 * signed `payment_intent.succeeded` webhook, and the server re-reads the PaymentIntent and credits.
 * One server and the emulator run in this process (the flow-test harness) on a temp libSQL file.
 * Prints each run's time, then the median as the figure (and the slowest run).
 */
import { API_KEY, setUpCard, startBillingHarness } from '../server/test/harness.ts';

const RUNS = 20;

const h = await startBillingHarness({ BILLING_WELCOME_CREDIT: '50' });
const times: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const user = `bench-recharge-${run}`;
    const token = h.tokenFor(user);
    const sessionId = await setUpCard(h, user);
    await h.visit((await h.returnLinks(sessionId)).success);
    await h.webhooksDelivered();
    const on = await h.api('PUT', '/api/billing/auto-recharge', {
      token,
      body: { enabled: true, threshold: 10, amount: 25, monthly_cap: 100 },
    });
    if (on.status !== 200) throw new Error(`enabling failed: ${JSON.stringify(on.body)}`);

    const started = performance.now();
    const debit = await h.api('POST', '/api/billing/usage', {
      token: API_KEY,
      body: { user_id: user, amount: 45, idempotency_key: `bench-${user}` },
    });
    if (!debit.body.auto_recharge?.started)
      throw new Error(`no recharge started: ${JSON.stringify(debit.body)}`);
    // 5.00 after the debit; 30.00 once the credit is in.
    while ((await h.store.balance(`user:${user}`)) !== 3000) {
      if (performance.now() - started > 15_000) throw new Error('the credit did not land within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    times.push(performance.now() - started);
  }
  const audit = await h.store.auditLedger();
  if (audit.length > 0) throw new Error(`ledger audit failed: ${JSON.stringify(audit)}`);
} finally {
  await h.close();
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(`auto-recharge, crossing debit sent → credit in the ledger (${RUNS} accounts, ms):`);
console.log(`  ${times.map((t) => t.toFixed(1)).join(' ')}`);
console.log(`  median ${median.toFixed(1)}, slowest ${sorted.at(-1)!.toFixed(1)}`);
console.log(JSON.stringify({ figure: 'auto_recharge_credit_ms', value: Math.round(median), unit: 'ms' }));
