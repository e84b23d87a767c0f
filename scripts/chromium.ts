/**
 * The one place that says which Chromium the browser tests, the end-to-end flows and the page-load
 * figure drive (Debian's, or CHROMIUM_PATH) and with which flags; nothing downloads a browser.
 */
import { existsSync } from 'node:fs';

/** The Chromium executable: CHROMIUM_PATH when set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the background-networking flags Debian Chromium keeps trying to reach the internet, and this machine's closed network refuses each try. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch options for playwright-core's `chromium.launch` and Web Test Runner's `playwrightLauncher`. */
export function chromiumLaunchOptions(): { executablePath: string; headless: true; args: string[] } {
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_FLAGS] };
}

/** One sentence saying how to get Chromium when it is not at CHROMIUM_PATH; `null` when it is there. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  return `Chromium is missing at ${CHROMIUM_PATH}: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH.`;
}
