import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../clock.ts';
import { signTestToken, testConfig } from '../testing.ts';
import type { Identity } from './identity.ts';
import { TokenError } from './jwt.ts';
import { createTokenVerifier } from './token-verifier.ts';

const SECRET = 'token-verifier-test-secret-0123456789';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusedAsync(p: () => unknown, code: 'invalid_token' | 'token_expired', message?: RegExp) {
  await assert.rejects((async () => p())(), (err: unknown) => {
    assert.ok(err instanceof TokenError, `expected TokenError, got ${err}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** The user and account of a verified token (a cache hit answers synchronously, so both shapes). */
const userOf = async (verified: Identity | Promise<Identity>) => (await verified).userId;
const accountOf = async (verified: Identity | Promise<Identity>) => (await verified).accountId;

describe('HS256 tokens', () => {
  const clock = new ManualClock(new Date('2026-11-01T12:00:00Z'));
  const nowS = () => Math.floor(clock.now().getTime() / 1000);
  const config = testConfig({ BILLING_JWT_SECRET: SECRET });

  test('a valid token gives the user, the account (user:<sub>, or org:<account>) and the email', async () => {
    const verifier = createTokenVerifier(config, clock);
    assert.deepEqual(await verifier.verify(signTestToken({ sub: 'u1', exp: nowS() + 60 }, SECRET)), {
      userId: 'u1',
      accountId: 'user:u1',
      email: null,
    });
    assert.deepEqual(
      await verifier.verify(
        signTestToken({ sub: 'u1', account: 'org_9', email: 'a@b.c', exp: nowS() + 60 }, SECRET),
      ),
      { userId: 'u1', accountId: 'org:org_9', email: 'a@b.c' },
    );
    // Equal ids of different kinds are different accounts; a colon in an id stays part of it.
    assert.equal(
      await accountOf(verifier.verify(signTestToken({ sub: 'acme', exp: nowS() + 60 }, SECRET))),
      'user:acme',
    );
    assert.equal(
      await accountOf(
        verifier.verify(signTestToken({ sub: 'u1', account: 'acme', exp: nowS() + 60 }, SECRET)),
      ),
      'org:acme',
    );
    assert.equal(
      await accountOf(verifier.verify(signTestToken({ sub: 'org:acme', exp: nowS() + 60 }, SECRET))),
      'user:org:acme',
    );
  });

  test('forged: signed with another secret, or payload swapped under a valid signature', async () => {
    const verifier = createTokenVerifier(config, clock);
    await refusedAsync(
      () => verifier.verify(signTestToken({ sub: 'u1', exp: nowS() + 60 }, `${SECRET}x`)),
      'invalid_token',
      /signature/,
    );
    const real = signTestToken({ sub: 'u1', exp: nowS() + 60 }, SECRET).split('.');
    const swapped = `${real[0]}.${b64({ sub: 'admin', exp: nowS() + 60 })}.${real[2]}`;
    await refusedAsync(() => verifier.verify(swapped), 'invalid_token', /signature/);
  });

  test('alg none, a missing signature and other algorithms are refused before any check passes', async () => {
    const verifier = createTokenVerifier(config, clock);
    const payload = b64({ sub: 'u1', exp: nowS() + 60 });
    await refusedAsync(
      () => verifier.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`),
      'invalid_token',
    );
    await refusedAsync(
      () => verifier.verify(`${b64({ alg: 'none' })}.${payload}.${'A'.repeat(43)}`),
      'invalid_token',
      /HS256/,
    );
    const hs512 = createHmac('sha512', SECRET)
      .update(`${b64({ alg: 'HS512' })}.${payload}`)
      .digest('base64url');
    await refusedAsync(
      () => verifier.verify(`${b64({ alg: 'HS512' })}.${payload}.${hs512}`),
      'invalid_token',
      /HS256/,
    );
    await refusedAsync(
      () => verifier.verify(`${b64({ alg: 'RS256' })}.${payload}.${hs512}`),
      'invalid_token',
      /HS256/,
    );
  });

  test('expired, not yet valid, and without exp', async () => {
    const verifier = createTokenVerifier(config, clock);
    await refusedAsync(
      () => verifier.verify(signTestToken({ sub: 'u1', exp: nowS() - 1 }, SECRET)),
      'token_expired',
    );
    await refusedAsync(
      () => verifier.verify(signTestToken({ sub: 'u1', exp: nowS() }, SECRET)),
      'token_expired',
    );
    await refusedAsync(() => verifier.verify(signTestToken({ sub: 'u1' }, SECRET)), 'invalid_token', /exp/);
    await refusedAsync(
      () => verifier.verify(signTestToken({ sub: 'u1', exp: String(nowS() + 60) }, SECRET)),
      'invalid_token',
      /exp/,
    );
    await refusedAsync(
      () => verifier.verify(signTestToken({ sub: 'u1', exp: nowS() + 600, nbf: nowS() + 300 }, SECRET)),
      'invalid_token',
      /nbf/,
    );
  });

  test('issuer and audience are enforced when configured', async () => {
    const strict = createTokenVerifier(
      testConfig({
        BILLING_JWT_SECRET: SECRET,
        BILLING_JWT_ISSUER: 'host-app',
        BILLING_JWT_AUDIENCE: 'billing',
      }),
      clock,
    );
    const claims = { sub: 'u1', exp: nowS() + 60 };
    assert.equal(
      await userOf(strict.verify(signTestToken({ ...claims, iss: 'host-app', aud: 'billing' }, SECRET))),
      'u1',
    );
    assert.equal(
      await userOf(
        strict.verify(signTestToken({ ...claims, iss: 'host-app', aud: ['x', 'billing'] }, SECRET)),
      ),
      'u1',
    );
    await refusedAsync(
      () => strict.verify(signTestToken({ ...claims, iss: 'host-app', aud: 'other' }, SECRET)),
      'invalid_token',
      /aud/,
    );
    await refusedAsync(
      () => strict.verify(signTestToken({ ...claims, iss: 'host-app' }, SECRET)),
      'invalid_token',
      /aud/,
    );
    await refusedAsync(
      () => strict.verify(signTestToken({ ...claims, iss: 'evil', aud: 'billing' }, SECRET)),
      'invalid_token',
      /iss/,
    );
  });

  test('malformed tokens and bad identity claims', async () => {
    const verifier = createTokenVerifier(config, clock);
    for (const token of [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '!!.??.**',
      `${b64({ alg: 'HS256' })}.bm90anNvbg.sig`,
    ]) {
      await refusedAsync(() => verifier.verify(token), 'invalid_token');
    }
    await refusedAsync(() => verifier.verify('x'.repeat(9000)), 'invalid_token', /too long/);
    for (const claims of [
      { sub: '' },
      { sub: 42 },
      { sub: 'has space' },
      { sub: 'u', account: '' },
      { sub: 'u', email: 5 },
    ]) {
      await refusedAsync(
        () => verifier.verify(signTestToken({ ...claims, exp: nowS() + 60 }, SECRET)),
        'invalid_token',
      );
    }
    // Signed correctly, but with a critical extension this server does not know.
    const critInput = `${b64({ alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 })}.${b64({ sub: 'u', exp: nowS() + 60 })}`;
    const critSignature = createHmac('sha256', SECRET).update(critInput).digest('base64url');
    await refusedAsync(
      () => verifier.verify(`${critInput}.${critSignature}`),
      'invalid_token',
      /critical extension/,
    );
  });

  test('a cached token still expires by the clock', async () => {
    const local = new ManualClock(clock.now());
    const verifier = createTokenVerifier(config, local);
    const token = signTestToken({ sub: 'u1', exp: Math.floor(local.now().getTime() / 1000) + 30 }, SECRET);
    assert.equal(await userOf(verifier.verify(token)), 'u1');
    assert.equal(await userOf(verifier.verify(token)), 'u1');
    local.advance(31);
    await refusedAsync(() => verifier.verify(token), 'token_expired');
  });
});

