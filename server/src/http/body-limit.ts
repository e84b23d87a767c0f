import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';

/** JSON requests of this API are a few hundred bytes; anything near this is abuse. */
export const MAX_JSON_BODY_BYTES = 32 * 1024;
/**
 * Stripe events carry one object, with sub-lists cut at 10 items: the largest the emulator sends
 * in a top-up, card, subscription and renewal run is under 5 KB, and Stripe's example objects are
 * at most about 4 KB. 256 KiB leaves room for large metadata and long invoices while bounding what
 * a stalled client can make the server hold.
 */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

function tooLarge(maxSize: number): ApiError {
  return new ApiError(413, 'body_too_large', `The request body is larger than ${maxSize} bytes.`);
}

function limit(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
}

/** 413 for bodies over the limit, checked on Content-Length and while streaming. */
export function requestBodyLimit(): MiddlewareHandler<AppEnv> {
  const json = limit(MAX_JSON_BODY_BYTES);
  const webhook = limit(MAX_WEBHOOK_BODY_BYTES);
  return async function requestBodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const isWebhook = c.req.path.endsWith('/webhook');
    // A declared length is all Node's parser will deliver, so it decides without touching the body:
    // reading `c.req.raw.body` (as hono's bodyLimit does) makes @hono/node-server build a whole web
    // Request (~0.15 ms) instead of reading the body straight from the socket for `c.req.text()`.
    const declared = c.req.header('content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && c.req.header('transfer-encoding') === undefined) {
      const maxSize = isWebhook ? MAX_WEBHOOK_BODY_BYTES : MAX_JSON_BODY_BYTES;
      if (Number(declared) > maxSize) throw tooLarge(maxSize);
      return next();
    }
    return (isWebhook ? webhook : json)(c, next);
  };
}
