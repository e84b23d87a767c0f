/**
 * The script-tag bundle's address without `.js`, read while it first runs (only then is
 * `document.currentScript` set; a module script has none, so its tag is looked up by name). Only
 * the script-tag bundle, which runs in browsers only, includes this module.
 */
const bundle = (
  (document.currentScript ?? document.querySelector('script[src*="widgets"]')) as HTMLScriptElement | null
)?.src.split(/\.js|\?/)[0];

/**
 * Where the script-tag build puts a side chunk (`on-page`, `zh-cn`): beside the bundle, its name
 * before `.js` (`/widgets.js` → `/widgets-on-page.js`, `billing-widgets.js` → `billing-widgets-zh-cn.js`).
 * The script-tag build rewrites the lazy imports of the sources to import these URLs (vite.config.ts),
 * since a single-file IIFE cannot split; the module build keeps them, for the host's bundler to split.
 */
export const sideChunkUrl = (name: string): string => `${bundle}-${name}.js`;
