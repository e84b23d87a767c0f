import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';

/**
 * How long a client may take over its request. Node's defaults (60 s for the headers, 300 s for
 * the whole request) let a client that stalls hold a socket and its buffered body for minutes; no
 * request of this API (bodies of at most 256 KiB, from Stripe or a browser) needs that long.
 */
export interface HttpTimeouts {
  /** The request line and headers must have arrived within this. */
  headersMs: number;
  /** The whole request, body included, must have arrived within this. */
  requestMs: number;
  /** How often Node checks the two above (its default is 30 s, too coarse for these limits). */
  checkEveryMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 };

/** Serves `fetch` on `hostname:port` with the timeouts above; resolves once listening. */
export function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  options: { port: number; hostname: string; timeouts?: HttpTimeouts },
): Promise<{ server: ServerType; port: number }> {
  const timeouts = options.timeouts ?? HTTP_TIMEOUTS;
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch,
        port: options.port,
        hostname: options.hostname,
        serverOptions: {
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          connectionsCheckingInterval: timeouts.checkEveryMs,
        },
      },
      (info: AddressInfo) => resolve({ server, port: info.port }),
    );
  });
}
