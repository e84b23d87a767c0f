import { registerControl } from './control.ts';
import { Emulator, type EmulatorOptions } from './emulator.ts';
import { registerResources } from './resources/index.ts';

export { API_VERSION, Emulator, type EmulatorOptions } from './emulator.ts';
export { signPayload } from './webhooks.ts';

/** A ready emulator with every resource, hosted page and control endpoint registered. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const emu = new Emulator(options);
  registerControl(emu);
  registerResources(emu);
  return emu;
}
