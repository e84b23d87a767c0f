import { executeServerCommand } from '@web/test-runner-commands';

/**
 * The browser side of scripts/widget-test-stack.ts: the real billing server and Stripe emulator
 * that the `*.server.test.ts` files run the widgets against.
 */
export const stack = {
  /** The billing server's base URL (the stack starts on first use). */
  async url(): Promise<string> {
    return (await command<{ url: string }>({ action: 'start' })).url;
  },
  /** A JWT for `user`, signed as the host backend would sign it. */
  async token(user: string): Promise<string> {
    return (await command<{ token: string }>({ action: 'token', user })).token;
  },
  /** Credits `user` through the server-to-server grants API. */
  async grant(user: string, cents: number, description: string): Promise<void> {
    const answer = await command<{ status: number; body: unknown }>({
      action: 'grant',
      user,
      cents,
      description,
    });
    if (answer.status !== 200) throw new Error(`grant failed: ${JSON.stringify(answer)}`);
  },
  /** Reports `user`'s usage of `feature` at `occurredAt` through the server-to-server usage API. */
  async usage(user: string, cents: number, feature: string, occurredAt: string): Promise<void> {
    const answer = await command<{ status: number; body: unknown }>({
      action: 'usage',
      user,
      cents,
      feature,
      occurredAt,
    });
    if (answer.status !== 200) throw new Error(`usage failed: ${JSON.stringify(answer)}`);
  },
  /** Pays the Checkout session behind `redirectUrl` as its hosted page would; returns the success callback URL. */
  async complete(redirectUrl: string, card = '4242424242424242'): Promise<string> {
    const answer = await command<{ status: number; successUrl: string }>({
      action: 'complete',
      redirectUrl,
      card,
    });
    if (answer.status !== 200) throw new Error(`checkout completion failed: ${JSON.stringify(answer)}`);
    return answer.successUrl;
  },
  /** Waits until the emulator has delivered every queued webhook to the server. */
  async webhooks(): Promise<void> {
    await command({ action: 'webhooks' });
  },
  /** GETs `url` without following redirects (the browser arriving at the server's callback). */
  visit(url: string): Promise<{ status: number; location: string | null }> {
    return command({ action: 'visit', url });
  },
};

async function command<T>(payload: Record<string, unknown>): Promise<T> {
  const answer = await executeServerCommand<T, Record<string, unknown>>('billing-stack', payload);
  if (answer === undefined)
    throw new Error('The billing-stack plugin is not installed in web-test-runner.config.mjs');
  return answer;
}
