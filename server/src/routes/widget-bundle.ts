import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { packageFile } from '../package-root.ts';

/** Where `vite build --mode script-tag` writes the bundle that defines every element. */
export const WIDGET_BUNDLE_PATH = packageFile('dist/billing-widgets.js');

/**
 * The bundle's side chunks, written beside it by the same build and loaded by it when needed
 * (widget/lazy/side-chunk.ts): served at `/widgets-<name>.js`, as the bundle is at `/widgets.js`.
 */
const SIDE_CHUNKS = ['on-page', 'zh-cn'];

/** A versioned URL (`?v=` the content hash) never changes, so browsers may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The plain URL is cached for an hour, then revalidated with the ETag (a 304 costs a few bytes). */
const REVALIDATED = 'public, max-age=3600, stale-while-revalidate=86400';

/** The bundle as served: both encodings prepared once per build, and the content hash. */
interface LoadedBundle {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer;
  /** The first 16 hex digits of the SHA-256 of the bundle; the ETag and the `?v=` value. */
  version: string;
}

/**
 * The script-tag bundle on disk. It is re-read only when the file changes (one `stat` per request),
 * so a rebuild is served without a restart.
 */
export class WidgetBundle {
  private loaded: LoadedBundle | undefined;

  constructor(readonly path: string = WIDGET_BUNDLE_PATH) {}

  /** The current build, or undefined when the bundle has not been built. */
  current(): LoadedBundle | undefined {
    let stat: { mtimeMs: number; size: number };
    try {
      stat = statSync(this.path);
    } catch {
      this.loaded = undefined;
      return undefined;
    }
    if (this.loaded?.mtimeMs !== stat.mtimeMs || this.loaded.size !== stat.size) {
      const body = readFileSync(this.path);
      this.loaded = {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        body,
        gzip: gzipSync(body, { level: 9 }),
        version: createHash('sha256').update(body).digest('hex').slice(0, 16),
      };
    }
    return this.loaded;
  }
}

/**
 * `GET /widgets.js`: the bundle a host page embeds with one `<script>` from its billing server
 * (README.md, "Embed the widgets"), gzipped when the browser accepts it, with an ETag (304 when it still
 * matches), and cached for a year when requested as `/widgets.js?v=<version>`. Its side chunks
 * (`/widgets-on-page.js`, `/widgets-zh-cn.js`), which it fetches itself when needed, are served alike.
 */
export function widgetBundleRoutes(bundle: WidgetBundle = new WidgetBundle()): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const files = [
    { route: '/widgets.js', bundle },
    ...SIDE_CHUNKS.map((name) => ({
      route: `/widgets-${name}.js`,
      bundle: new WidgetBundle(bundle.path.replace(/\.js$/, `-${name}.js`)),
    })),
  ];
  for (const file of files) {
    routes.get(file.route, (c) => {
      const built = file.bundle.current();
      if (!built) {
        throw new ApiError(
          503,
          'widgets_not_built',
          `The widget bundle dist/${basename(file.bundle.path)} is not built: run \`npx vite build --mode script-tag\`.`,
        );
      }
      const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
      const etag = `"${built.version}${gzip ? '-gzip' : ''}"`;
      const headers: Record<string, string> = {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': c.req.query('v') === built.version ? IMMUTABLE : REVALIDATED,
        ETag: etag,
        Vary: 'Accept-Encoding',
        // Public code: a host page on another origin may load it as a module script too.
        'Access-Control-Allow-Origin': '*',
      };
      const match = c.req.header('if-none-match');
      if (match?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
        return c.body(null, 304, headers);
      }
      if (gzip) headers['Content-Encoding'] = 'gzip';
      return c.body(new Uint8Array(gzip ? built.gzip : built.body), 200, headers);
    });
  }
  return routes;
}
