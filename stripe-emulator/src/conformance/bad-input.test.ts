import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { idPrefixes } from '../ids.ts';
import { type RunningEmulator, startEmulator } from '../testing.ts';

/**
 * One piece of bad input: `route` names the registered route it targets (cases for routes that do
 * not exist yet are left out and listed), `path` may hold `{placeholders}` of objects made up front.
 */
interface BadInput {
  route: string;
  path?: string;
  /** Form text for POST, query text for GET. */
  params: string;
  status?: 400 | 404;
  /** The param the error must name; null when the whole body is at fault. */
  param: string | null;
}

const url = 'http%3A%2F%2F127.0.0.1%3A9%2Fhook';
const priceData =
  'line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][name]=Credits&line_items[0][quantity]=1';

const corpus: BadInput[] = [
  // customers
  { route: 'POST /v1/customers', params: 'email=not-an-email', param: 'email' },
  { route: 'POST /v1/customers', params: 'email[0]=a%40example.com', param: 'email' },
  { route: 'POST /v1/customers', params: 'name[first]=Ada', param: 'name' },
  { route: 'POST /v1/customers', params: 'metadata=5', param: 'metadata' },
  { route: 'POST /v1/customers', params: 'metadata[plan][tier]=pro', param: 'metadata[plan]' },
  { route: 'POST /v1/customers', params: 'invoice_settings=5', param: 'invoice_settings' },
  { route: 'POST /v1/customers', params: 'test_clock=clock_missing', param: 'test_clock' },
  { route: 'POST /v1/customers', params: 'payment_method=pm_missing', param: 'payment_method' },
  { route: 'POST /v1/customers', params: 'email=a%40example.com&expand[0]=nonsense', param: 'expand' },
  { route: 'POST /v1/customers', params: 'email=a%40example.com&expand[0][x]=y', param: 'expand[0]' },
  {
    route: 'POST /v1/customers/:id',
    path: '/v1/customers/{cus}',
    params: 'name=Changed&email=bad',
    param: 'email',
  },
  {
    route: 'POST /v1/customers/:id',
    path: '/v1/customers/{cus}',
    params: 'name=Changed&metadata=5',
    param: 'metadata',
  },
  {
    route: 'POST /v1/customers/:id',
    path: '/v1/customers/{cus}',
    params: 'name=Changed&invoice_settings[default_payment_method]=pm_missing',
    param: 'invoice_settings[default_payment_method]',
  },
  { route: 'GET /v1/customers', params: 'limit=abc', param: 'limit' },
  { route: 'GET /v1/customers', params: 'limit=0', param: 'limit' },
  { route: 'GET /v1/customers', params: 'limit=101', param: 'limit' },
  { route: 'GET /v1/customers', params: 'limit=1.5', param: 'limit' },
  { route: 'GET /v1/customers', params: 'starting_after=cus_missing', param: 'starting_after' },
  { route: 'GET /v1/customers', params: 'email[a]=b', param: 'email' },
  { route: 'GET /v1/customers', params: 'expand[0]=data.nonsense', param: 'expand' },
  { route: 'GET /v1/customers', params: 'expand[0]=data.a.b.c.d', param: 'expand' },
  { route: 'GET /v1/customers/search', params: '', param: 'query' },
  { route: 'GET /v1/customers/search', params: 'query=nonsense', param: 'query' },
  { route: 'GET /v1/customers/search', params: "query=email%3A'a'&page=-1", param: 'page' },
  { route: 'GET /v1/customers/search', params: "query=email%3A'a'&limit=500", param: 'limit' },
  // events and webhook endpoints
  { route: 'GET /v1/events', params: 'type[a]=b', param: 'type' },
  { route: 'GET /v1/events', params: 'types[0][a]=b', param: 'types[0]' },
  { route: 'POST /v1/webhook_endpoints', params: 'enabled_events[0]=*', param: 'url' },
  { route: 'POST /v1/webhook_endpoints', params: 'url=not-a-url&enabled_events[0]=*', param: 'url' },
  { route: 'POST /v1/webhook_endpoints', params: `url=${url}`, param: 'enabled_events' },
  {
    route: 'POST /v1/webhook_endpoints',
    params: `url=${url}&enabled_events[0][a]=b`,
    param: 'enabled_events[0]',
  },
  {
    route: 'POST /v1/webhook_endpoints',
    params: `url=${url}&enabled_events[0]=*&metadata=5`,
    param: 'metadata',
  },
  {
    route: 'POST /v1/webhook_endpoints/:id',
    path: '/v1/webhook_endpoints/{we}',
    params: `url=${url}&disabled=maybe`,
    param: 'disabled',
  },
  // products and prices
  { route: 'POST /v1/products', params: 'description=x', param: 'name' },
  { route: 'POST /v1/products', params: 'name=Credits&active=maybe', param: 'active' },
  { route: 'POST /v1/products', params: 'name=Credits&metadata=5', param: 'metadata' },
  { route: 'POST /v1/prices', params: 'currency=usd&unit_amount=abc&product={prod}', param: 'unit_amount' },
  { route: 'POST /v1/prices', params: 'currency=dollars&unit_amount=100&product={prod}', param: 'currency' },
  {
    route: 'POST /v1/prices',
    params: 'currency=usd&unit_amount=100&product={prod}&recurring[interval]=fortnight',
    param: 'recurring[interval]',
  },
  {
    route: 'POST /v1/prices',
    params: 'currency=usd&unit_amount=100&product=prod_missing',
    param: 'product',
  },
  // payment methods and intents
  { route: 'POST /v1/payment_methods', params: 'type=card', param: 'card' },
  { route: 'POST /v1/payment_intents', params: 'currency=usd', param: 'amount' },
  { route: 'POST /v1/payment_intents', params: 'amount=abc&currency=usd', param: 'amount' },
  { route: 'POST /v1/payment_intents', params: 'amount=500', param: 'currency' },
  {
    route: 'POST /v1/payment_intents',
    params: 'amount=500&currency=usd&capture_method=later',
    param: 'capture_method',
  },
  {
    route: 'POST /v1/payment_intents',
    params: 'amount=500&currency=usd&customer=cus_missing',
    param: 'customer',
  },
  // subscriptions, invoices, test clocks
  { route: 'POST /v1/subscriptions', params: 'customer={cus}', param: 'items' },
  { route: 'POST /v1/subscriptions', params: 'items[0][price]={price}', param: 'customer' },
  {
    route: 'POST /v1/subscriptions',
    params: 'customer={cus}&items[0][price]=price_missing',
    param: 'items[0][price]',
  },
  { route: 'GET /v1/subscriptions', params: 'status=sleeping', param: 'status' },
  { route: 'GET /v1/invoices', params: 'status=sleeping', param: 'status' },
  { route: 'POST /v1/test_helpers/test_clocks', params: 'name=x', param: 'frozen_time' },
  { route: 'POST /v1/test_helpers/test_clocks', params: 'frozen_time=soon', param: 'frozen_time' },
  // checkout and the portal
  { route: 'POST /v1/checkout/sessions', params: `mode=bogus&${priceData}`, param: 'mode' },
  {
    route: 'POST /v1/checkout/sessions',
    params: `mode=payment&success_url=${url}&${priceData}&line_items[0][price_data][unit_amount]=abc`,
    param: 'line_items[0][price_data][unit_amount]',
  },
  {
    route: 'POST /v1/checkout/sessions',
    params: `mode=payment&success_url=${url}&line_items[0][price]={price_once}&line_items[0][quantity]=abc`,
    param: 'line_items[0][quantity]',
  },
  { route: 'POST /v1/billing_portal/sessions', params: '', param: 'customer' },
  {
    route: 'POST /v1/billing_portal/sessions',
    params: 'customer=cus_missing',
    param: 'customer',
  },
];

