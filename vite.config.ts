import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build, defineConfig, type Plugin } from 'vite';
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
const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/** Fails the build when the script-tag bundle outgrows its budget, and prints its size either way. */
function gzipBudget(): Plugin {
  return {
    name: 'billing-gzip-budget',
    closeBundle() {
      const bytes = gzipped(SCRIPT_TAG_FILE);
      console.log(`${SCRIPT_TAG_FILE}: ${bytes} bytes gzipped (budget ${GZIP_BUDGET_BYTES})`);
      if (bytes > GZIP_BUDGET_BYTES) {
        throw new Error(
          `${SCRIPT_TAG_FILE} is ${bytes} bytes gzipped, over the ${GZIP_BUDGET_BYTES}-byte budget`,
        );
      }
    },
  };
}

/**
 * The script-tag build's side chunks: what the sources load lazily, each built as an ES module of
 * its own beside the bundle (after it, by the same command, so they always match), and the lazy
 * `import()` rewritten to that file's URL (`sideChunkUrl`, widget/lazy/side-chunk.ts), since a
 * single-file IIFE cannot split. The module build keeps the imports for the host's bundler.
 */
const SIDE_CHUNKS = [
  // On-page Checkout and Stripe.js's loader: on the first on-page payment only.
  {
    name: 'on-page',
    importer: 'widget/base/billing-element.ts',
    specifier: '../on-page/on-page-checkout.js',
  },
  // The Chinese messages: on pages in Chinese only.
  { name: 'zh-cn', importer: 'widget/i18n/messages.ts', specifier: './zh-cn.js' },
];
const SIDE_CHUNK_HELPER = new URL('./widget/lazy/side-chunk.ts', import.meta.url).pathname;
const sideChunkFile = (name: string) => `dist/billing-widgets-${name}.js`;

function sideChunks(): Plugin {
  return {
    name: 'billing-side-chunks',
    enforce: 'pre',
    transform(code, id) {
      const chunk = SIDE_CHUNKS.find(({ importer }) => id.endsWith(`/${importer}`));
      if (!chunk) return undefined;
      const lazy = `import('${chunk.specifier}')`;
      if (!code.includes(lazy))
        throw new Error(`${chunk.importer} no longer has the ${lazy} this build rewrites`);
      return {
        code: `import { sideChunkUrl } from '${SIDE_CHUNK_HELPER}';\n${code.replace(lazy, `import(sideChunkUrl('${chunk.name}'))`)}`,
        map: null,
      };
    },
    async closeBundle() {
      for (const { name, importer, specifier } of SIDE_CHUNKS) {
        await build({
          configFile: false,
          logLevel: 'warn',
          plugins: [templateLiteralMinifier()],
          build: {
            ...MINIFIED_INTO_DIST,
            lib: {
              entry: new URL(specifier.replace(/\.js$/, '.ts'), new URL(importer, import.meta.url)).pathname,
              formats: ['es'],
              fileName: () => `billing-widgets-${name}.js`,
            },
            rolldownOptions: { output: { comments: false, charset: 'ascii' } },
          },
        });
        console.log(
          `${sideChunkFile(name)}: ${gzipped(sideChunkFile(name))} bytes gzipped (loaded when needed)`,
        );
      }
    },
  };
}

/** What the script-tag bundle and its side chunks share: minified ES2022 files written into dist/. */
const MINIFIED_INTO_DIST = { outDir: 'dist', emptyOutDir: false, target: 'es2022', minify: true } as const;

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
 * classic `<script src>` as well as a module script; what it loads lazily (the on-page Checkout
 * code, the Chinese messages) it fetches from side chunks written beside it (`sideChunks`).
 */
export default defineConfig(({ mode }) =>
  mode === 'script-tag'
    ? {
        build: {
          ...MINIFIED_INTO_DIST,
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
        plugins: [templateLiteralMinifier(), sideChunks(), gzipBudget()],
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
