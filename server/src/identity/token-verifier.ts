import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Identity } from './identity.ts';
import { identityFromClaims, MAX_TOKEN_LENGTH, TokenError } from './jwt.ts';
import { VerifiedTokenCache } from './token-cache.ts';

/** Turns a bearer token into an identity, or throws (rejects with) TokenError. */
export interface TokenVerifier {
  /** Synchronous for a token verified before (the cache), a promise otherwise. */
  verify(token: string): Identity | Promise<Identity>;
}

/** How the identity provider's key set is fetched (`jose`'s remote JWKS). */
export interface JwksOptions {
  /** A fetched key set is trusted this long before it is fetched again. */
  cacheMaxAgeMs: number;
  /** An unknown `kid` refetches the set (key rotation), but not more often than this. */
  cooldownMs: number;
  timeoutMs: number;
}

const JWKS_DEFAULTS: JwksOptions = { cacheMaxAgeMs: 10 * 60_000, cooldownMs: 30_000, timeoutMs: 5000 };
/** Allowance for an issuer whose clock runs ahead of ours (`nbf`); `exp` is checked exactly. */
const NBF_TOLERANCE_SECONDS = 30;

/**
 * HS256 with the shared secret, or, when `jwksUrl` is configured, RS256/ES256 with the identity
 * provider's keys instead; signatures, algorithms and registered claims are checked by `jose`.
 * Verified tokens are cached until they expire, so a page's repeated requests cost one lookup.
 * In emulator mode, tokens from `/demo/token` (signed with the process's own demo key) pass too.
 */
export function createTokenVerifier(
  config: Config,
  clock: Clock,
  jwksOptions: JwksOptions = JWKS_DEFAULTS,
): TokenVerifier {
  const cache = new VerifiedTokenCache();
  const encoder = new TextEncoder();
  const demoKey = config.demoTokenSecret === undefined ? undefined : encoder.encode(config.demoTokenSecret);
  const key: Uint8Array | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), {
        cacheMaxAge: jwksOptions.cacheMaxAgeMs,
        cooldownDuration: jwksOptions.cooldownMs,
        timeoutDuration: jwksOptions.timeoutMs,
      })
    : encoder.encode(config.jwtSecret);
  const algorithms = config.jwksUrl ? ['RS256', 'ES256'] : ['HS256'];

  const check = async (token: string, with_: Uint8Array | JWTVerifyGetKey, allowed: string[]) => {
    const options = {
      algorithms: allowed,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      currentDate: clock.now(),
      clockTolerance: NBF_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
    };
    // Two call shapes, because jose types a key and a key-lookup function apart.
    const { payload } =
      with_ instanceof Uint8Array
        ? await jwtVerify(token, with_, options)
        : await jwtVerify(token, with_, options);
    return payload;
  };

  const verifyAnew = async (token: string): Promise<Identity> => {
    let payload: JWTPayload;
    try {
      const demo = demoKey === undefined ? undefined : await demoTokenPayload(token, demoKey, check);
      payload = demo ?? (await check(token, key, algorithms));
    } catch (err) {
      throw tokenErrorOf(err, algorithms);
    }
    const { identity, expSeconds } = identityFromClaims(payload, Math.floor(clock.now().getTime() / 1000));
    cache.set(token, identity, expSeconds * 1000);
    return identity;
  };

  return {
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('invalid_token', 'The token is too long.');
      return cache.get(token, clock.now().getTime()) ?? verifyAnew(token);
    },
  };
}

/** The payload of a token signed with the demo key; undefined for any other token. */
async function demoTokenPayload(
  token: string,
  demoKey: Uint8Array,
  check: (token: string, key: Uint8Array, allowed: string[]) => Promise<JWTPayload>,
): Promise<JWTPayload | undefined> {
  try {
    if (decodeProtectedHeader(token).alg !== 'HS256') return undefined;
  } catch {
    return undefined;
  }
  try {
    return await check(token, demoKey, ['HS256']);
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) return undefined;
    throw err;
  }
}

/**
 * jose's refusal as ours: a 401 code and a sentence in our words. Nothing the caller sent (its
 * alg, kid, claim values) is echoed back.
 */
function tokenErrorOf(err: unknown, algorithms: string[]): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof errors.JWTExpired) return new TokenError('token_expired', 'The token has expired.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const what: Record<string, string> = {
      exp: 'The token has no valid expiry (exp).',
      nbf: 'The token is not valid yet (nbf).',
      iss: 'The token was issued by someone else (iss).',
      aud: 'The token is meant for another audience (aud).',
    };
    return new TokenError('invalid_token', what[err.claim] ?? 'The token has an invalid claim.');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenError('invalid_token', 'The token signature does not match.');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return new TokenError('invalid_token', `Tokens must be signed with ${algorithms.join(' or ')}.`);
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenError('invalid_token', 'The token was signed by a key this server does not know.');
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || isFetchFailure(err)) {
    return new TokenError('invalid_token', "The identity provider's keys could not be loaded.");
  }
  if (err instanceof errors.JOSENotSupported) {
    return new TokenError(
      'invalid_token',
      'The token uses a critical extension or feature this server does not support.',
    );
  }
  return new TokenError('invalid_token', 'The token is not a signed JWT.');
}

/** A JWKS fetch that never got an answer, or got an error status. */
function isFetchFailure(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC');
}
