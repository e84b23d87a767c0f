import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApp, type TestApp } from '../testing.ts';

describe('the API contract: /api/billing/openapi.json and the reference page', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: the document is read field by field
  const documentOf = async (): Promise<any> => (await t.call('GET', '/api/billing/openapi.json')).body;

  test('is a valid OpenAPI 3.1 document', async () => {
    const document = await documentOf();
    assert.equal(document.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.deepEqual(result.errors ?? [], [], 'the validator found no error');
    assert.equal(result.valid, true);
  });

  test('lists every /api/billing route the app serves, and each with its error answers', async () => {
    const document = await documentOf();
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = new Set<string>();
    for (const route of t.app.routes) {
      if (route.method === 'ALL' || !route.path.startsWith('/api/billing/')) continue;
      if (/\/(openapi\.json|reference)(\/|$)/.test(route.path)) continue;
      served.add(`${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
    assert.deepEqual([...served].sort(), [...documented].sort());
    const answers = (method: string, path: string) =>
      Object.keys(document.paths[path][method].responses).map(Number);
    assert.deepEqual(
      answers('post', '/api/billing/create-checkout-session').sort(),
      [200, 400, 401, 403, 413, 415, 429, 502, 503],
    );
    assert.ok(answers('post', '/api/billing/usage').includes(402));
    assert.ok(answers('post', '/api/billing/subscription-checkout-session').includes(409));
    assert.ok(answers('get', '/api/billing/success').includes(302));
    for (const path of Object.keys(document.paths)) {
      for (const [method, operation] of Object.entries(
        document.paths[path] as Record<string, { responses: object }>,
      )) {
        assert.ok(Object.keys(operation.responses).length >= 1, `${method} ${path} has answers`);
      }
    }
  });

  test('a request the schema refuses never reaches a handler: {"amount":"25"} is a 400 naming amount', async () => {
    const before = await t.snapshot();
    const topUp = await t.call('POST', '/api/billing/create-checkout-session', {
      token: t.token('u1'),
      body: { amount: '25' },
    });
    assert.equal(topUp.status, 400);
    assert.equal(topUp.body.error.code, 'invalid_amount');
    assert.equal(topUp.body.error.field, 'amount');
    const usage = await t.call('POST', '/api/billing/usage', {
      apiKey: true,
      body: { user_id: 'u1', amount: '25', idempotency_key: 'k1' },
    });
    assert.equal(usage.status, 400);
    assert.equal(usage.body.error.field, 'amount');
    assert.equal(await t.snapshot(), before);
  });

  test('the reference page renders the document with assets from this server, no CDN', async () => {
    const page = await t.call('GET', '/api/billing/reference');
    assert.equal(page.status, 200);
    const html = String(page.body);
    assert.match(html, /"openapi\.json"/);
    // Relative to the page, so a host mounting the app under /billing gets a working page too.
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.match(
        src[1]!,
        /^(reference\/|data:)/,
        `${src[1]} is served by this server, relative to the page`,
      );
    }
    const script = await t.call('GET', '/api/billing/reference/swagger-ui-bundle.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const css = await t.call('GET', '/api/billing/reference/swagger-ui.css');
    assert.equal(css.status, 200);
  });
});
