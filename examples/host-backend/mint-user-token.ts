import { createHmac } from 'node:crypto';

/**
 * Who the token speaks for. Without `account` the widgets show the user's own balance (the
 * billing server's account `user:<sub>`); with it, the organisation's shared one (`org:<account>`).
 * The two never mix, even when a user id equals an organisation id.
 */
export interface BillingUser {
  /** Your user id. */
  sub: string;
  /**
   * An organisation whose shared balance this user spends, only for its members; leave it out for
   * the user's own balance.
   */
  account?: string;
  email?: string;
}

/** How tokens are signed: the billing server's `BILLING_JWT_SECRET`, and its issuer/audience if set. */
export interface TokenSettings {
  secret: string;
  /** Seconds the token stays valid; short, because the widgets ask for a new one after a 401. */
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  /** Unix seconds; tests pass a fixed time. */
  now?: number;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Mints the user token the billing widgets send as `Authorization: Bearer …`: an HS256 JWT with
 * `sub`, optional `account` and `email`, `iat` and `exp`, signed with the secret the billing server
 * shares with this backend. Only a backend may hold the secret; the browser gets the token alone.
 */
export function mintUserToken(user: BillingUser, settings: TokenSettings): string {
  const now = settings.now ?? Math.floor(Date.now() / 1000);
  const claims = {
    sub: user.sub,
    ...(user.account ? { account: user.account } : {}),
    ...(user.email ? { email: user.email } : {}),
    iat: now,
    exp: now + (settings.ttlSeconds ?? 15 * 60),
    ...(settings.issuer ? { iss: settings.issuer } : {}),
    ...(settings.audience ? { aud: settings.audience } : {}),
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', settings.secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
