/**
 * `npm start`: the whole kit on one machine. Until the billing server lands this runs the Stripe
 * emulator alone, keeping its state in BILLING_DATA_DIR (default `.data`).
 */
import { join } from 'node:path';
import { createEmulator } from '../stripe-emulator/src/index.ts';

const dataDir = process.env.BILLING_DATA_DIR ?? '.data';
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
const emu = createEmulator({ dataDir: join(dataDir, 'stripe-emulator') });
const url = await emu.listen(port);
console.log(`Stripe emulator on ${url} (state in ${dataDir}/stripe-emulator)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void emu.close().then(() => process.exit(0)));
}
