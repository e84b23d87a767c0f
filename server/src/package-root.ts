import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding this package's package.json: the repository when the server runs from its
 * sources (server/src/), the installed package when it runs compiled (dist/server/src/). Files the
 * server reads at run time outside its own folder (the widget bundle, the demo page) are found from
 * here, so both ways of running find the same files.
 */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of this package by its path from the package root, e.g. `dist/billing-widgets.js`. */
export function packageFile(path: string): string {
  return join(PACKAGE_ROOT, path);
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or above it`);
  }
}
