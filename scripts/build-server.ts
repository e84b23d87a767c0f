/**
 * `npm run build:server`: compiles the billing server and the Stripe emulator to plain JavaScript
 * with declarations (dist/server, dist/emulator; tsc rewrites the sources' `.ts` imports to `.js`),
 * and copies the store's SQL migrations beside the compiled `migrations.js`, which reads them from
 * its own folder.
 *
 * Files the server reads at run time are found relative to the module reading them, so each
 * compiled file sits as deep under dist/ as its source sits under the repository:
 * `server/src/routes/widget-bundle.ts` and `dist/server/routes/widget-bundle.js` both reach
 * `dist/billing-widgets.js` and `examples/vanilla-html/index.html` as `../../../…`.
 * e2e/packed-tarball.test.ts serves both from an installed package.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// tsc never deletes output, so a removed source would otherwise live on in the package.
for (const dir of ['dist/server', 'dist/emulator']) rmSync(`${root}${dir}`, { recursive: true, force: true });

for (const project of ['server/tsconfig.build.json', 'stripe-emulator/tsconfig.build.json']) {
  const tsc = spawnSync('npx', ['tsc', '-p', project], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

const migrations = `${root}server/src/store/migrations/`;
for (const name of readdirSync(migrations).filter((n) => n.endsWith('.sql'))) {
  cpSync(`${migrations}${name}`, `${root}dist/server/store/migrations/${name}`);
}
