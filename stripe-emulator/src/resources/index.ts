import { registerBillingCycle } from '../billing-cycle.ts';
import type { Emulator } from '../emulator.ts';
import { registerBillingPortal } from './billing-portal.ts';
import { registerCharges } from './charges.ts';
import { registerCheckoutCompletion } from './checkout-completion.ts';
import { registerCheckoutSessions } from './checkout-sessions.ts';
import { registerCustomers } from './customers.ts';
import { registerDisputes } from './disputes.ts';
import { registerEvents } from './events.ts';
import { registerInvoices } from './invoices.ts';
import { registerPaymentIntents } from './payment-intents.ts';
import { registerPaymentMethods } from './payment-methods.ts';
import { registerPrices } from './prices.ts';
import { registerProducts } from './products.ts';
import { registerRefunds } from './refunds.ts';
import { registerSetupIntents } from './setup-intents.ts';
import { registerSubscriptions } from './subscriptions.ts';
import { registerTestClocks } from './test-clocks.ts';

/**
 * Every resource module, in the order their routes must be matched (specific paths before `:id`),
 * and the billing cycle, which sits above the subscriptions and invoices it drives. Time listeners
 * run in registration order: renewals before Checkout Session expiry.
 */
export function registerResources(emu: Emulator): void {
  registerCustomers(emu);
  registerEvents(emu);
  registerTestClocks(emu);
  registerSubscriptions(emu);
  registerBillingCycle(emu);
  registerInvoices(emu);
  registerBillingPortal(emu);
  registerProducts(emu);
  registerPrices(emu);
  registerPaymentMethods(emu);
  registerCharges(emu);
  registerRefunds(emu);
  registerDisputes(emu);
  registerPaymentIntents(emu);
  registerSetupIntents(emu);
  registerCheckoutSessions(emu);
  registerCheckoutCompletion(emu);
}
