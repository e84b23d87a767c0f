import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Config, loadConfig } from '../config.ts';
import { ApiError } from '../errors.ts';
import { resolveReturnUrl, withOutcome } from './return-url.ts';

function config(origins: string): Config {
  const loaded = loadConfig({ BILLING_ALLOWED_ORIGINS: origins, BILLING_JWT_SECRET: 'x'.repeat(32) });
  if ('errors' in loaded) throw new Error(loaded.errors.join('; '));
  return loaded.config;
}

test('no return_url → the first allowed origin', () => {
  const c = config('https://app.example.com, https://other.example.com');
  assert.equal(resolveReturnUrl(c, undefined), 'https://app.example.com/');
  assert.equal(resolveReturnUrl(c, null), 'https://app.example.com/');
  assert.equal(resolveReturnUrl(c, ''), 'https://app.example.com/');
});

test('a URL on any allowed origin is kept, path and query included', () => {
  const c = config('https://app.example.com,http://localhost:5173');
  assert.equal(
    resolveReturnUrl(c, 'https://app.example.com/billing?tab=credits#top'),
    'https://app.example.com/billing?tab=credits#top',
  );
  assert.equal(resolveReturnUrl(c, 'http://localhost:5173/'), 'http://localhost:5173/');
});

test('other origins, schemes, ports and non-URLs are refused with field return_url', () => {
  const c = config('https://app.example.com');
  for (const bad of [
    'https://app.example.com.evil.test/',
    'http://app.example.com/', // another scheme is another origin
    'https://app.example.com:8443/',
    'https://user@evil.test/',
    'javascript:alert(1)',
    'data:text/html,hi',
    '/relative/path',
    '//evil.test/',
    'not a url',
    42,
    ['https://app.example.com/'],
    `https://app.example.com/${'a'.repeat(2100)}`,
  ]) {
    assert.throws(
      () => resolveReturnUrl(c, bad),
      (err: unknown) =>
        err instanceof ApiError &&
        err.status === 400 &&
        err.code === 'invalid_return_url' &&
        err.field === 'return_url',
      JSON.stringify(bad),
    );
  }
});

test('the outcome is added to the query, keeping what was there', () => {
  assert.equal(
    withOutcome('https://app.example.com/', 'checkout', 'success'),
    'https://app.example.com/?checkout=success',
  );
  assert.equal(
    withOutcome('https://app.example.com/b?tab=1#x', 'setup', 'success'),
    'https://app.example.com/b?tab=1&setup=success#x',
  );
  assert.equal(
    withOutcome('https://app.example.com/?checkout=success', 'checkout', 'cancel'),
    'https://app.example.com/?checkout=cancel',
  );
});
