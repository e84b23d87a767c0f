import { expect } from '@open-wc/testing';
import { errorResponse, FakeBillingApi } from '../testing/fake-billing-api.js';
import { BillingApiError } from './billing-api-error.js';
import { apiRoot, BillingClient } from './billing-client.js';
import type { SubscriptionAccess } from './types.js';

describe('BillingClient', () => {
  it('accepts the server root or the API root as api-base', () => {
    expect(apiRoot('https://b.test')).to.equal('https://b.test/api/billing');
    expect(apiRoot('https://b.test/')).to.equal('https://b.test/api/billing');
    expect(apiRoot('https://b.test/api/billing/')).to.equal('https://b.test/api/billing');
    expect(apiRoot('')).to.equal('/api/billing');
  });

  it('asks the token provider for a token, and once more after a 401', async () => {
    const api = new FakeBillingApi();
    let issued = 0;
    api.on('get', 'summary', (request) =>
      request.authorization === 'Bearer fresh-2'
        ? { ok: true }
        : errorResponse(401, 'token_expired', 'Expired.'),
    );
    const client = new BillingClient(api.apiBase, undefined, async () => `fresh-${++issued}`);
    expect(await client.summary()).to.deep.equal({ ok: true });
    expect(issued).to.equal(2);
    expect(api.requests.map((r) => r.authorization)).to.deep.equal(['Bearer fresh-1', 'Bearer fresh-2']);
    await client.summary();
    expect(issued).to.equal(2);
  });

  it('gives up after one refresh, with the server error', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(401, 'unauthorized', 'No.'));
    let issued = 0;
    const client = new BillingClient(api.apiBase, 'stale', () => `fresh-${++issued}`);
    const error = await client.summary().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BillingApiError);
    expect((error as BillingApiError).status).to.equal(401);
    expect((error as BillingApiError).code).to.equal('unauthorized');
    expect(issued).to.equal(1);
    expect(api.count('summary')).to.equal(2);
  });

  it('keeps the error field and falls back for answers without the envelope', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () =>
      errorResponse(400, 'amount_too_small', 'Too small.', 'amount'),
    );
    api.on(
      'get',
      'summary',
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const client = new BillingClient(api.apiBase, 't');
    const refused = (await client
      .createCheckoutSession(1, 'https://host.test/')
      .catch((e) => e)) as BillingApiError;
    expect([refused.status, refused.code, refused.field]).to.deep.equal([400, 'amount_too_small', 'amount']);
    const bad = (await client.summary().catch((e) => e)) as BillingApiError;
    expect([bad.status, bad.code, bad.message]).to.deep.equal([502, 'http_502', 'Bad Gateway']);
  });

  it('pages transactions with an encoded cursor', async () => {
    const api = new FakeBillingApi();
    const client = new BillingClient(api.apiBase, 't');
    await client.transactions(5, 'a+b/c');
    expect(api.requests[0].query.get('limit')).to.equal('5');
    expect(api.requests[0].query.get('cursor')).to.equal('a+b/c');
  });

  it('reads the balance alone, the subscription access and whether a card is saved', async () => {
    const api = new FakeBillingApi();
    const access: SubscriptionAccess = {
      start_at: '2026-03-01T00:00:00.000Z',
      end_at: '2026-04-01T00:00:00.000Z',
      created_at: '2026-03-01T00:00:00.000Z',
      cancelled_at: null,
      stripe_subscription_id: 'sub_1',
    };
    api.on('get', 'credits', () => ({ credits: '12.50' }));
    api.on('get', 'subscription-access', () => access);
    api.on('post', 'has-payment-method', () => true);
    const client = new BillingClient(api.apiBase, 't');
    expect(await client.credits()).to.deep.equal({ credits: '12.50' });
    expect(await client.subscriptionAccess()).to.deep.equal(access);
    expect(await client.hasPaymentMethod()).to.equal(true);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      'GET credits',
      'GET subscription-access',
      'POST has-payment-method',
    ]);
    expect(api.requests.every((r) => r.authorization === 'Bearer t')).to.equal(true);

    api.on('get', 'credits', () => ({ credits: null }));
    api.on('get', 'subscription-access', () => null);
    api.on('post', 'has-payment-method', () => false);
    expect(await client.credits()).to.deep.equal({ credits: null });
    expect(await client.subscriptionAccess()).to.equal(null);
    expect(await client.hasPaymentMethod()).to.equal(false);
  });

  it("keeps the failed answer's X-Request-Id, so a host can find the request in the server's log", async () => {
    const api = new FakeBillingApi();
    api.on('post', 'has-payment-method', () => errorResponse(502, 'stripe_error', 'Stripe did not answer.'));
    const client = new BillingClient(api.apiBase, 't');
    const error = (await client.hasPaymentMethod().catch((e) => e)) as BillingApiError;
    expect([error.status, error.code, error.message]).to.deep.equal([
      502,
      'stripe_error',
      'Stripe did not answer.',
    ]);
    expect(error.requestId).to.equal(api.requests[0].requestId);
  });
});
