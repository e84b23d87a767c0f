/**
 * Builds the script-tag bundle `dist/billing-widgets.js` the way `npm run build` does (Vite,
 * `--mode script-tag`) for the widget benchmarks; null when the widget sources are not there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = `${root}dist/billing-widgets.js`;

export function buildWidgetBundle(): string | null {
  if (!existsSync(`${root}widget/index.ts`)) return null;
  const build = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--mode', 'script-tag'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) throw new Error(`the widget build failed:\n${build.stdout}\n${build.stderr}`);
  return BUNDLE;
}
