import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMULATOR_SECRET_KEY, EMULATOR_WEBHOOK_SECRET, loadConfig } from './config.ts';

function ok(env: Record<string, string>) {
  const result = loadConfig(env);
  if ('errors' in result) assert.fail(`unexpected errors: ${result.errors.join('; ')}`);
  return result.config;
}

function errors(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  assert.ok('errors' in result, 'expected the configuration to be refused');
  return result.errors;
}

describe('loadConfig', () => {
  test('no environment at all: emulator mode with the documented defaults', () => {
    const config = ok({});
    assert.equal(config.port, 8787);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicUrl, 'http://127.0.0.1:8787');
    assert.equal(config.dbUrl, 'file:.data/billing.db');
    assert.equal(config.emulatorMode, true);
    assert.equal(config.stripeSecretKey, EMULATOR_SECRET_KEY);
    assert.equal(config.stripeWebhookSecret, EMULATOR_WEBHOOK_SECRET);
    assert.equal(config.stripeApiBase, 'http://127.0.0.1:12111');
    assert.equal(config.billingEnabled, true);
    assert.equal(config.currency, 'usd');
    assert.equal(config.topupMinCents, 500);
    assert.equal(config.topupMaxCents, 100_000);
    assert.equal(config.welcomeCreditCents, 5000);
    assert.deepEqual(config.plans, [
      { id: 'pro', name: 'Pro', amountCents: 2000, interval: 'month', includedCreditCents: 1000 },
    ]);
    assert.deepEqual(config.allowedOrigins, ['http://127.0.0.1:8787', 'http://localhost:8787']);
    assert.ok(config.jwtSecret.length >= 32, 'a dev JWT secret is generated');
    assert.ok(config.apiKey.length >= 24, 'a dev API key is generated');
  });

  test('every variable is read and normalised', () => {
    const config = ok({
      PORT: '9000',
      HOST: '0.0.0.0',
      BILLING_PUBLIC_URL: 'https://billing.example.com/',
      BILLING_DATA_DIR: '/var/lib/billing',
      BILLING_DB_URL: 'libsql://db.example.turso.io',
      BILLING_DB_AUTH_TOKEN: 'db-token',
      STRIPE_SECRET_KEY: 'sk_live_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_PUBLISHABLE_KEY: 'pk_live_abc',
      BILLING_ENABLED: 'false',
      BILLING_CURRENCY: 'EUR',
      BILLING_TOPUP_MIN: '10',
      BILLING_TOPUP_MAX: '250.50',
      BILLING_WELCOME_CREDIT: '0',
      BILLING_PLANS: JSON.stringify([
        { id: 'team', name: 'Team', amount: '49.99', interval: 'month', stripe_price: 'price_123' },
      ]),
      BILLING_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      BILLING_JWT_ISSUER: 'https://id.example.com/',
      BILLING_JWT_AUDIENCE: 'billing',
      BILLING_API_KEY: 'a-very-long-server-to-server-key',
      BILLING_ALLOWED_ORIGINS: 'https://app.example.com, https://www.example.com/path',
      BILLING_RATE_LIMIT_PER_MINUTE: '30',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'https://billing.example.com');
    assert.equal(config.dbUrl, 'libsql://db.example.turso.io');
    assert.equal(config.dbAuthToken, 'db-token');
    assert.equal(config.emulatorMode, false);
    assert.equal(config.stripeApiBase, undefined);
    assert.equal(config.billingEnabled, false);
    assert.equal(config.currency, 'eur');
    assert.equal(config.topupMinCents, 1000);
    assert.equal(config.topupMaxCents, 25_050);
    assert.equal(config.welcomeCreditCents, 0);
    assert.deepEqual(config.plans, [
      {
        id: 'team',
        name: 'Team',
        amountCents: 4999,
        interval: 'month',
        stripePrice: 'price_123',
        includedCreditCents: 0,
      },
    ]);
    assert.equal(config.jwksUrl, 'https://id.example.com/.well-known/jwks.json');
    assert.deepEqual(config.allowedOrigins, ['https://app.example.com', 'https://www.example.com']);
    assert.equal(config.rateLimitPerMinute, 30);
  });

  test('the data dir moves the default database; STRIPE_EMULATOR_PORT moves the emulator', () => {
    const config = ok({ BILLING_DATA_DIR: '/tmp/x', STRIPE_EMULATOR_PORT: '13000' });
    assert.equal(config.dbUrl, 'file:/tmp/x/billing.db');
    assert.equal(config.stripeApiBase, 'http://127.0.0.1:13000');
  });

  test('each bad variable is one line naming it, all reported at once', () => {
    const lines = errors({
      PORT: 'eighty',
      BILLING_PUBLIC_URL: 'not a url',
      STRIPE_SECRET_KEY: 'pk_test_wrong_kind',
      BILLING_ENABLED: 'maybe',
      BILLING_CURRENCY: 'dollars',
      BILLING_TOPUP_MIN: '-5',
      BILLING_JWT_SECRET: 'short',
    });
    const named = lines.map((l) => l.split(':')[0]);
    // A Stripe key (even a malformed one) means real Stripe, which needs the others too.
    assert.deepEqual(named.sort(), [
      'BILLING_API_KEY',
      'BILLING_CURRENCY',
      'BILLING_ENABLED',
      'BILLING_JWT_SECRET',
      'BILLING_PUBLIC_URL',
      'BILLING_TOPUP_MIN',
      'PORT',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
    for (const line of lines) assert.doesNotMatch(line, /\n/);
  });

  test('real Stripe needs both keys, an API key and a way to verify tokens', () => {
    const lines = errors({ STRIPE_SECRET_KEY: 'sk_test_abc' });
    assert.ok(lines.some((l) => l.startsWith('STRIPE_WEBHOOK_SECRET:')));
    assert.ok(lines.some((l) => l.startsWith('BILLING_API_KEY:')));
    assert.ok(lines.some((l) => l.startsWith('BILLING_JWT_SECRET:')));
    assert.ok(errors({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).some((l) => l.startsWith('STRIPE_SECRET_KEY:')));
  });

  test('BILLING_RECONCILE_INTERVAL_S: 600 by default, 0 turns the timer off, anything else whole seconds up to a week', () => {
    assert.equal(ok({}).reconcileIntervalSeconds, 600);
    assert.equal(ok({ BILLING_RECONCILE_INTERVAL_S: '0' }).reconcileIntervalSeconds, 0);
    assert.equal(ok({ BILLING_RECONCILE_INTERVAL_S: '60' }).reconcileIntervalSeconds, 60);
    for (const bad of ['-1', '1.5', 'often', '604801']) {
      const [line] = errors({ BILLING_RECONCILE_INTERVAL_S: bad });
      assert.match(line!, /^BILLING_RECONCILE_INTERVAL_S: /, bad);
    }
  });

  test('top-up bounds must make sense', () => {
    assert.ok(
      errors({ BILLING_TOPUP_MIN: '100', BILLING_TOPUP_MAX: '10' }).some((l) =>
        l.startsWith('BILLING_TOPUP_MIN:'),
      ),
    );
    assert.ok(errors({ BILLING_TOPUP_MIN: '0.10' }).some((l) => l.startsWith('BILLING_TOPUP_MIN:')));
    assert.ok(errors({ BILLING_TOPUP_MAX: '0' }).some((l) => l.startsWith('BILLING_TOPUP_MAX:')));
    assert.ok(errors({ BILLING_TOPUP_MAX: '1.234' }).some((l) => l.startsWith('BILLING_TOPUP_MAX:')));
  });

  test('currencies without cents are refused (amounts are counted in hundredths)', () => {
    assert.ok(errors({ BILLING_CURRENCY: 'jpy' }).some((l) => l.startsWith('BILLING_CURRENCY:')));
  });

  test('plans: JSON list, monthly, unique ids, amounts with at most two decimals', () => {
    for (const plans of [
      'not json',
      '[]',
      '{"id":"pro"}',
      JSON.stringify([{ id: 'pro', name: 'Pro', amount: 20, interval: 'year' }]),
      JSON.stringify([{ id: 'pro', name: 'Pro', amount: '20.001', interval: 'month' }]),
      JSON.stringify([{ id: 'pro', name: 'Pro', amount: -1, interval: 'month' }]),
      JSON.stringify([{ id: 'Pro Plan', name: 'Pro', amount: 20, interval: 'month' }]),
      JSON.stringify([{ id: 'pro', name: 'Pro', amount: 20, interval: 'month', extra: true }]),
      JSON.stringify([
        { id: 'pro', name: 'Pro', amount: 20, interval: 'month' },
        { id: 'pro', name: 'Pro 2', amount: 30, interval: 'month' },
      ]),
    ]) {
      const lines = errors({ BILLING_PLANS: plans });
      assert.ok(
        lines.every((l) => l.startsWith('BILLING_PLANS:')),
        `${plans} → ${lines.join(' | ')}`,
      );
    }
  });

  test('allowed origins must be http(s) origins', () => {
    const lines = errors({ BILLING_ALLOWED_ORIGINS: 'https://ok.example.com,javascript:alert(1),nonsense' });
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.startsWith('BILLING_ALLOWED_ORIGINS:')));
  });
});
