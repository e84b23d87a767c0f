import { orgAccountKey, userAccountKey } from './account-key.ts';
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

/** A compact JWS split into its parts, header decoded. */
export interface DecodedJwt {
  header: { alg?: unknown; kid?: unknown; typ?: unknown; crit?: unknown };
  /** `header.payload` as sent: the bytes the signature covers. */
  signingInput: string;
  payloadSegment: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_ID_LENGTH = 128;
/**
 * The longest a user token may live: a day. Host backends mint tokens for minutes (the widgets
 * ask for a fresh one after a 401), so an `exp` years ahead is a leaked or forged token's wish.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** Splits and decodes a compact JWS without trusting anything in it yet. */
export function decodeJwt(token: string): DecodedJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('invalid_token', 'The token is too long.');
  const parts = token.split('.');
  if (parts.length !== 3 || !SEGMENT.test(parts[0]!) || !SEGMENT.test(parts[1]!)) {
    throw new TokenError('invalid_token', 'The token is not a signed JWT.');
  }
  if (parts[2] === '' || !SEGMENT.test(parts[2]!)) {
    throw new TokenError('invalid_token', 'The token is not signed.');
  }
  const header = parseSegment(parts[0]!, 'header');
  if (header.crit !== undefined) {
    throw new TokenError('invalid_token', 'The token uses critical extensions this server does not know.');
  }
  return {
    header,
    signingInput: `${parts[0]}.${parts[1]}`,
    payloadSegment: parts[1]!,
    signature: Buffer.from(parts[2]!, 'base64url'),
  };
}

/** Expectations a verified payload must meet. */
export interface ClaimRules {
  nowSeconds: number;
  issuer?: string;
  audience?: string;
}

/**
 * Checks the registered claims (exp required, nbf, iss, aud) of a payload whose signature was
 * already verified, and maps `sub` / `account` / `email` to an identity: the account is
 * `org:<account>` when the token names one, else the user's own `user:<sub>` (account-key.ts).
 */
export function identityFromPayload(
  payloadSegment: string,
  rules: ClaimRules,
): { identity: Identity; expSeconds: number } {
  const claims = parseSegment(payloadSegment, 'payload');
  const { exp, nbf, iss, aud, sub, account, email } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new TokenError('invalid_token', 'The token has no expiry (exp).');
  }
  if (rules.nowSeconds >= exp) throw new TokenError('token_expired', 'The token has expired.');
  if (exp - rules.nowSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new TokenError(
      'invalid_token',
      'The token expires too far ahead (exp more than 24 hours from now).',
    );
  }
  // A small allowance for clocks that run ahead of ours on the issuing side.
  if (nbf !== undefined && (typeof nbf !== 'number' || rules.nowSeconds + 30 < nbf)) {
    throw new TokenError('invalid_token', 'The token is not valid yet (nbf).');
  }
  if (rules.issuer !== undefined && iss !== rules.issuer) {
    throw new TokenError('invalid_token', 'The token was issued by someone else (iss).');
  }
  if (rules.audience !== undefined) {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(rules.audience)) {
      throw new TokenError('invalid_token', 'The token is meant for another audience (aud).');
    }
  }
  if (!isId(sub)) throw new TokenError('invalid_token', 'The token has no valid subject (sub).');
  if (account !== undefined && !isId(account)) {
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

function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    // Printable ASCII without spaces: ids end up in Stripe metadata and URLs.
    /^[\x21-\x7e]+$/.test(value)
  );
}

// biome-ignore lint/suspicious/noExplicitAny: JWT members are checked one by one by the callers
function parseSegment(segment: string, what: string): Record<string, any> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('invalid_token', `The token ${what} is not JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenError('invalid_token', `The token ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}
