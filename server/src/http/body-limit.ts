import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';

/** JSON requests of this API are a few hundred bytes; anything near this is abuse. */
export const MAX_JSON_BODY_BYTES = 32 * 1024;
/** Stripe events with expanded objects can be large; Stripe's own limit is far below this. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

function limit(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'body_too_large', `The request body is larger than ${maxSize} bytes.`);
    },
  });
}

/** 413 for bodies over the limit, checked on Content-Length and while streaming. */
export function requestBodyLimit(): MiddlewareHandler<AppEnv> {
  const json = limit(MAX_JSON_BODY_BYTES);
  const webhook = limit(MAX_WEBHOOK_BODY_BYTES);
  return async function requestBodyLimit(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    return (c.req.path.endsWith('/webhook') ? webhook : json)(c, next);
  };
}
