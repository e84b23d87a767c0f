#!/usr/bin/env node
import { createEmulator } from './index.ts';

/**
 * `npm run emulator`: the local Stripe on STRIPE_EMULATOR_PORT (12111). With STRIPE_EMULATOR_DATA_DIR
 * its state survives restarts; STRIPE_EMULATOR_WEBHOOK_URL + STRIPE_EMULATOR_WEBHOOK_SECRET install
 * an endpoint that receives every event.
 */
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
const host = process.env.STRIPE_EMULATOR_HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`STRIPE_EMULATOR_PORT must be a port number, got '${process.env.STRIPE_EMULATOR_PORT}'`);
  process.exit(1);
}
const webhookUrl = process.env.STRIPE_EMULATOR_WEBHOOK_URL;
const webhookSecret = process.env.STRIPE_EMULATOR_WEBHOOK_SECRET ?? 'whsec_emulator_local_secret';
const emu = createEmulator({
  dataDir: process.env.STRIPE_EMULATOR_DATA_DIR || undefined,
  webhooks: webhookUrl ? [{ url: webhookUrl, secret: webhookSecret }] : [],
});
const url = await emu.listen(port, host);
console.log(
  `stripe-emulator listening on ${url}${webhookUrl ? `, delivering webhooks to ${webhookUrl}` : ''}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void emu.close().then(() => process.exit(0));
  });
}
