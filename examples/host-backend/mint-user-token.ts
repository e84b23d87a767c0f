import { SignJWT } from 'jose';

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

/**
 * Mints the user token the billing widgets send as `Authorization: Bearer …`: an HS256 JWT with
 * `sub`, optional `account` and `email`, `iat` and `exp`, signed with the secret the billing server
 * shares with this backend (`jose`, the library the server verifies it with). Only a backend may
 * hold the secret; the browser gets the token alone.
 */
export function mintUserToken(user: BillingUser, settings: TokenSettings): Promise<string> {
  const now = settings.now ?? Math.floor(Date.now() / 1000);
  const token = new SignJWT({
    ...(user.account ? { account: user.account } : {}),
    ...(user.email ? { email: user.email } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.sub)
    .setIssuedAt(now)
    // The billing server refuses tokens that live longer than a day.
    .setExpirationTime(now + (settings.ttlSeconds ?? 15 * 60));
  if (settings.issuer) token.setIssuer(settings.issuer);
  if (settings.audience) token.setAudience(settings.audience);
  return token.sign(new TextEncoder().encode(settings.secret));
}
