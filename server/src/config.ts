import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from './errors.ts';
import { parseAmount } from './money.ts';

/** A subscription plan offered by this deployment. */
export interface Plan {
  id: string;
  name: string;
  amountCents: number;
  interval: 'month';
  /** A Stripe price id; without it checkout uses `price_data` built from the amount. */
  stripePrice?: string;
  /** Credit granted once per paid invoice of this plan. */
  includedCreditCents: number;
}

/** The server's settings, validated from the environment (the table in README.md, "Configuration"). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  dbUrl: string;
  dbAuthToken?: string;
  stripeSecretKey: string;
  stripeWebhookSecret: string;
  /** e.g. `http://127.0.0.1:12111`; unset means api.stripe.com. */
  stripeApiBase?: string;
  stripePublishableKey: string;
  /**
   * True when no Stripe key was given: the local emulator stands in for Stripe and the demo routes
   * exist. Only ever on loopback: off it, a server without keys refuses to start.
   */
  emulatorMode: boolean;
  /**
   * Emulator mode only: the key `/demo/token` signs with, made fresh for each process and never
   * the configured `jwtSecret`, so a demo box can never mint tokens another server accepts.
   */
  demoTokenSecret?: string;
  billingEnabled: boolean;
  currency: string;
  topupMinCents: number;
  topupMaxCents: number;
  /** The largest monthly cap a user may set on auto-recharge (its amount is bounded like a top-up). */
  autoRechargeCapMaxCents: number;
  welcomeCreditCents: number;
  plans: Plan[];
  jwtSecret: string;
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  apiKey: string;
  /** CORS allow-list; also the only origins a `return_url` may point to. */
  allowedOrigins: string[];
  /** Widget mutations allowed per account per minute before 429. */
  rateLimitPerMinute: number;
  /** Visits of Stripe's return links (`/success`, `/cancel`) per client address per minute. */
  callbackRateLimitPerMinute: number;
  /** Behind a reverse proxy: the client address is the last `X-Forwarded-For` entry, not the socket's. */
  trustProxy: boolean;
  /**
   * Seconds between replays of Stripe's events list (billing/reconcile.ts); a process also replays
   * at start-up. 0: only on `POST /api/billing/reconcile`.
   */
  reconcileIntervalSeconds: number;
}

/** The emulator's fixed test credentials, used when no Stripe key is configured. */
export const EMULATOR_SECRET_KEY = 'sk_test_emulator';
export const EMULATOR_WEBHOOK_SECRET = 'whsec_emulator_local_secret';
export const EMULATOR_PUBLISHABLE_KEY = 'pk_test_emulator';
export const EMULATOR_DEFAULT_PORT = 12111;

// Checkout and the ledger count in hundredths; currencies without minor units would be off by 100×.
const ZERO_DECIMAL_CURRENCIES = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
const booleanFlag = z.preprocess(
  blankToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
);
const port = z.preprocess(
  blankToUndefined,
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .optional(),
);
const httpUrl = z.preprocess(
  blankToUndefined,
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
);
const majorAmount = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (v === '0') return 0;
      try {
        return parseAmount(v, 'value');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    }),
);

const planSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'id must be lowercase letters, digits, _ or -'),
    name: z.string().min(1).max(100),
    amount: z.union([z.number(), z.string()]),
    interval: z.literal('month', { error: 'interval must be "month"' }),
    stripe_price: z.string().startsWith('price_').optional(),
    included_credit: z.union([z.number(), z.string()]).optional(),
  })
  .strict();

const envSchema = z.object({
  PORT: port,
  HOST: optionalString,
  BILLING_PUBLIC_URL: httpUrl,
  BILLING_DATA_DIR: optionalString,
  BILLING_DB_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(
        /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/|:memory:)/,
        'must be a file:, libsql://, http(s):// URL',
      )
      .optional(),
  ),
  BILLING_DB_AUTH_TOKEN: optionalString,
  STRIPE_SECRET_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_…')
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^whsec_\S+$/, 'must look like whsec_…')
      .optional(),
  ),
  STRIPE_API_BASE: httpUrl,
  STRIPE_PUBLISHABLE_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^pk_(test|live)_\S+$/, 'must look like pk_test_… or pk_live_…')
      .optional(),
  ),
  STRIPE_EMULATOR_PORT: port,
  BILLING_ENABLED: booleanFlag,
  BILLING_CURRENCY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-zA-Z]{3}$/, 'must be a three-letter ISO currency code')
      .transform((v) => v.toLowerCase())
      .refine((v) => !ZERO_DECIMAL_CURRENCIES.has(v), 'must be a currency with two decimals (cents)')
      .optional(),
  ),
  BILLING_TOPUP_MIN: majorAmount,
  BILLING_TOPUP_MAX: majorAmount,
  BILLING_AUTO_RECHARGE_CAP_MAX: majorAmount,
  BILLING_WELCOME_CREDIT: majorAmount,
  BILLING_PLANS: optionalString,
  BILLING_JWT_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  BILLING_JWKS_URL: httpUrl,
  BILLING_JWT_ISSUER: optionalString,
  BILLING_JWT_AUDIENCE: optionalString,
  BILLING_API_KEY: z.preprocess(
    blankToUndefined,
    z.string().min(24, 'must be at least 24 characters').optional(),
  ),
  BILLING_ALLOWED_ORIGINS: optionalString,
  BILLING_RATE_LIMIT_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  ),
  BILLING_CALLBACK_RATE_LIMIT_PER_MINUTE: z.preprocess(
    blankToUndefined,
    z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
  ),
  BILLING_TRUST_PROXY: booleanFlag,
  BILLING_RECONCILE_INTERVAL_S: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 (off) or more')
      .max(7 * 86_400, 'must be at most 604800 (a week; Stripe keeps events for 30 days)')
      .optional(),
  ),
});

