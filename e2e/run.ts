/**
 * `npm run test:e2e`: builds the script-tag bundle (and the React and Vue examples when they are
 * not built yet), starts the `npm start` stack and the example host backend on free ports with a
 * temp data dir, runs every flow in e2e/flows in Chromium one file at a time, and stops everything
 * it started. Exits with the flows' exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromiumMissing } from '../scripts/chromium.ts';
import { startStack } from './stack.ts';
import { STACK_VARIABLES } from './stack-env.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const chromiumProblem = chromiumMissing();
if (chromiumProblem !== null) {
  console.error(chromiumProblem);
  process.exit(1);
}

/** Runs an npm script in the repository root, stopping the run if it fails. */
function npmRun(script: string): void {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The flows test the widgets as they are now: the bundle takes about a second to build.
const bundle = spawnSync('npx', ['vite', 'build', '--mode', 'script-tag', '--logLevel', 'warn'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (bundle.status !== 0) process.exit(bundle.status ?? 1);
if (
  !existsSync(`${ROOT}examples/react/dist/index.html`) ||
  !existsSync(`${ROOT}examples/vue/dist/index.html`)
) {
  npmRun('build:examples');
}

const flows = readdirSync(`${ROOT}e2e/flows`)
  .filter((name) => name.endsWith('.test.ts') && (!process.argv[2] || name.includes(process.argv[2])))
  .sort()
  .map((name) => `e2e/flows/${name}`);

const started = performance.now();
const stack = await startStack();
let code = 1;
try {
  const env = { ...process.env };
  for (const [field, variable] of Object.entries(STACK_VARIABLES)) {
    env[variable] = stack[field as keyof typeof STACK_VARIABLES];
  }
  const runner = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=120000', ...flows],
    { cwd: ROOT, env, stdio: 'inherit' },
  );
  const forward = (signal: NodeJS.Signals) => runner.pid && process.kill(runner.pid, signal);
  process.once('SIGINT', forward);
  process.once('SIGTERM', forward);
  code = await new Promise<number>((resolve) => runner.once('exit', (status) => resolve(status ?? 1)));
} finally {
  await stack.stop();
}
console.log(
  `end-to-end flows: ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((performance.now() - started) / 1000)} s`,
);
process.exit(code);
