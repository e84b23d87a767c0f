import { createMiddleware } from 'hono/factory';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { requestHeader } from '../http/request-header.ts';
import { bearerToken } from './bearer.ts';
import type { Identity } from './identity.ts';
import { TokenError } from './jwt.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

// One verifier (and so one token cache and one JWKS key set) per app, however many routers ask.
const verifiers = new WeakMap<AppDeps, TokenVerifier>();

function verifierFor(deps: AppDeps): TokenVerifier {
  let verifier = verifiers.get(deps);
  if (!verifier) {
    verifier = createTokenVerifier(deps.config, deps.clock);
    verifiers.set(deps, verifier);
  }
  return verifier;
}

/** What a route behind `requireUser` can read: the verified caller. */
export type UserEnv = AppEnv & { Variables: { identity: Identity } };

/**
 * Widget-facing routes: verifies `Authorization: Bearer <JWT>` and sets `c.var.identity` (typed:
 * a handler behind it always has one), or answers 401 (`unauthorized`, `invalid_token`,
 * `token_expired`).
 */
export function requireUser(deps: AppDeps) {
  const verifier = verifierFor(deps);
  return createMiddleware<UserEnv>(async function requireUser(c, next) {
    const token = bearerToken(requestHeader(c, 'authorization'));
    if (token === null) {
      throw new ApiError(401, 'unauthorized', 'Send the user token as "Authorization: Bearer <token>".');
    }
    try {
      const identity = verifier.verify(token);
      c.set('identity', identity instanceof Promise ? await identity : identity);
    } catch (err) {
      if (err instanceof TokenError) throw new ApiError(401, err.code, err.message);
      throw err;
    }
    await next();
  });
}
