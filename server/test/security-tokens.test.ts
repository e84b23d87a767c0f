import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { API_KEY, type BillingHarness, startBillingHarness } from './harness.ts';
import { API_KEY_ENDPOINTS, USER_ENDPOINTS } from './security-endpoints.ts';
import { dumpStore } from './store-dump.ts';

const ISSUER = 'https://host.example.test';
const AUDIENCE = 'billing-widgets';
const SECRET = 'security-suite-jwt-secret-0123456789-xyz';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (input: string, secret: string) =>
  createHmac('sha256', secret).update(input).digest('base64url');
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${hmac(input, secret)}`;
}

describe('forged and misused tokens are refused on every endpoint', () => {
  let h: BillingHarness;
  let forged: Array<[string, string]>;
  before(async () => {
    h = await startBillingHarness({
      BILLING_JWT_SECRET: SECRET,
      BILLING_JWT_ISSUER: ISSUER,
      BILLING_JWT_AUDIENCE: AUDIENCE,
    });
    const grant = await h.api('POST', '/api/billing/grants', {
      token: API_KEY,
      body: { user_id: 'alice', amount: 12, idempotency_key: 'seed' },
    });
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now + 600 };
    const hs = { alg: 'HS256', typ: 'JWT' };
    const good = jwt(hs, claims);
    const [goodHeader, , goodSignature] = good.split('.');
    forged = [
      ['signed with another key', jwt(hs, claims, 'another-secret-another-secret-0123456789')],
      ['alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
      ['alg none, signature kept', `${b64({ alg: 'none' })}.${b64(claims)}.${goodSignature}`],
      ['alg None spelled differently', jwt({ alg: 'None' }, claims)],
      ['RS256 header over an HMAC signature', jwt({ alg: 'RS256' }, claims)],
      ['HS512 header', jwt({ alg: 'HS512' }, claims)],
      ['expired', jwt(hs, { ...claims, exp: now - 1 })],
      ['no expiry', jwt(hs, { sub: 'alice', iss: ISSUER, aud: AUDIENCE })],
      ['expiry as a string', jwt(hs, { ...claims, exp: String(now + 600) })],
      ['expiry a year ahead', jwt(hs, { ...claims, exp: now + 365 * 24 * 3600 })],
      ['expiry just over a day ahead', jwt(hs, { ...claims, exp: now + 24 * 3600 + 120 })],
      ['not valid yet', jwt(hs, { ...claims, nbf: now + 3600 })],
      ['wrong audience', jwt(hs, { ...claims, aud: 'another-app' })],
      ['no audience', jwt(hs, { sub: 'alice', iss: ISSUER, exp: now + 600 })],
      ['wrong issuer', jwt(hs, { ...claims, iss: 'https://evil.example' })],
      ['no issuer', jwt(hs, { sub: 'alice', aud: AUDIENCE, exp: now + 600 })],
      [
        'payload swapped under a valid signature',
        `${goodHeader}.${b64({ ...claims, sub: 'mallory' })}.${goodSignature}`,
      ],
      [
        'account claim added under a valid signature',
        `${goodHeader}.${b64({ ...claims, account: 'bob' })}.${goodSignature}`,
      ],
      ['signature truncated', good.slice(0, -4)],
      ['signature of another token', `${good.split('.').slice(0, 2).join('.')}.${hmac('x.y', SECRET)}`],
      ['no subject', jwt(hs, { iss: ISSUER, aud: AUDIENCE, exp: now + 600 })],
      ['crit header', jwt({ ...hs, crit: ['b64'] }, claims)],
      ['the API key as a user token', API_KEY],
      ['the JWT secret as a token', SECRET],
      ['two dots only', '..'],
      ['an oversized token', `${goodHeader}.${'A'.repeat(9000)}.${goodSignature}`],
    ];
    const ok = await h.api('GET', '/api/billing/credits', { token: good });
    assert.deepEqual(ok.body, { credits: '12.00' }, 'the genuine token works');
  });
  after(async () => {
    await h.close();
  });

  test('every forged token on every widget endpoint → 401 JSON, nothing changed anywhere', async () => {
    const before = await dumpStore(h.store);
    for (const endpoint of USER_ENDPOINTS) {
      for (const [name, token] of forged) {
        const res = await h.api(endpoint.method, endpoint.path, { token, body: endpoint.body });
        assert.equal(res.status, 401, `${endpoint.path} with ${name}: ${JSON.stringify(res.body)}`);
        assert.ok(
          ['unauthorized', 'invalid_token', 'token_expired'].includes(res.body.error?.code),
          `${endpoint.path} with ${name}: ${JSON.stringify(res.body)}`,
        );
      }
      for (const header of ['', 'Bearer', 'Bearer ', 'Basic YWxpY2U6cHc=', 'bearer', 'Token abc']) {
        const res = await fetch(`${h.url}${endpoint.path}`, {
          method: endpoint.method,
          headers: { authorization: header },
        });
        assert.equal(res.status, 401, `${endpoint.path} with "${header}"`);
      }
    }
    assert.equal(await dumpStore(h.store), before);
    assert.equal((await h.stripe.customers.list({ limit: 10 })).data.length, 0, 'no Stripe customer made');
  });

  test("refusals never echo what the caller sent: not the token's alg, not the path", async () => {
    const odd = jwt(
      { alg: 'HS256<script>', typ: 'JWT' },
      { sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 },
    );
    const refused = await h.api('GET', '/api/billing/credits', { token: odd });
    assert.equal(refused.status, 401);
    assert.doesNotMatch(JSON.stringify(refused.body), /script/);
    const lost = await h.api('GET', '/api/billing/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(lost.status, 404);
    assert.doesNotMatch(JSON.stringify(lost.body), /script|alert/i);
  });

  test('user tokens and forged keys on the server-to-server endpoints → 401 invalid_api_key', async () => {
    const before = await dumpStore(h.store);
    const userToken = jwt(
      { alg: 'HS256' },
      { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 },
    );
    for (const endpoint of API_KEY_ENDPOINTS) {
      for (const token of [
        userToken,
        `${API_KEY}x`,
        API_KEY.slice(0, -1),
        API_KEY.toUpperCase(),
        SECRET,
        null,
      ]) {
        const res = await h.api(endpoint.method, endpoint.path, { token, body: endpoint.body });
        assert.equal(res.status, 401, `${endpoint.path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'invalid_api_key');
      }
    }
    assert.equal(await dumpStore(h.store), before);
  });
});
