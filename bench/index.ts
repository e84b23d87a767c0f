/**
 * `npm run bench`: runs every benchmark in bench/, one child process at a time so they never
 * load the machine together, echoes their output, and ends with a table of every figure
 * (the `{"figure": …}` JSON lines). A benchmark is any `bench/NAME.ts` except this file and
 * helpers named `*-server.ts`, `*-worker.ts`, `*-support.ts` or `_*.ts`; `credits.ts` runs first.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const HELPER = /(^index\.ts$|^_|-server\.ts$|-worker\.ts$|-support\.ts$|\.test\.ts$|\.d\.ts$)/;

interface Figure {
  figure: string;
  value: number;
  unit?: string;
}

function benchFiles(): string[] {
  const files = readdirSync(new URL('.', import.meta.url)).filter(
    (n) => n.endsWith('.ts') && !HELPER.test(n),
  );
  return files.sort((a, b) => (a === 'credits.ts' ? -1 : b === 'credits.ts' ? 1 : a.localeCompare(b)));
}

function run(file: string, figures: Figure[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${file}`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (line.startsWith('{"figure"')) {
        try {
          figures.push(JSON.parse(line) as Figure);
        } catch {
          // a malformed figure line is printed above and left out of the table
        }
      }
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

const figures: Figure[] = [];
const failed: string[] = [];
for (const file of benchFiles()) {
  console.log(`\n## bench/${file}`);
  if ((await run(file, figures)) !== 0) failed.push(file);
}
console.log('\n| figure | value | unit |\n|---|---|---|');
for (const f of figures) console.log(`| ${f.figure} | ${f.value} | ${f.unit ?? ''} |`);
if (failed.length > 0) {
  console.error(`benchmarks that failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
