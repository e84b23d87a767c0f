import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { requestHeader } from '../http/request-header.ts';
import { bearerToken } from './bearer.ts';
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

/**
 * Widget-facing routes: verifies `Authorization: Bearer <JWT>` and sets `c.var.identity`,
 * or answers 401 (`unauthorized`, `invalid_token`, `token_expired`).
 */
export function requireUser(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const verifier = verifierFor(deps);
  return async function requireUser(c, next) {
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
  };
}
