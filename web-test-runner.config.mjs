import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { tsImport } from 'tsx/esm/api';

// The real server and emulator for the `*.server.test.ts` files; TypeScript, so loaded through tsx.
const { widgetTestStack } = await tsImport('./scripts/widget-test-stack.ts', import.meta.url);

// Without the background-networking flags Debian Chromium keeps trying to reach the internet (toolchain.md).
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: chromiumFlags,
      },
    }),
  ],
};
