import type { JWTPayload } from 'jose';
import { isHostId, orgAccountKey, userAccountKey } from './account-key.ts';
import type { Identity } from './identity.ts';

/** Why a token was refused; becomes a 401 with this code. */
export class TokenError extends Error {
  constructor(
    readonly code: 'invalid_token' | 'token_expired',
    message: string,
  ) {
    super(message);
  }
}

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
/**
 * The longest a user token may live: a day. Host backends mint tokens for minutes (the widgets
 * ask for a fresh one after a 401), so an `exp` years ahead is a leaked or forged token's wish.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * Maps the claims of a token whose signature and registered claims were already verified (by
 * jose, in token-verifier.ts) to an identity: the account is `org:<account>` when the token names
 * one, else the user's own `user:<sub>` (account-key.ts). `exp` is checked exactly here, and must
 * be at most a day ahead.
 */
export function identityFromClaims(
  claims: JWTPayload,
  nowSeconds: number,
): { identity: Identity; expSeconds: number } {
  const { exp, sub, account, email } = claims as JWTPayload & { account?: unknown; email?: unknown };
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new TokenError('invalid_token', 'The token has no valid expiry (exp).');
  }
  if (nowSeconds >= exp) throw new TokenError('token_expired', 'The token has expired.');
  if (exp - nowSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new TokenError(
      'invalid_token',
      'The token expires too far ahead (exp more than 24 hours from now).',
    );
  }
  if (!isHostId(sub)) throw new TokenError('invalid_token', 'The token has no valid subject (sub).');
  if (account !== undefined && !isHostId(account)) {
    throw new TokenError('invalid_token', 'The token has an invalid account claim.');
  }
  if (email !== undefined && email !== null && (typeof email !== 'string' || email.length > 320)) {
    throw new TokenError('invalid_token', 'The token has an invalid email claim.');
  }
  return {
    identity: {
      userId: sub,
      // Kinds apart: a user whose sub equals an organisation's id must not reach its balance.
      accountId: account === undefined ? userAccountKey(sub) : orgAccountKey(account),
      email: typeof email === 'string' ? email : null,
    },
    expSeconds: exp,
  };
}
