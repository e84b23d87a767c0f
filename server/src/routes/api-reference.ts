import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';

/** The reference page's assets, from the swagger-ui-dist package: served by this server, no CDN. */
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

/**
 * `GET /api/billing/openapi.json` (OpenAPI 3.1, written from the contract the routes validate
 * with) and `GET /api/billing/reference`, a readable reference page rendered by Swagger UI.
 */
export function registerApiReference(app: OpenAPIHono<AppEnv>, prefix: string, publicUrl: string): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'userToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "The user's token, signed by the host backend (HS256) or its identity provider (RS256/ES256).",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'BILLING_API_KEY, for the host backend only.',
  });
  app.doc31(`${prefix}/openapi.json`, {
    openapi: '3.1.0',
    info: {
      title: 'Billing API',
      version: '1',
      description:
        'Credits, top-ups, card setup and monthly subscriptions over Stripe. Money in requests is a JSON number in major units; in answers a decimal string plus integer cents. Every error is `{"error": {"code", "message", "field"?}}`.',
    },
    // The public URL includes any path the app is mounted under, so generated clients reach it.
    servers: [{ url: publicUrl }],
  });

  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, string>();
  app.get(`${prefix}/reference/:asset{swagger-ui\\.css|swagger-ui-bundle\\.js}`, async (c) => {
    const asset = c.req.param('asset') as keyof typeof ASSETS;
    let body = cache.get(asset);
    if (body === undefined) {
      body = await readFile(join(swaggerDir, asset), 'utf8');
      cache.set(asset, body);
    }
    c.header('Content-Type', ASSETS[asset]);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(body);
  });
  app.get(`${prefix}/reference`, (c) => {
    c.header('Cache-Control', 'no-store');
    // Relative links: the page keeps working when a host mounts the app under a path of its own.
    return c.html(referencePage('openapi.json', 'reference'));
  });
}

function referencePage(specUrl: string, assets: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Billing API reference</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="${assets}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#reference', deepLinking: true });
  </script>
</body>
</html>`;
}
