import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Logger } from '../logger.ts';
import { requestHeader } from './request-header.ts';

// A caller's id is logged beside ours only when it cannot smuggle anything into a log line.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Gives every request an id of our own (`X-Request-Id` on the answer) and writes one structured log line
 * when it finishes: method, path without the query string, status, duration, account. Headers,
 * bodies and query strings are never logged, so tokens, keys and card data cannot appear.
 */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const started = performance.now();
    // Never the caller's id as is: a client could otherwise make its requests look like others' in
    // the logs (or reuse one id for everything). Theirs is kept beside ours for correlation.
    const incoming = requestHeader(c, 'x-request-id');
    const clientRequestId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : undefined;
    const requestId = randomUUID();
    c.set('requestId', requestId);
    // Prepared before the handler so every answer, errors included, carries it.
    c.header('X-Request-Id', requestId);
    await next();
    logger.info('request', {
      request_id: requestId,
      client_request_id: clientRequestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      account_id: c.var.identity?.accountId,
      client_aborted: c.var.clientAborted,
    });
  };
}
