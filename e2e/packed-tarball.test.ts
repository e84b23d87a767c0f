/**
 * `npm run test:pack`: the package as a host gets it. Packs the current build (run `npm run build`
 * first; `npm test` does) with `npm pack`, installs the tarball into a fresh temporary project, then
 * with plain node (no TypeScript loader) mounts the billing server in the project's own Hono app and
 * passes a top-up against the packaged emulator (e2e/packed-host/host.mjs), starts the standalone
 * server and the emulator from their bins, and type-checks a TypeScript host against the shipped
 * declarations. Removes its temp folder and stops every process it started.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
};

/** What `npm run build` writes and the package cannot work without. */
const BUILT = [
  'custom-elements.json',
  'dist/widget/index.js',
  'dist/billing-widgets.js',
  'dist/types/react.d.ts',
  'dist/server/src/index.js',
  'dist/stripe-emulator/src/index.js',
];

// npm sets npm_* variables for the script it runs (npm_config_local_prefix among them); a nested
// npm that inherited them would act on this repository instead of the temp project.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

const work = mkdtempSync(join(tmpdir(), 'billing-pack-'));
const project = join(work, 'host');
let packedFiles: string[] = [];

before(async () => {
  const missing = BUILT.filter((file) => !existsSync(`${ROOT}${file}`));
  assert.deepEqual(missing, [], 'the package is not built: run `npm run build` first');

  // --ignore-scripts: `prepack` would build again; this test packs the build it was given.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: ROOT,
    env,
  });
  const [tarball] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = tarball!.files.map((f) => f.path);

  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packed-host', private: true, type: 'module' }),
  );
  // The host's own dependencies at the versions the package uses, so npm installs one copy of each.
  const hostDeps = ['hono', '@hono/node-server', 'jose'].map((name) => `${name}@${pkg.dependencies[name]}`);
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!.filename), ...hostDeps],
    { cwd: project, env },
  );
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('holds the build, the manifest and the demo page, and no sources or tests', () => {
    for (const file of [
      'package.json',
      'LICENSE',
      'custom-elements.json',
      'dist/widget/index.js',
      'dist/widget/index.d.ts',
      'dist/widget/components/billing-topup/billing-topup.d.ts',
      'dist/contract/types.d.ts',
      'dist/billing-widgets.js',
      'dist/types/react.d.ts',
      'dist/types/vue.d.ts',
      'dist/contract/routes.js',
      'dist/server/src/index.js',
      'dist/server/src/index.d.ts',
      'dist/server/src/main.js',
      'dist/server/src/store/migrations/001_initial.sql',
      'dist/stripe-emulator/src/index.js',
      'dist/stripe-emulator/src/testing.js',
      'examples/vanilla-html/index.html',
    ]) {
      assert.ok(packedFiles.includes(file), `${file} is missing from the tarball`);
    }
    const unwanted = packedFiles.filter((f) =>
      /\.test\.|(?<!\.d)\.ts$|^(server|widget|stripe-emulator|contract)\//.test(f),
    );
    assert.deepEqual(unwanted, []);
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8'),
    );
    assert.equal(installed.customElements, 'custom-elements.json');
  });

  test('plain node: createBillingApp mounted under /billing takes a top-up from the packaged emulator', async () => {
    cpSync(`${ROOT}e2e/packed-host/host.mjs`, join(project, 'host.mjs'));
    const dataDir = join(work, 'host-data');
    mkdirSync(dataDir);
    const { stdout } = await run(process.execPath, ['host.mjs', dataDir], {
      cwd: project,
      env: { PATH: env.PATH ?? '' },
      timeout: 45_000,
    });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
    const installed = join(project, 'node_modules', pkg.name);
    assert.deepEqual(seen.entries, {
      'billing-widgets': join(installed, 'dist/widget/index.js'),
      'billing-widgets/elements': join(installed, 'dist/widget/index.js'),
      'billing-widgets/widgets.js': join(installed, 'dist/billing-widgets.js'),
    });
    assert.equal(seen.ready, 200);
    assert.deepEqual(seen.widgets, { status: 200, type: 'text/javascript; charset=utf-8' });
    assert.deepEqual(seen.openapi, { status: 200, version: '3.1.0' });
    assert.equal(seen.referenceCss, 200);
    assert.equal(seen.hostHome, 'the host app');
    assert.match(seen.successUrl, /^http:\/\/127\.0\.0\.1:\d+\/billing\/api\/billing\/success\?/);
    assert.equal(seen.credits, '25.00', 'the webhook credited the top-up');
    assert.equal(seen.back.status, 302);
    assert.match(seen.back.location, /^http:\/\/127\.0\.0\.1:\d+\/account\?checkout=success$/);
    assert.deepEqual(seen.problems, []);
  });

  test('the bins: the standalone server serves the widgets and the demo page, the emulator answers', async (t) => {
    const emulator = await startBin(
      t,
      'billing-stripe-emulator',
      { STRIPE_EMULATOR_PORT: '0' },
      (line) => /listening on (http:\S+)/.exec(line)?.[1],
    );
    assert.equal((await fetch(`${emulator.url}/_emulator/status`)).status, 200);

    const server = await startBin(
      t,
      'billing-server',
      { PORT: '0', BILLING_DATA_DIR: join(work, 'standalone-data'), STRIPE_API_BASE: emulator.url },
      (line) => {
        const entry = JSON.parse(line) as { msg: string; url?: string };
        return entry.msg === 'listening' ? entry.url : undefined;
      },
    );
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${server.url}/widgets.js`)).status, 200);
    const demo = await fetch(`${server.url}/`);
    assert.equal(demo.status, 200);
    assert.match(await demo.text(), /<billing-provider/);

    for (const bin of [server, emulator]) assert.equal(await bin.stop(), 0);
  });

  test('TypeScript: the React and Vue element types, the server and the emulator type-check in a host', async () => {
    // The type packages the host would install itself, borrowed from this repository.
    for (const name of ['@types/node', '@types/react', 'vue']) {
      mkdirSync(join(project, 'node_modules', name, '..'), { recursive: true });
      if (!existsSync(join(project, 'node_modules', name))) {
        symlinkSync(`${ROOT}node_modules/${name}`, join(project, 'node_modules', name), 'dir');
      }
    }
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          jsx: 'react-jsx',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['host.tsx'],
      }),
    );
    // Each @ts-expect-error fails the check if its line compiles, so an `any` slipping through shows.
    writeFileSync(
      join(project, 'host.tsx'),
      `import type { BillingProvider } from 'billing-widgets';
import type {} from 'billing-widgets/react';
import type {} from 'billing-widgets/vue';
import { createEmulator } from 'billing-widgets/emulator';
import { startEmulator } from 'billing-widgets/emulator/testing';
import { type BillingApp, createBillingApp } from 'billing-widgets/server';
import { Hono } from 'hono';
import type { GlobalComponents } from 'vue';

export const page = (provider: { current: BillingProvider | null }) => (
  <billing-provider ref={provider} api-base="/billing" tokenProvider={async () => 'token'}>
    <billing-topup presets="10,25" onbilling-error={(event) => event.error.message} />
    <billing-history page-size={20} />
    <setup-payment-modal auto-open />
  </billing-provider>
);
// @ts-expect-error presets is a comma-separated string
export const wrongType = <billing-topup presets={10} />;
// @ts-expect-error the event is a BillingErrorEvent
export const wrongEvent = <billing-topup onbilling-error={(event) => event.nothing} />;

type VueTopup = InstanceType<GlobalComponents['billing-topup']>['$props'];
export const vueProps: VueTopup = { presets: '10,25', apiBase: '/billing' };
// @ts-expect-error presets is a comma-separated string
export const vueWrong: VueTopup = { presets: 10 };

export async function mount(host: Hono): Promise<BillingApp> {
  const billing = await createBillingApp({ env: process.env });
  host.route('/billing', billing.app);
  // @ts-expect-error publicUrl is a string
  const wrongUrl: number = billing.config.publicUrl;
  return billing;
}
export const emulatorUrl: Promise<string> = createEmulator().listen(0);
export const running: Promise<string> = startEmulator().then((e) => e.url);
`,
    );
    const tsc = `${ROOT}node_modules/.bin/tsc`;
    const checked = await run(tsc, ['-p', project], { cwd: project, env }).catch(
      (err: { stdout: string }) => err,
    );
    assert.equal(checked.stdout, '');
  });
});

/**
 * Starts one of the installed package's bins (as npx would, through node_modules/.bin) and resolves
 * with the URL `listening` finds in its output; the process is killed when the test ends.
 */
async function startBin(
  t: TestContext,
  name: string,
  variables: Record<string, string>,
  listening: (line: string) => string | undefined,
): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(join(project, 'node_modules/.bin', name), [], {
    cwd: project,
    env: { PATH: env.PATH ?? '', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} printed no address; stderr: ${stderr}`)),
      20_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      const found = listening(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}; stderr: ${stderr}`)));
  });
  return {
    url,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
