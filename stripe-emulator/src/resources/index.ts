import type { Emulator } from '../emulator.ts';
import { registerCustomers } from './customers.ts';
import { registerEvents } from './events.ts';

/** Every resource module, in the order their routes must be matched (specific paths before `:id`). */
export function registerResources(emu: Emulator): void {
  registerCustomers(emu);
  registerEvents(emu);
}
