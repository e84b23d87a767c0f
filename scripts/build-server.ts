/**
 * `npm run build:server`: compiles the billing server, the Stripe emulator and the API contract
 * they share to plain JavaScript with declarations (tsconfig.build.json: dist/server/src,
 * dist/stripe-emulator/src, dist/contract, mirroring the sources so their relative imports hold;
 * tsc rewrites the `.ts` imports to `.js`), and copies the store's SQL migrations beside the compiled
 * `migrations.js`, which reads them from its own folder. Other files the server reads at run time
 * are found from the package root (server/src/package-root.ts).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// tsc never deletes output, so a removed source would otherwise live on in the package.
for (const dir of ['dist/server', 'dist/stripe-emulator', 'dist/contract']) {
  rmSync(`${root}${dir}`, { recursive: true, force: true });
}

const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const migrations = 'server/src/store/migrations/';
for (const name of readdirSync(`${root}${migrations}`).filter((n) => n.endsWith('.sql'))) {
  cpSync(`${root}${migrations}${name}`, `${root}dist/${migrations}${name}`);
}
