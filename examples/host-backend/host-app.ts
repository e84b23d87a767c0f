import { randomUUID } from 'node:crypto';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { mintUserToken } from './mint-user-token.ts';
import { BillingServerError, reportUsage } from './report-usage.ts';

/** What the host backend needs from the billing server's configuration. */
export interface HostOptions {
  /** The billing server's public base URL, e.g. `http://127.0.0.1:8787`. */
  billingUrl: string;
  /** `BILLING_JWT_SECRET` of the billing server. */
  jwtSecret: string;
  /** `BILLING_API_KEY` of the billing server. */
  apiKey: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** Built front ends to serve, by URL prefix: `{ '/react': 'examples/react/dist' }`. */
  frontEnds?: Record<string, string>;
}

const USER = /^[A-Za-z0-9._-]{1,64}$/;

/** The host app's answer for a refused request, in the same envelope as the billing server's. */
const refusal = (code: string, message: string) => ({ error: { code, message } });

/**
 * A host app's own backend, as small as it can be: it says who is signed in, mints that user's
 * billing token, reports metered usage, and serves the built React and Vue front ends.
 *
 * Sign-in is out of scope here: the user comes from `?user=NAME`. A real host takes it from its
 * own session and never lets the browser choose whom a token names.
 */
export function createHostApp(options: HostOptions): Hono {
  const app = new Hono();
  const userOf = (name: string | undefined) => {
    const user = name ?? 'demo';
    return USER.test(user) ? user : undefined;
  };

  app.get('/api/config', (c) => c.json({ billing_api_base: options.billingUrl }));

  // The widgets' token provider calls this on load and again whenever a token has expired (401).
  app.get('/api/billing-token', async (c) => {
    const user = userOf(c.req.query('user'));
    if (!user)
      return c.json(refusal('invalid_user', 'user must be 1 to 64 letters, digits, ".", "_" or "-".'), 400);
    c.header('Cache-Control', 'no-store');
    const token = await mintUserToken(
      { sub: user, email: `${user}@example.invalid` },
      { secret: options.jwtSecret, issuer: options.jwtIssuer, audience: options.jwtAudience },
    );
    return c.json({ token });
  });

  // The product's own work, paid for in credits: the billing server debits once per request id.
  app.post('/api/use-credits', async (c) => {
    const user = userOf(c.req.query('user'));
    const body = (await c.req.json().catch(() => ({}))) as {
      amount?: unknown;
      request_id?: unknown;
      feature?: unknown;
    };
    if (!user)
      return c.json(refusal('invalid_user', 'user must be 1 to 64 letters, digits, ".", "_" or "-".'), 400);
    if (typeof body.amount !== 'number') {
      return c.json(
        refusal('invalid_amount', 'amount is required: a number of dollars, e.g. 1 or 0.25.'),
        400,
      );
    }
    // The browser's id for this click makes a retried request safe; without one each call is new.
    const requestId = typeof body.request_id === 'string' ? body.request_id : randomUUID();
    // What the work was (the billing server checks the key): the usage chart splits spend by it.
    const feature = typeof body.feature === 'string' ? body.feature : 'chat';
    try {
      const result = await reportUsage(options.billingUrl, options.apiKey, {
        user_id: user,
        amount: body.amount,
        idempotency_key: `use-credits:${user}:${requestId}`,
        description: `Used in the example app (${feature})`,
        feature,
      });
      return c.json({
        balance: result.balance,
        balance_cents: result.balance_cents,
        replayed: result.replayed,
      });
    } catch (err) {
      if (err instanceof BillingServerError && err.status < 500) {
        return c.json(refusal(err.code, err.message), err.status as 400 | 402 | 403);
      }
      return c.json(refusal('billing_unavailable', 'The billing server did not answer. Try again.'), 502);
    }
  });

  for (const [prefix, root] of Object.entries(options.frontEnds ?? {})) {
    app.get(prefix, (c) => c.redirect(`${prefix}/`));
    app.use(
      `${prefix}/*`,
      serveStatic({ root, rewriteRequestPath: (path) => path.slice(prefix.length) || '/' }),
    );
  }
  app.get('/favicon.ico', (c) => c.body(null, 204));
  return app;
}
