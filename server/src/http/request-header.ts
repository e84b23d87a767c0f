import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header by lower-case name. Under @hono/node-server it reads Node's already-parsed
 * header object: touching `c.req.raw.headers` would build a WHATWG Headers object per request,
 * which costs more than the whole `/credits` handler. Elsewhere (tests' `app.request()`) it
 * falls back to the standard Request.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming?.headers) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return c.req.header(name);
}
