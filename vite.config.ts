import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { minifyTemplateLiterals } from './widget/build/minify-template-literals.ts';

/**
 * The script-tag bundle's budget (Lit included, minified, gzipped): 18 KB for the seven elements,
 * plus 2 KB for each element added since.
 */
const GZIP_BUDGET_BYTES =
  18 * 1024 +
  // <billing-auto-recharge>
  2048 +
  // <billing-usage>
  2048;
const SCRIPT_TAG_FILE = 'dist/billing-widgets.js';

/** Fails the build when the script-tag bundle outgrows its budget, and prints its size either way. */
function gzipBudget(): Plugin {
  return {
    name: 'billing-gzip-budget',
    closeBundle() {
      const bytes = gzipSync(readFileSync(SCRIPT_TAG_FILE), { level: 9 }).length;
      console.log(`${SCRIPT_TAG_FILE}: ${bytes} bytes gzipped (budget ${GZIP_BUDGET_BYTES})`);
      if (bytes > GZIP_BUDGET_BYTES) {
        throw new Error(
          `${SCRIPT_TAG_FILE} is ${bytes} bytes gzipped, over the ${GZIP_BUDGET_BYTES}-byte budget`,
        );
      }
    },
  };
}

/** Applies `minifyTemplateLiterals` to the widget sources (not their tests). */
function templateLiteralMinifier(): Plugin {
  return {
    name: 'billing-template-literals',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/.*(?<!\.test)\.ts$/.test(id)) return undefined;
      return { code: minifyTemplateLiterals(code), map: null };
    },
  };
}

/**
 * Two library builds of widget/: `vite build` writes ES modules for bundlers to dist/widget (one per
 * source module, Lit left to the host's bundler, the Chinese messages a chunk of their own; their
 * declarations come from `tsc -p widget/tsconfig.build.json`);
 * `vite build --mode script-tag` writes dist/billing-widgets.js, one minified file with Lit inside
 * that defines every element. It is an IIFE (exports on `window.BillingWidgets`), so it works from a
 * classic `<script src>` as well as a module script, and it inlines the Chinese messages so that a
 * server can serve it as a single file.
 */
export default defineConfig(({ mode }) =>
  mode === 'script-tag'
    ? {
        build: {
          outDir: 'dist',
          emptyOutDir: false,
          target: 'es2022',
          minify: true,
          lib: {
            entry: 'widget/index.ts',
            formats: ['iife'],
            name: 'BillingWidgets',
            fileName: () => 'billing-widgets.js',
          },
          // ASCII output: the file works even when served without a charset (Chinese text comes escaped).
          rolldownOptions: {
            output: { minify: true, comments: false, codeSplitting: false, charset: 'ascii' },
          },
        },
        plugins: [templateLiteralMinifier(), gzipBudget()],
      }
    : {
        build: {
          outDir: 'dist/widget',
          emptyOutDir: true,
          target: 'es2022',
          minify: false,
          lib: { entry: 'widget/index.ts', formats: ['es'] },
          rolldownOptions: {
            external: [/^lit($|\/)/, /^@lit\//],
            output: { preserveModules: true, preserveModulesRoot: 'widget', entryFileNames: '[name].js' },
          },
        },
      },
);
