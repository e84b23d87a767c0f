import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { errorHandler } from '../http/error-handler.ts';
import { silentLogger } from '../logger.ts';
import { WidgetBundle, widgetBundleRoutes } from './widget-bundle.ts';

/** The route on an app with the billing server's error handler, serving a bundle file in a temp dir. */
function bundleApp() {
  const dir = mkdtempSync(join(tmpdir(), 'billing-bundle-'));
  const path = join(dir, 'billing-widgets.js');
  const bundle = new WidgetBundle(path);
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  app.route('/', widgetBundleRoutes(bundle));
  return { app, path, bundle, close: () => rmSync(dir, { recursive: true, force: true }) };
}

const SOURCE = `customElements.define('billing-balance', class extends HTMLElement {});\n`.repeat(50);

test('serves the bundle as JavaScript with an ETag, and 304 when the ETag still matches', async () => {
  const { app, path, close } = bundleApp();
  try {
    writeFileSync(path, SOURCE);
    const res = await app.request('/widgets.js');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('content-encoding'), null);
    assert.equal(await res.text(), SOURCE);
    const etag = res.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=3600, stale-while-revalidate=86400');

    const again = await app.request('/widgets.js', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('etag'), etag);

    const stale = await app.request('/widgets.js', { headers: { 'if-none-match': '"0000000000000000"' } });
    assert.equal(stale.status, 200);
  } finally {
    close();
  }
});

test('gzips for browsers that accept it, under an ETag of its own', async () => {
  const { app, path, close } = bundleApp();
  try {
    writeFileSync(path, SOURCE);
    const res = await app.request('/widgets.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('vary'), 'Accept-Encoding');
    assert.match(res.headers.get('etag')!, /^"[0-9a-f]{16}-gzip"$/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.length < SOURCE.length / 4, `gzipped ${body.length} bytes`);
    assert.equal(gunzipSync(body).toString(), SOURCE);
  } finally {
    close();
  }
});

test('a URL versioned with the content hash is cached for a year; another version is not', async () => {
  const { app, path, bundle, close } = bundleApp();
  try {
    writeFileSync(path, SOURCE);
    const version = bundle.current()!.version;
    const pinned = await app.request(`/widgets.js?v=${version}`);
    assert.equal(pinned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const other = await app.request('/widgets.js?v=0123456789abcdef');
    assert.equal(other.headers.get('cache-control'), 'public, max-age=3600, stale-while-revalidate=86400');
  } finally {
    close();
  }
});

test('a rebuilt bundle is served at once, with a new ETag', async () => {
  const { app, path, close } = bundleApp();
  try {
    writeFileSync(path, SOURCE);
    const first = await app.request('/widgets.js');
    const firstTag = first.headers.get('etag');
    writeFileSync(path, `${SOURCE}// rebuilt\n`);
    // Some file systems keep whole-second times; a distinct mtime makes the change certain.
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const second = await app.request('/widgets.js', { headers: { 'if-none-match': firstTag! } });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.get('etag'), firstTag);
    assert.match(await second.text(), /rebuilt/);
  } finally {
    close();
  }
});

test('without a build it answers 503 saying how to build it', async () => {
  const { app, close } = bundleApp();
  try {
    const res = await app.request('/widgets.js');
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'widgets_not_built');
    assert.match(body.error.message, /vite build --mode script-tag/);
  } finally {
    close();
  }
});

test('serves the side chunks beside the bundle: /widgets-on-page.js and /widgets-zh-cn.js', async () => {
  const { app, path, close } = bundleApp();
  try {
    writeFileSync(path, SOURCE);
    assert.equal((await app.request('/widgets-on-page.js')).status, 503);
    writeFileSync(path.replace(/\.js$/, '-on-page.js'), 'export const onPage = 1;\n');
    writeFileSync(path.replace(/\.js$/, '-zh-cn.js'), 'export const zhCN = {};\n');
    const onPage = await app.request('/widgets-on-page.js');
    assert.equal(onPage.status, 200);
    assert.equal(onPage.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(onPage.headers.get('access-control-allow-origin'), '*');
    assert.equal(await onPage.text(), 'export const onPage = 1;\n');
    assert.equal(await (await app.request('/widgets-zh-cn.js')).text(), 'export const zhCN = {};\n');
    assert.equal(await (await app.request('/widgets.js')).text(), SOURCE);
    assert.equal((await app.request('/widgets-other.js')).status, 404);
  } finally {
    close();
  }
});
