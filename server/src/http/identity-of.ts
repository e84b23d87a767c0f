import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';

/** The verified caller of a widget-facing route (set by `requireUser`). */
export function identityOf(c: Context<AppEnv>): Identity {
  const identity = c.var.identity;
  if (!identity) throw new ApiError(401, 'unauthorized', 'This route needs a user token.');
  return identity;
}
