import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;

// Debian Chromium and its flags (scripts/chromium.ts).
const { chromiumLaunchOptions } = await tsImport('../scripts/chromium.ts', import.meta.url);

/** The stories as browser tests (`npm run test:stories`): stories/*.test.ts in Debian Chromium. */
export default {
  rootDir: root,
  files: `${root}stories/**/*.test.ts`,
  nodeResolve: true,
  // axe-core is slow on a busy two-core machine.
  testFramework: { config: { timeout: 20_000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: `${root}tsconfig.json` })],
  browsers: [playwrightLauncher({ product: 'chromium', launchOptions: chromiumLaunchOptions() })],
};
