/**
 * `npm start`: the whole kit on one machine (README.md, the first two commands).
 *
 * Without Stripe keys: the Stripe emulator on STRIPE_EMULATOR_PORT (12111), its state in
 * `$BILLING_DATA_DIR/stripe-emulator`, delivering signed webhooks to the billing server, which
 * listens on PORT (8787) with `$BILLING_DATA_DIR/billing.db` (or BILLING_DB_URL) and serves the demo page at `/` and
 * `/demo/token`. Everything survives a restart, including the dev JWT secret and API key, which
 * are kept in `$BILLING_DATA_DIR/dev-secrets.json` so tokens and host backends keep working.
 *
 * With STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET: real Stripe, no emulator, no demo routes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../server/src/config.ts';
import { describeStoreUrl } from '../server/src/store/open-store.ts';
import { createEmulator } from '../stripe-emulator/src/index.ts';

const started = performance.now();
const env = process.env;
const realStripe = Boolean(env.STRIPE_SECRET_KEY?.trim() || env.STRIPE_WEBHOOK_SECRET?.trim());

if (!realStripe) {
  const dataDir = env.BILLING_DATA_DIR?.trim() || '.data';
  mkdirSync(dataDir, { recursive: true });
  Object.assign(env, devSecrets(join(dataDir, 'dev-secrets.json')));
}

// Checked before anything listens, so a bad setting stops the start with its one-line reason.
const loaded = loadConfig(env);
if ('errors' in loaded) {
  for (const line of loaded.errors) console.error(`config: ${line}`);
  process.exit(1);
}
const { config } = loaded;

// A taken port would otherwise surface as an unhandled 'error' event with a stack trace.
const ports: Array<[number, string, string]> = [[config.port, config.host, 'PORT']];
const emulatorPort = Number(new URL(config.stripeApiBase ?? 'http://127.0.0.1:12111').port);
if (config.emulatorMode) ports.push([emulatorPort, '127.0.0.1', 'STRIPE_EMULATOR_PORT']);
for (const [port, host, variable] of ports) {
  if (!(await portIsFree(port, host))) {
    console.error(
      `Port ${port} on ${host} is already in use (another npm start?); set ${variable} to a free port.`,
    );
    process.exit(1);
  }
}

if (config.emulatorMode) {
  const serverHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const emu = createEmulator({
    dataDir: join(config.dataDir, 'stripe-emulator'),
    // The emulator delivers to the server's own address, not the public URL (which may be a proxy).
    webhooks: [
      { url: `http://${serverHost}:${config.port}/api/billing/webhook`, secret: config.stripeWebhookSecret },
    ],
  });
  await emu.listen(emulatorPort, '127.0.0.1');
  // The server's own SIGINT handler exits the process; the emulator's state is saved first.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.prependListener(signal, () => emu.store.flush());
  process.on('exit', () => emu.store.flush());
}

await import('../server/src/main.ts');
await waitUntilReady(`http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/readyz`);

const ms = Math.round(performance.now() - started);
if (config.emulatorMode) {
  console.log(
    [
      '',
      `Billing kit ready in ${ms} ms (Stripe emulator at ${config.stripeApiBase}).`,
      `  Demo page:   ${config.publicUrl}/   (test card 4242 4242 4242 4242)`,
      `  Billing API: ${config.publicUrl}/api/billing   (user tokens from ${config.publicUrl}/demo/token?user=NAME)`,
      `  Data:        ${describeStoreUrl(config.dbUrl)} and ${config.dataDir}/stripe-emulator`,
      '',
    ].join('\n'),
  );
} else {
  console.log(
    `Billing server ready in ${ms} ms at ${config.publicUrl}/api/billing, using real Stripe; data in ${describeStoreUrl(config.dbUrl)}.`,
  );
}

/** The dev JWT secret and API key, generated once and kept in the data dir. */
function devSecrets(file: string): Record<string, string> {
  let saved: Record<string, string> = {};
  if (existsSync(file)) saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const secrets = {
    BILLING_JWT_SECRET:
      env.BILLING_JWT_SECRET || saved.BILLING_JWT_SECRET || randomBytes(32).toString('base64url'),
    BILLING_API_KEY:
      env.BILLING_API_KEY || saved.BILLING_API_KEY || `bk_dev_${randomBytes(24).toString('base64url')}`,
  };
  if (!env.BILLING_JWT_SECRET && !env.BILLING_API_KEY) {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the billing server did not become ready at ${url}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
