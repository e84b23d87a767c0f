/**
 * `widget_gzip_bytes` (a figure in README.md, "Performance and reliability"): `dist/billing-widgets.js`, the script-tag bundle that
 * defines every element with Lit and ky inside, built minified, then gzipped at level 9; and
 * `widget_on_page_gzip_bytes`, its on-page Checkout chunk (Stripe.js's loader inside), loaded on the
 * first on-page payment only.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildWidgetBundle } from './widget-bundle-support.ts';

// The build's own budget for the first seven elements (GZIP_BUDGET_BYTES in vite.config.ts).
const GOAL_BYTES = 18 * 1024;
const bundle = buildWidgetBundle();
if (bundle === null) {
  console.log('widget_gzip_bytes: no widget sources (widget/index.ts) to build; figure not measured');
  process.exitCode = 1;
} else {
  const raw = readFileSync(bundle);
  const gzipped = gzipSync(raw, { level: 9 }).length;
  const onPage = readFileSync(bundle.replace(/\.js$/, '-on-page.js'));
  const onPageGzipped = gzipSync(onPage, { level: 9 }).length;
  console.log('Script-tag widget bundle, minified');
  console.log(`| file | bytes | gzip -9 bytes | goal |\n|---|---|---|---|`);
  console.log(`| dist/billing-widgets.js | ${raw.length} | ${gzipped} | ≤ ${GOAL_BYTES} |`);
  console.log(`| dist/billing-widgets-on-page.js | ${onPage.length} | ${onPageGzipped} | loaded on demand |`);
  console.log(JSON.stringify({ figure: 'widget_gzip_bytes', value: gzipped, unit: 'bytes' }));
  console.log(JSON.stringify({ figure: 'widget_on_page_gzip_bytes', value: onPageGzipped, unit: 'bytes' }));
}