/** Garbage every POST route must refuse or shrug off, never answering 500. */
const garbage = [
  'metadata=5',
  'expand[0][a]=b',
  'amount=-1&currency=zzz',
  'customer[a]=b',
  'items=5',
  'line_items=5',
  'limit=abc',
  'a[b][c][d][e][f]=g',
  'mode[0]=payment',
  `${'x'.repeat(5000)}=1`,
];

describe('bad input answers 400 invalid_request_error naming the param, and changes nothing', () => {
  let run: RunningEmulator;
  const ids: Record<string, string> = {};
  let routes: Set<string>;

  /** Every stored collection and the time offset, serialised: equal before and after a refused call. */
  function snapshot(): string {
    const names = [...idPrefixes.map(([, name]) => name), '_idempotency', '_webhook_deliveries'];
    const state: Record<string, unknown> = { timeOffsetSeconds: run.emu.store.timeOffsetSeconds };
    for (const n of names) state[n] = [...run.emu.store.collection(n).values()];
    return JSON.stringify(state);
  }

  /** Names what changed between two snapshots, so a failure message stays readable. */
  function changed(before: string, after: string): string {
    const a = JSON.parse(before) as Record<string, unknown>;
    const b = JSON.parse(after) as Record<string, unknown>;
    return Object.keys(b)
      .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .join(', ');
  }

  function assertUnchanged(before: string, label: string): void {
    const after = snapshot();
    assert.ok(after === before, `${label} changed stored state: ${changed(before, after)}`);
  }

  function fill(text: string): string {
    return text.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? `${name}_missing000000`);
  }

  async function send(method: string, path: string, params: string) {
    const res = await fetch(`${run.url}${path}${method === 'GET' && params ? `?${params}` : ''}`, {
      method,
      headers: {
        authorization: 'Bearer sk_test_corpus',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: method === 'POST' ? params : undefined,
    });
    const text = await res.text();
    let body: { error?: { type: string; message: string; param?: string } };
    try {
      body = JSON.parse(text);
    } catch {
      assert.fail(`${method} ${path} answered non-JSON: ${text.slice(0, 200)}`);
    }
    return { status: res.status, body };
  }

  before(async () => {
    run = await startEmulator();
    routes = new Set(run.emu.app.routes.map((r) => `${r.method} ${r.path}`));
    const { stripe } = run;
    ids.cus = (await stripe.customers.create({ email: 'corpus@example.com', name: 'Original' })).id;
    // Disabled, so no delivery churns the state between snapshots.
    ids.we = (
      await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] })
    ).id;
    await stripe.webhookEndpoints.update(ids.we, { disabled: true });
    if (routes.has('POST /v1/products'))
      ids.prod = (await stripe.products.create({ name: 'Corpus plan' })).id;
    if (routes.has('POST /v1/prices') && ids.prod) {
      ids.price = (
        await stripe.prices.create({
          product: ids.prod,
          currency: 'usd',
          unit_amount: 1000,
          recurring: { interval: 'month' },
        })
      ).id;
      ids.price_once = (
        await stripe.prices.create({ product: ids.prod, currency: 'usd', unit_amount: 500 })
      ).id;
    }
    await run.emu.webhooks.drained();
  });
  after(() => run.close());

  test('the corpus: each case answers its status and param, and the store is unchanged', async () => {
    const checked: string[] = [];
    const absent = new Set<string>();
    for (const c of corpus) {
      if (!routes.has(c.route)) {
        absent.add(c.route);
        continue;
      }
      const [method, routePath] = c.route.split(' ') as [string, string];
      const path = fill(c.path ?? routePath);
      const label = `${c.route} ${c.params}`;
      const before = snapshot();
      const { status, body } = await send(method, path, fill(c.params));
      assert.equal(status, c.status ?? 400, `${label}: ${JSON.stringify(body)}`);
      assert.equal(body.error?.type, 'invalid_request_error', label);
      assert.ok(body.error?.message, label);
      if (c.param !== null) assert.equal(body.error?.param, c.param, `${label}: ${body.error?.message}`);
      assertUnchanged(before, label);
      checked.push(label);
    }
    assert.ok(checked.length >= 30, `only ${checked.length} cases ran`);
    console.log(
      `bad-input corpus: ${checked.length} cases passed; routes not present yet: ${[...absent].join(', ') || 'none'}`,
    );
    const original = (await run.stripe.customers.retrieve(ids.cus!)) as Stripe.Customer;
    assert.equal(original.name, 'Original');
  });

  test('a JSON or malformed body is refused on every POST route', async () => {
    const posts = [...routes].filter((r) => r.startsWith('POST /v1/'));
    for (const route of posts) {
      const path = fill(route.slice(5).replace(/:(\w+)/g, '{$1}'));
      for (const [contentType, text] of [
        ['application/json', '{"email":"a@example.com"}'],
        ['application/json', '[1,2,3]'],
        ['application/x-www-form-urlencoded', 'email=%zz'],
        ['application/x-www-form-urlencoded', 'name=%E0%A4%A'],
      ] as const) {
        const before = snapshot();
        const res = await fetch(`${run.url}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk_test_corpus', 'content-type': contentType },
          body: text,
        });
        const body = (await res.json()) as { error?: { type: string } };
        assert.equal(res.status, 400, `${route} with ${text}`);
        assert.equal(body.error?.type, 'invalid_request_error', `${route} with ${text}`);
        assertUnchanged(before, `${route} with ${text}`);
      }
    }
  });

  test('garbage on every route never answers 500, and a refusal changes nothing', async () => {
    const targets = [...routes].filter((r) => /^(GET|POST) \/v1\//.test(r));
    let refused = 0;
    for (const route of targets) {
      const [method, routePath] = route.split(' ') as [string, string];
      const path = fill(routePath.replace(/:(\w+)/g, '{$1}').replace('{id}', guessId(routePath)));
      for (const params of garbage) {
        const before = snapshot();
        const { status, body } = await send(method, fill(path), params);
        assert.ok(
          status < 500,
          `${route} ${params.slice(0, 40)} answered ${status}: ${JSON.stringify(body)}`,
        );
        if (status >= 400) {
          refused++;
          assert.ok(body.error?.message, `${route} ${params.slice(0, 40)} has no error body`);
          assertUnchanged(before, `${route} ${params.slice(0, 40)} (refused)`);
        }
      }
    }
    assert.ok(refused > 0);
  });

  test('the SDK surfaces bad input as StripeInvalidRequestError with the param', async () => {
    await assert.rejects(
      run.stripe.customers.list({ limit: 'abc' as unknown as number }),
      (err: unknown) => err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'limit',
    );
    await assert.rejects(
      run.stripe.customers.create({ metadata: 5 as unknown as Record<string, string> }),
      (err: unknown) => err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'metadata',
    );
  });

  /** The placeholder for a route's `:id`: the object made up front for that resource, if any. */
  function guessId(routePath: string): string {
    if (routePath.startsWith('/v1/customers/')) return '{cus}';
    if (routePath.startsWith('/v1/webhook_endpoints/')) return '{we}';
    if (routePath.startsWith('/v1/products/')) return '{prod}';
    if (routePath.startsWith('/v1/prices/')) return '{price}';
    return '{id}';
  }
});
