import type { Emulator } from '../emulator.ts';
import { registerCustomers } from './customers.ts';

/** Every resource module, in the order their routes must be matched (specific paths before `:id`). */
export function registerResources(emu: Emulator): void {
  registerCustomers(emu);
}
