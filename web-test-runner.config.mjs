import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { tsImport } from 'tsx/esm/api';

// The real server and emulator for the `*.server.test.ts` files; TypeScript, so loaded through tsx.
const { widgetTestStack } = await tsImport('./scripts/widget-test-stack.ts', import.meta.url);

// Debian Chromium and its flags (scripts/chromium.ts).
const { chromiumLaunchOptions } = await tsImport('./scripts/chromium.ts', import.meta.url);

/**
 * The widget tests: every `widget/**\/*.test.ts`, in Debian Chromium, TypeScript compiled by esbuild;
 * `*.server.test.ts` ones run against the real billing server and emulator (scripts/widget-test-stack.ts).
 */
export default {
  files: 'widget/**/*.test.ts',
  nodeResolve: true,
  concurrency: 2,
  // Generous: the machine is shared with server and end-to-end suites, and axe-core is slow under load.
  testFramework: { config: { timeout: 20_000 } },
  plugins: [
    widgetTestStack(),
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
    }),
  ],
  browsers: [playwrightLauncher({ product: 'chromium', launchOptions: chromiumLaunchOptions() })],
};
