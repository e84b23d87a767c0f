/**
 * Debian Chromium driven by playwright-core (no browser download), and the screenshots the flows
 * leave under screenshots/ (git-ignored) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.ts';

/** screenshots/ (git-ignored), or the folder E2E_SCREENSHOTS names (ending in `/`). */
export const SCREENSHOTS =
  process.env.E2E_SCREENSHOTS ?? fileURLToPath(new URL('../screenshots/', import.meta.url));

/** The two widths every layout must read well at. */
export const WIDTHS = [360, 1280] as const;

/** Launches headless Chromium from CHROMIUM_PATH or /usr/bin/chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

/**
 * A page in a fresh context (its own storage) at `width` px, which fails the flow on any console
 * error or uncaught exception, and on any request that leaves 127.0.0.1.
 */
export async function openPage(browser: Browser, width = 1280, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // A failed load is reported below with its address, which the console message lacks.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    // The emulated Stripe pages name no icon, so Chromium asks the emulator for one.
    if (response.status() >= 400 && pathname !== '/favicon.ico') {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const { hostname, protocol } = new URL(request.url());
    if (protocol.startsWith('http') && hostname !== '127.0.0.1')
      problems.push(`external request: ${request.url()}`);
  });
  return {
    page,
    /** Throws if anything went wrong on the page so far; call it at the end of a flow. */
    assertClean(expected: RegExp[] = []) {
      const unexpected = problems.filter((p) => !expected.some((pattern) => pattern.test(p)));
      if (unexpected.length) throw new Error(`the page reported:\n${unexpected.join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** Saves a screenshot of `target` (a page or one element) as screenshots/NAME.png. */
export async function snap(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  if ('goto' in target) await target.screenshot({ path, fullPage: true });
  else await target.screenshot({ path });
}
