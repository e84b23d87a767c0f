import { webcrypto } from 'node:crypto';
import { type DecodedJwt, TokenError } from './jwt.ts';

type JsonWebKey = webcrypto.JsonWebKey & { kid?: string; alg?: string; use?: string };

interface CachedKey {
  kid: string | undefined;
  alg: 'RS256' | 'ES256';
  key: webcrypto.CryptoKey;
}

const ALGORITHMS = {
  RS256: {
    import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    verify: { name: 'RSASSA-PKCS1-v1_5' },
    kty: 'RSA',
  },
  ES256: {
    import: { name: 'ECDSA', namedCurve: 'P-256' },
    verify: { name: 'ECDSA', hash: 'SHA-256' },
    kty: 'EC',
  },
} as const;

/** How long a fetched key set is trusted before it is fetched again. */
const KEYS_TTL_MS = 10 * 60_000;
/** An unknown `kid` refetches the set (key rotation), but not more often than this. */
const MIN_REFETCH_INTERVAL_MS = 30_000;
const FETCH_TIMEOUT_MS = 5000;

/**
 * The identity provider's public keys from a JWKS URL, fetched lazily and cached. Verifies
 * RS256 and ES256 signatures with WebCrypto.
 */
export class JwksKeySet {
  private keys: CachedKey[] = [];
  private fetchedAt = 0;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Throws TokenError unless the token is signed by one of the set's keys with RS256/ES256. */
  async verify(jwt: DecodedJwt): Promise<void> {
    const alg = jwt.header.alg;
    if (alg !== 'RS256' && alg !== 'ES256') {
      throw new TokenError('invalid_token', 'Tokens must be signed with RS256 or ES256.');
    }
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    if (this.nowMs() - this.fetchedAt > KEYS_TTL_MS) await this.refresh();
    let candidates = this.match(alg, kid);
    if (candidates.length === 0 && this.nowMs() - this.fetchedAt > MIN_REFETCH_INTERVAL_MS) {
      await this.refresh();
      candidates = this.match(alg, kid);
    }
    if (candidates.length === 0) {
      throw new TokenError('invalid_token', 'The token was signed by a key this server does not know.');
    }
    const data = new TextEncoder().encode(jwt.signingInput);
    for (const candidate of candidates) {
      if (await webcrypto.subtle.verify(ALGORITHMS[alg].verify, candidate.key, jwt.signature, data)) return;
    }
    throw new TokenError('invalid_token', 'The token signature does not match.');
  }

  private match(alg: 'RS256' | 'ES256', kid: string | undefined): CachedKey[] {
    return this.keys.filter((k) => k.alg === alg && (kid === undefined || k.kid === kid));
  }

  private refresh(): Promise<void> {
    // Concurrent requests share one fetch.
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    let body: { keys?: JsonWebKey[] };
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = (await res.json()) as { keys?: JsonWebKey[] };
    } catch (err) {
      // Keep serving the previous keys; a token they cannot verify is still refused.
      this.fetchedAt = this.nowMs();
      throw new TokenError(
        'invalid_token',
        `The identity provider's keys could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
      );
    }
    const keys: CachedKey[] = [];
    for (const jwk of body.keys ?? []) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      const alg = jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : null;
      if (alg === null || (jwk.alg !== undefined && jwk.alg !== alg)) continue;
      try {
        const key = await webcrypto.subtle.importKey('jwk', jwk, ALGORITHMS[alg].import, false, ['verify']);
        keys.push({ kid: jwk.kid, alg, key });
      } catch {
        // A malformed key in the set is skipped; the others still work.
      }
    }
    this.keys = keys;
    this.fetchedAt = this.nowMs();
  }
}
