import { Hono } from 'hono';
import { SignJWT } from 'jose';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError } from '../errors.ts';
import { demoPage } from './demo-page.ts';
import { WidgetBundle } from './widget-bundle.ts';

const DEMO_USER = /^[A-Za-z0-9._-]{1,64}$/;
/** Demo tokens last a working day; the page fetches a new one when it loads. */
const DEMO_TOKEN_SECONDS = 12 * 60 * 60;

/**
 * Emulator mode only (never with real Stripe keys, never off loopback): the demo host page at `/` and
 * `GET /demo/token?user=NAME`, which plays the host backend by minting that user's token.
 */
export function demoRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { demoTokenSecret } = deps.config;
  if (!deps.config.emulatorMode || demoTokenSecret === undefined) return app;

  app.get('/demo/token', async (c) => {
    const user = c.req.query('user') ?? 'demo';
    if (!DEMO_USER.test(user)) {
      throw new ApiError(
        400,
        'invalid_user',
        'user must be 1 to 64 letters, digits, ".", "_" or "-".',
        'user',
      );
    }
    const now = Math.floor(deps.clock.now().getTime() / 1000);
    const { jwtIssuer, jwtAudience } = deps.config;
    const token = await new SignJWT({
      email: `${user}@demo.invalid`,
      ...(jwtIssuer ? { iss: jwtIssuer } : {}),
      ...(jwtAudience ? { aud: jwtAudience } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user)
      .setIssuedAt(now)
      .setExpirationTime(now + DEMO_TOKEN_SECONDS)
      // Never the configured BILLING_JWT_SECRET: a demo token is good on this process only.
      .sign(new TextEncoder().encode(demoTokenSecret));
    c.header('Cache-Control', 'no-store');
    return c.json({ token });
  });

  const bundle = new WidgetBundle();
  app.get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(demoPage(bundle.current()?.version));
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));

  return app;
}
