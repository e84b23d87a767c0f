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

  it('retries a read that meets 503 with Retry-After: 1, after waiting that second', async () => {
    const api = new FakeBillingApi();
    let calls = 0;
    api.on('get', 'credits', () =>
      ++calls === 1
        ? Response.json(
            { error: { code: 'busy', message: 'Busy.' } },
            { status: 503, headers: { 'retry-after': '1' } },
          )
        : { credits: '1.00' },
    );
    const client = new BillingClient(api.apiBase, 't');
    const started = performance.now();
    expect(await client.credits()).to.deep.equal({ credits: '1.00' });
    expect(performance.now() - started).to.be.greaterThan(950);
    expect(api.count('credits')).to.equal(2);
  });

  it('gives up on a read after two retries, with the last error', async () => {
    const api = new FakeBillingApi();
    api.on('get', 'summary', () => errorResponse(503, 'store_unavailable', 'Down.'));
    const error = (await new BillingClient(api.apiBase, 't').summary().catch((e) => e)) as BillingApiError;
    expect([error.status, error.code]).to.deep.equal([503, 'store_unavailable']);
    expect(api.count('summary')).to.equal(3);
  });

  it('never retries a POST without an idempotency key', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'create-checkout-session', () =>
      Response.json(
        { error: { code: 'busy', message: 'Busy.' } },
        { status: 503, headers: { 'retry-after': '1' } },
      ),
    );
    api.on('post', 'has-payment-method', () => Promise.reject(new TypeError('Failed to fetch')));
    const client = new BillingClient(api.apiBase, 't');
    const refused = (await client
      .createCheckoutSession(10, location.href)
      .catch((e) => e)) as BillingApiError;
    expect([refused.status, refused.code]).to.deep.equal([503, 'busy']);
    const offline = (await client.hasPaymentMethod().catch((e) => e)) as BillingApiError;
    expect([offline.status, offline.code]).to.deep.equal([0, 'network_error']);
    expect(api.count('create-checkout-session')).to.equal(1);
    expect(api.count('has-payment-method')).to.equal(1);
  });

  it('retries a POST that carries an idempotency key, with the same key and body', async () => {
    const api = new FakeBillingApi();
    const keys: (string | null)[] = [];
    api.on('post', 'top-up-again', (request) => {
      keys.push(JSON.stringify(request.body));
      return keys.length === 1 ? errorResponse(502, 'stripe_error', 'Later.') : { ok: true };
    });
    const client = new BillingClient(api.apiBase, 't');
    const answer = await client.call('top-up-again', { amount: 5 }, 'k-1');
    expect(answer).to.deep.equal({ ok: true });
    expect(keys).to.deep.equal(['{"amount":5}', '{"amount":5}']);
    expect(api.requests.map((r) => r.idempotencyKey)).to.deep.equal(['k-1', 'k-1']);
  });

  it('refreshes the token once on a 401 to a POST, which is then sent again once', async () => {
    const api = new FakeBillingApi();
    api.on('post', 'cancel-subscription', (request) =>
      request.authorization === 'Bearer fresh-1'
        ? { status: 'success', message: 'Cancelled.' }
        : errorResponse(401, 'token_expired', 'Expired.'),
    );
    let issued = 0;
    const client = new BillingClient(api.apiBase, 'stale', () => `fresh-${++issued}`);
    expect((await client.cancelSubscription()).status).to.equal('success');
    expect(api.requests.map((r) => r.authorization)).to.deep.equal(['Bearer stale', 'Bearer fresh-1']);
    expect(issued).to.equal(1);
  });
});
