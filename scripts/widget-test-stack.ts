/**
 * The real billing stack for the widgets' `*.server.test.ts` files: the billing server on a real
 * HTTP listener on 127.0.0.1 with its own temp libSQL file, talking through the official SDK to its
 * own Stripe emulator (server/test/harness.ts). As a Web Test Runner plugin, it starts on the first
 * command a test page sends with `executeServerCommand('billing-stack', …)` and stops with the runner.
 * The test page's origin is on the server's CORS allow-list, so the widgets call it directly.
 */
import { API_KEY, type BillingHarness, HOST_ORIGIN, startBillingHarness } from '../server/test/harness.ts';

/** What a test page can ask of the stack. */
export type StackCommand =
  | { action: 'start' }
  | { action: 'token'; user: string }
  | { action: 'grant'; user: string; cents: number; description: string }
  | { action: 'usage'; user: string; cents: number; feature: string; occurredAt: string }
  | { action: 'complete'; redirectUrl: string; card?: string }
  | { action: 'webhooks' }
  | { action: 'visit'; url: string };

/** The slice of Web Test Runner's plugin interface this plugin uses. */
interface RunnerPlugin {
  name: string;
  serverStart(args: { config: { hostname?: string; port?: number } }): void;
  serverStop(): Promise<void>;
  executeCommand(args: { command: string; payload?: unknown }): Promise<unknown> | undefined;
}

/** A Web Test Runner plugin answering the `billing-stack` command. */
export function widgetTestStack(): RunnerPlugin {
  let origins: string[] = [];
  let starting: Promise<BillingHarness> | undefined;
  let grants = 0;

  const harness = () => {
    starting ??= startBillingHarness({
      BILLING_ALLOWED_ORIGINS: [...origins, HOST_ORIGIN].join(','),
      BILLING_PLANS: JSON.stringify([
        { id: 'pro', name: 'Pro', amount: 20, interval: 'month', included_credit: 10 },
      ]),
    });
    return starting;
  };

  async function run(command: StackCommand): Promise<unknown> {
    const h = await harness();
    switch (command.action) {
      case 'start':
        return { url: h.url };
      case 'token':
        return { token: h.tokenFor(command.user) };
      case 'grant': {
        const res = await fetch(`${h.url}/api/billing/grants`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            user_id: command.user,
            amount: command.cents / 100,
            idempotency_key: `widget-test-grant-${++grants}`,
            description: command.description,
          }),
        });
        return { status: res.status, body: await res.json() };
      }
      case 'usage': {
        const res = await fetch(`${h.url}/api/billing/usage`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            user_id: command.user,
            amount: command.cents / 100,
            idempotency_key: `widget-test-usage-${++grants}`,
            feature: command.feature,
            occurred_at: command.occurredAt,
          }),
        });
        return { status: res.status, body: await res.json() };
      }
      case 'complete': {
        const completed = await h.completeCheckout(command.redirectUrl, command.card);
        const session = completed.body;
        // Where the hosted page would send the browser next: the server's success callback.
        const successUrl = String(session.success_url ?? '').replace('{CHECKOUT_SESSION_ID}', session.id);
        return { status: completed.status, successUrl };
      }
      case 'webhooks':
        await h.webhooksDelivered();
        return {};
      case 'visit':
        return h.visit(command.url);
    }
  }

  return {
    name: 'billing-stack',
    serverStart({ config }) {
      const port = config.port ?? 8000;
      origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
      if (config.hostname) origins.push(`http://${config.hostname}:${port}`);
    },
    async serverStop() {
      if (starting) await (await starting).close();
    },
    executeCommand({ command, payload }) {
      if (command !== 'billing-stack') return undefined;
      return run(payload as StackCommand);
    },
  };
}
