import { createHmac, timingSafeEqual } from 'node:crypto';
import { type DecodedJwt, TokenError } from './jwt.ts';

/**
 * Verifies an HS256 signature with node:crypto's HMAC (about 10× cheaper than WebCrypto here).
 * Any other `alg`, `none` included, is refused before a signature is computed.
 */
export function verifyHs256(jwt: DecodedJwt, secret: string): void {
  if (jwt.header.alg !== 'HS256') {
    // The token's own alg is not echoed back: answers never reflect what the caller sent.
    throw new TokenError('invalid_token', 'Tokens must be signed with HS256.');
  }
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  if (jwt.signature.length !== expected.length || !timingSafeEqual(jwt.signature, expected)) {
    throw new TokenError('invalid_token', 'The token signature does not match.');
  }
}

/** Signs claims as an HS256 JWT: used by `/demo/token` and by tests acting as the host backend. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
