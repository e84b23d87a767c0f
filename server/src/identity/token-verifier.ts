import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { verifyHs256 } from './hs256.ts';
import type { Identity } from './identity.ts';
import { JwksKeySet } from './jwks.ts';
import { type DecodedJwt, decodeJwt, identityFromPayload } from './jwt.ts';
import { VerifiedTokenCache } from './token-cache.ts';

/** Turns a bearer token into an identity, or throws TokenError. */
export interface TokenVerifier {
  /** Synchronous for cached and HS256 tokens, a promise only when JWKS keys are involved. */
  verify(token: string): Identity | Promise<Identity>;
}

/**
 * HS256 with the shared secret, or, when `jwksUrl` is configured, RS256/ES256 with the identity
 * provider's keys instead (DESIGN section 4). Verified tokens are cached until they expire.
 */
export function createTokenVerifier(config: Config, clock: Clock): TokenVerifier {
  const cache = new VerifiedTokenCache();
  const rules = () => ({
    nowSeconds: Math.floor(clock.now().getTime() / 1000),
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const remember = (token: string, checked: { identity: Identity; expSeconds: number }) => {
    cache.set(token, checked.identity, checked.expSeconds * 1000);
    return checked.identity;
  };

  // Emulator mode: tokens from /demo/token are signed with the process's own demo key.
  const demoSecret = config.demoTokenSecret;
  const isDemoToken = (jwt: DecodedJwt) => {
    if (demoSecret === undefined || jwt.header.alg !== 'HS256') return false;
    try {
      verifyHs256(jwt, demoSecret);
      return true;
    } catch {
      return false;
    }
  };

  if (config.jwksUrl) {
    const keySet = new JwksKeySet(config.jwksUrl, () => clock.now().getTime());
    return {
      verify(token) {
        const hit = cache.get(token, clock.now().getTime());
        if (hit) return hit;
        const jwt = decodeJwt(token);
        if (isDemoToken(jwt)) return remember(token, identityFromPayload(jwt.payloadSegment, rules()));
        return keySet
          .verify(jwt)
          .then(() => remember(token, identityFromPayload(jwt.payloadSegment, rules())));
      },
    };
  }
  return {
    verify(token) {
      const hit = cache.get(token, clock.now().getTime());
      if (hit) return hit;
      const jwt = decodeJwt(token);
      if (!isDemoToken(jwt)) verifyHs256(jwt, config.jwtSecret);
      return remember(token, identityFromPayload(jwt.payloadSegment, rules()));
    },
  };
}
