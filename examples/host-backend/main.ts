/**
 * `npx tsx examples/host-backend/main.ts`: the example host backend on HOST_PORT (default 5180),
 * serving the built React and Vue examples at /react/ and /vue/ and talking to the billing server
 * at BILLING_URL (default http://127.0.0.1:8787). The secrets are the billing server's
 * BILLING_JWT_SECRET and BILLING_API_KEY; when unset, those `npm start` keeps in
 * `$BILLING_DATA_DIR/dev-secrets.json` are used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createHostApp } from './host-app.ts';

const env = process.env;
const secretsFile = join(env.BILLING_DATA_DIR || '.data', 'dev-secrets.json');
const saved: Record<string, string> = existsSync(secretsFile)
  ? JSON.parse(readFileSync(secretsFile, 'utf8'))
  : {};
const jwtSecret = env.BILLING_JWT_SECRET || saved.BILLING_JWT_SECRET;
const apiKey = env.BILLING_API_KEY || saved.BILLING_API_KEY;
if (!jwtSecret || !apiKey) {
  console.error(
    `Set BILLING_JWT_SECRET and BILLING_API_KEY to the billing server's, or run \`npm start\` once so ${secretsFile} exists.`,
  );
  process.exit(1);
}

const port = Number(env.HOST_PORT || 5180);
const examples = fileURLToPath(new URL('..', import.meta.url));
const app = createHostApp({
  billingUrl: env.BILLING_URL || 'http://127.0.0.1:8787',
  jwtSecret,
  apiKey,
  jwtIssuer: env.BILLING_JWT_ISSUER,
  jwtAudience: env.BILLING_JWT_AUDIENCE,
  frontEnds: { '/react': join(examples, 'react/dist'), '/vue': join(examples, 'vue/dist') },
});

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`Host backend on http://127.0.0.1:${info.port}: /react/ and /vue/`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
