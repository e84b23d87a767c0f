import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Random bytes drawn in blocks: one system call per few hundred ids instead of one per id.
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** Random base62 text, the shape of Stripe's ids after the prefix. */
export function randomToken(length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(Math.max(8192, length));
    poolOffset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[pool[poolOffset + i]! % alphabet.length];
  poolOffset += length;
  return out;
}

/** A new id such as `cus_Q3x…`; checkout sessions use Stripe's longer `cs_test_` form. */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(prefix === 'cs_test' ? 58 : 24)}`;
}

/** Which collection an id belongs to, by its prefix (longest prefix first). */
export const idPrefixes: ReadonlyArray<[string, string]> = [
  ['cs_test_', 'checkout_sessions'],
  ['cus_', 'customers'],
  ['prod_', 'products'],
  ['price_', 'prices'],
  ['pm_', 'payment_methods'],
  ['seti_', 'setup_intents'],
  ['pi_', 'payment_intents'],
  ['ch_', 'charges'],
  ['re_', 'refunds'],
  ['du_', 'disputes'],
  ['sub_', 'subscriptions'],
  ['si_', 'subscription_items'],
  ['inpay_', 'invoice_payments'],
  ['in_', 'invoices'],
  ['evt_', 'events'],
  ['we_', 'webhook_endpoints'],
  ['clock_', 'test_clocks'],
  ['bps_', 'billing_portal_sessions'],
];

export function collectionForId(id: string): string | undefined {
  return idPrefixes.find(([prefix]) => id.startsWith(prefix))?.[1];
}
