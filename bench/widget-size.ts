/**
 * `widget_gzip_bytes` (a figure in README.md, "Performance and reliability"): `dist/billing-widgets.js`, the script-tag bundle that
 * defines every element with Lit and ky inside, built minified, then gzipped at level 9.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildWidgetBundle } from './widget-bundle-support.ts';

const GOAL_BYTES = 14 * 1024;
const bundle = buildWidgetBundle();
if (bundle === null) {
  console.log('widget_gzip_bytes: no widget sources (widget/index.ts) to build; figure not measured');
  process.exitCode = 1;
} else {
  const raw = readFileSync(bundle);
  const gzipped = gzipSync(raw, { level: 9 }).length;
  console.log('Script-tag widget bundle, minified');
  console.log(`| file | bytes | gzip -9 bytes | goal |\n|---|---|---|---|`);
  console.log(`| dist/billing-widgets.js | ${raw.length} | ${gzipped} | ≤ ${GOAL_BYTES} |`);
  console.log(JSON.stringify({ figure: 'widget_gzip_bytes', value: gzipped, unit: 'bytes' }));
}