describe('JWKS tokens (RS256 and ES256 from a key server on 127.0.0.1)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let published: Array<Record<string, unknown>> = [];
  let fetches = 0;
  let server: Server;
  let jwksUrl = '';
  const clock = new ManualClock(new Date());
  const nowS = () => Math.floor(clock.now().getTime() / 1000);

  const jwk = (key: KeyObject, kid: string, alg: string) => ({
    ...key.export({ format: 'jwk' }),
    kid,
    alg,
    use: 'sig',
  });
  const signJwt = (
    alg: 'RS256' | 'ES256',
    key: KeyObject,
    kid: string | undefined,
    claims: Record<string, unknown>,
  ) => {
    const input = `${b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(claims)}`;
    const signature = sign(
      'sha256',
      Buffer.from(input),
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    );
    return `${input}.${signature.toString('base64url')}`;
  };

  before(async () => {
    published = [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')];
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verifierWith = (env: Record<string, string> = {}, cooldownMs = 30_000) =>
    createTokenVerifier(
      testConfig({ BILLING_JWKS_URL: jwksUrl, BILLING_JWT_AUDIENCE: 'billing', ...env }),
      clock,
      { cacheMaxAgeMs: 600_000, cooldownMs, timeoutMs: 5000 },
    );

  test('RS256 and ES256 tokens verify against the published keys, fetched once', async () => {
    fetches = 0;
    const verifier = verifierWith();
    const claims = { sub: 'idp|42', account: 'org_1', email: 'x@y.z', aud: 'billing', exp: nowS() + 300 };
    assert.deepEqual(await verifier.verify(signJwt('RS256', rsa.privateKey, 'rsa-1', claims)), {
      userId: 'idp|42',
      accountId: 'org:org_1',
      email: 'x@y.z',
    });
    assert.equal((await verifier.verify(signJwt('ES256', ec.privateKey, 'ec-1', claims))).userId, 'idp|42');
    // Without a kid every key of the algorithm is tried.
    assert.equal(
      (await verifier.verify(signJwt('ES256', ec.privateKey, undefined, claims))).userId,
      'idp|42',
    );
    assert.equal(fetches, 1);
  });

  test('a token signed by an unknown key, the wrong audience, HS256 or expiry is refused', async () => {
    const verifier = verifierWith();
    const claims = { sub: 'u', aud: 'billing', exp: nowS() + 300 };
    await refusedAsync(
      () => verifier.verify(signJwt('RS256', stranger.privateKey, 'rsa-1', claims)),
      'invalid_token',
      /signature/,
    );
    await refusedAsync(
      () => verifier.verify(signJwt('RS256', rsa.privateKey, 'rsa-1', { ...claims, aud: 'other' })),
      'invalid_token',
      /aud/,
    );
    await refusedAsync(
      () => verifier.verify(signJwt('RS256', rsa.privateKey, 'rsa-1', { ...claims, exp: nowS() - 5 })),
      'token_expired',
    );
    // Shared-secret tokens are not accepted once an identity provider is configured.
    await refusedAsync(
      () => verifier.verify(signTestToken(claims, testConfig().jwtSecret)),
      'invalid_token',
      /RS256 or ES256/,
    );
    // An ES256 header on an RSA signature does not confuse the algorithms.
    const confused = signJwt('RS256', rsa.privateKey, 'ec-1', claims).split('.');
    confused[0] = b64({ alg: 'ES256', kid: 'ec-1' });
    await refusedAsync(() => verifier.verify(confused.join('.')), 'invalid_token');
  });

  test('a new kid after key rotation refetches the set', async () => {
    // No cool-down between fetches here, so the test need not wait out jose's 30 s.
    const verifier = verifierWith({}, 0);
    const claims = { sub: 'u', aud: 'billing', exp: nowS() + 3600 };
    await verifier.verify(signJwt('RS256', rsa.privateKey, 'rsa-1', claims));
    published = [...published, jwk(rotated.publicKey, 'ec-2', 'ES256')];
    assert.equal((await verifier.verify(signJwt('ES256', rotated.privateKey, 'ec-2', claims))).userId, 'u');
  });

  test('an unreachable key server refuses tokens with a clear reason', async () => {
    const verifier = createTokenVerifier(
      testConfig({ BILLING_JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
      clock,
    );
    await refusedAsync(
      () => verifier.verify(signJwt('RS256', rsa.privateKey, 'rsa-1', { sub: 'u', exp: nowS() + 60 })),
      'invalid_token',
      /could not be loaded/,
    );
  });
});