const DEFAULT_PLANS = [{ id: 'pro', name: 'Pro', amount: 20, interval: 'month', included_credit: 10 }];

/**
 * Reads and validates the configuration from `env`. Returns every problem at once, one line per
 * variable (`NAME: what is wrong`), so an operator can fix them in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv): { config: Config } | { errors: string[] } {
  const parsed = envSchema.safeParse(env);
  const errors: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`);

  // Checks across variables need only their presence, so they are reported alongside format errors.
  const present = (name: string) => typeof env[name] === 'string' && env[name].trim() !== '';
  const emulatorMode = !present('STRIPE_SECRET_KEY') && !present('STRIPE_WEBHOOK_SECRET');
  if (!emulatorMode && !present('STRIPE_SECRET_KEY')) {
    errors.push('STRIPE_SECRET_KEY: required when STRIPE_WEBHOOK_SECRET is set');
  }
  if (!emulatorMode && !present('STRIPE_WEBHOOK_SECRET')) {
    errors.push('STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set');
  }
  if (!emulatorMode && !present('BILLING_API_KEY')) {
    errors.push('BILLING_API_KEY: required with real Stripe keys (at least 24 characters)');
  }
  if (!emulatorMode && !present('BILLING_JWT_SECRET') && !present('BILLING_JWKS_URL')) {
    errors.push('BILLING_JWT_SECRET: required with real Stripe keys unless BILLING_JWKS_URL is set');
  }
  if (!parsed.success) return { errors };
  const e = parsed.data;

  const listenPort = e.PORT ?? 8787;
  const host = e.HOST ?? '127.0.0.1';
  const publicUrl = (e.BILLING_PUBLIC_URL ?? `http://127.0.0.1:${listenPort}`).replace(/\/+$/, '');
  // Without Stripe keys the emulator, its well-known webhook secret and /demo/token are on; that is
  // only safe where nobody else can reach the server.
  if (emulatorMode && !(isLoopbackHost(host) && isLoopbackHost(new URL(publicUrl).hostname))) {
    errors.push(
      `STRIPE_SECRET_KEY: required off loopback (HOST=${host}, BILLING_PUBLIC_URL=${publicUrl}); without Stripe keys the emulator and demo mode run only on 127.0.0.1`,
    );
  }
  const dataDir = e.BILLING_DATA_DIR ?? '.data';

  const topupMinCents = e.BILLING_TOPUP_MIN ?? 500;
  const topupMaxCents = e.BILLING_TOPUP_MAX ?? 100_000;
  if (topupMinCents === 0) errors.push('BILLING_TOPUP_MIN: must be greater than zero');
  if (topupMaxCents === 0) errors.push('BILLING_TOPUP_MAX: must be greater than zero');
  if (topupMinCents > topupMaxCents) {
    errors.push('BILLING_TOPUP_MIN: must not be larger than BILLING_TOPUP_MAX');
  }
  const autoRechargeCapMaxCents = e.BILLING_AUTO_RECHARGE_CAP_MAX ?? 200_000;
  if (autoRechargeCapMaxCents < topupMinCents) {
    errors.push('BILLING_AUTO_RECHARGE_CAP_MAX: must not be smaller than BILLING_TOPUP_MIN');
  }
  // Stripe refuses card charges under 0.50 in most currencies.
  if (topupMinCents > 0 && topupMinCents < 50) errors.push('BILLING_TOPUP_MIN: must be at least 0.50');

  const plans = parsePlans(e.BILLING_PLANS, errors);

  const allowedOrigins: string[] = [];
  if (e.BILLING_ALLOWED_ORIGINS === undefined) {
    const own = new URL(publicUrl);
    allowedOrigins.push(own.origin);
    // A page opened as localhost or as 127.0.0.1 is the same local demo; allow both spellings.
    const other = { '127.0.0.1': 'localhost', localhost: '127.0.0.1' }[own.hostname];
    if (other) allowedOrigins.push(`${own.protocol}//${other}${own.port ? `:${own.port}` : ''}`);
  } else {
    for (const raw of e.BILLING_ALLOWED_ORIGINS.split(',')) {
      const candidate = raw.trim();
      if (candidate === '') continue;
      const origin = originOf(candidate);
      if (origin === null) {
        errors.push(`BILLING_ALLOWED_ORIGINS: "${candidate}" is not an http(s) origin`);
      } else {
        allowedOrigins.push(origin);
      }
    }
    if (allowedOrigins.length === 0) errors.push('BILLING_ALLOWED_ORIGINS: must list at least one origin');
  }

  if (errors.length > 0) return { errors };

  return {
    config: {
      port: listenPort,
      host,
      publicUrl,
      dataDir,
      dbUrl: e.BILLING_DB_URL ?? `file:${dataDir}/billing.db`,
      dbAuthToken: e.BILLING_DB_AUTH_TOKEN,
      stripeSecretKey: e.STRIPE_SECRET_KEY ?? EMULATOR_SECRET_KEY,
      stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET ?? EMULATOR_WEBHOOK_SECRET,
      stripeApiBase:
        e.STRIPE_API_BASE?.replace(/\/+$/, '') ??
        (emulatorMode ? `http://127.0.0.1:${e.STRIPE_EMULATOR_PORT ?? EMULATOR_DEFAULT_PORT}` : undefined),
      stripePublishableKey: e.STRIPE_PUBLISHABLE_KEY ?? (emulatorMode ? EMULATOR_PUBLISHABLE_KEY : ''),
      emulatorMode,
      ...(emulatorMode ? { demoTokenSecret: randomBytes(32).toString('base64url') } : {}),
      billingEnabled: e.BILLING_ENABLED ?? true,
      currency: e.BILLING_CURRENCY ?? 'usd',
      topupMinCents,
      topupMaxCents,
      autoRechargeCapMaxCents,
      welcomeCreditCents: e.BILLING_WELCOME_CREDIT ?? (emulatorMode ? 5000 : 0),
      plans,
      // A generated secret is only for local runs: tokens from a previous process stop verifying.
      jwtSecret: e.BILLING_JWT_SECRET ?? randomBytes(32).toString('base64url'),
      jwksUrl: e.BILLING_JWKS_URL,
      jwtIssuer: e.BILLING_JWT_ISSUER,
      jwtAudience: e.BILLING_JWT_AUDIENCE,
      apiKey: e.BILLING_API_KEY ?? `bk_dev_${randomBytes(24).toString('base64url')}`,
      allowedOrigins,
      rateLimitPerMinute: e.BILLING_RATE_LIMIT_PER_MINUTE ?? 60,
      callbackRateLimitPerMinute: e.BILLING_CALLBACK_RATE_LIMIT_PER_MINUTE ?? 60,
      trustProxy: e.BILLING_TRUST_PROXY ?? false,
      reconcileIntervalSeconds: e.BILLING_RECONCILE_INTERVAL_S ?? 600,
    },
  };
}

function parsePlans(raw: string | undefined, errors: string[]): Plan[] {
  let input: unknown = DEFAULT_PLANS;
  if (raw !== undefined) {
    try {
      input = JSON.parse(raw);
    } catch {
      errors.push('BILLING_PLANS: must be a JSON list of {id, name, amount, interval, …}');
      return [];
    }
  }
  const list = z.array(planSchema).min(1, 'must list at least one plan').safeParse(input);
  if (!list.success) {
    for (const issue of list.error.issues) {
      const where = issue.path.length ? ` (${issue.path.join('.')})` : '';
      errors.push(`BILLING_PLANS: ${issue.message}${where}`);
    }
    return [];
  }
  const plans: Plan[] = [];
  const seen = new Set<string>();
  list.data.forEach((p, i) => {
    if (seen.has(p.id)) errors.push(`BILLING_PLANS: plan id "${p.id}" appears twice`);
    seen.add(p.id);
    try {
      const amountCents = parseAmount(
        typeof p.amount === 'number' ? p.amount : String(p.amount),
        `plans[${i}].amount`,
      );
      const includedCreditCents =
        p.included_credit === undefined || p.included_credit === 0 || p.included_credit === '0'
          ? 0
          : parseAmount(p.included_credit, `plans[${i}].included_credit`);
      plans.push({
        id: p.id,
        name: p.name,
        amountCents,
        interval: 'month',
        ...(p.stripe_price ? { stripePrice: p.stripe_price } : {}),
        includedCreditCents,
      });
    } catch (err) {
      errors.push(`BILLING_PLANS: ${err instanceof ApiError ? err.message : String(err)}`);
    }
  });
  return plans;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}
