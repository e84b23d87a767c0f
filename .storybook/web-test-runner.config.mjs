import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

const root = new URL('..', import.meta.url).pathname;

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

/** The stories as browser tests (`npm run test:stories`): stories/*.test.ts in Debian Chromium. */
export default {
  rootDir: root,
  files: `${root}stories/**/*.test.ts`,
  nodeResolve: true,
  // axe-core is slow on a busy two-core machine.
  testFramework: { config: { timeout: 20_000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: `${root}tsconfig.json` })],
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
