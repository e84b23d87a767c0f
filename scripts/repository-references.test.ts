import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', 'storybook-static', '.git', '.data', 'screenshots']);
const CODE = /\.(ts|tsx|mjs|js|vue|html|css)$/;
// Documents that live outside this repository: a comment pointing at them cannot be followed.
const OUTSIDE = /\bDESIGN(\.md| section)|toolchain( notes|\.md)|CONVENTIONS\.md/;

function* codeFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* codeFiles(path);
    else if (CODE.test(entry.name)) yield path;
  }
}

test('code points only inside the repository: no design notes, toolchain notes or conventions cited', () => {
  const found: string[] = [];
  for (const file of codeFiles(ROOT)) {
    if (file === fileURLToPath(import.meta.url)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (OUTSIDE.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, []);
});
