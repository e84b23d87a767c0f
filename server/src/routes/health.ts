import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-env.ts';

/** `GET /healthz` (the process is up) and `GET /readyz` (200 only while the store answers). */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) => {
    const ready = await deps.store.ping();
    return ready
      ? c.json({ status: 'ready' })
      : c.json({ error: { code: 'store_unavailable', message: 'The billing store does not answer.' } }, 503);
  });
  return routes;
}
