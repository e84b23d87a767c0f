import { readFileSync } from 'node:fs';
import { packageFile } from '../package-root.ts';

/** The demo host page: the vanilla HTML example, which embeds every element. */
export const DEMO_PAGE_PATH = packageFile('examples/vanilla-html/index.html');

/**
 * The demo host page served at `/` in emulator mode (examples/vanilla-html/index.html, read on each
 * request so edits show on reload). With the bundle's version, its `/widgets.js` script becomes the
 * versioned URL, which browsers cache for good and which changes with every build.
 */
export function demoPage(bundleVersion?: string): string {
  const page = readFileSync(DEMO_PAGE_PATH, 'utf8');
  return bundleVersion ? page.replace('src="/widgets.js"', `src="/widgets.js?v=${bundleVersion}"`) : page;
}
