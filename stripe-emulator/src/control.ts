import type { Context } from 'hono';
import type { Emulator } from './emulator.ts';
import { invalidParam, invalidRequest } from './errors.ts';

/** Reads a JSON object body; anything else is a 400 in Stripe's envelope. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('The body must be a JSON object.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw invalidRequest('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function number(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw invalidParam(key, `${key} must be a number from ${min} to ${max}.`);
  }
  return v;
}

/**
 * Test controls outside Stripe's API (JSON in, JSON out): reset, faults, and moving the emulator's
 * own time. Resource modules add their own (e.g. completing a checkout session).
 */
export function registerControl(emu: Emulator): void {
  emu.app.post('/_emulator/reset', async (c) => {
    emu.webhooks.clear();
    emu.reset();
    return c.json({ ok: true });
  });

  emu.app.post('/_emulator/faults', async (c) => {
    const body = await jsonBody(c);
    const failNext = number(body, 'fail_next', 0, 1_000_000);
    const latency = number(body, 'latency_ms', 0, 60_000);
    const duplicateRate = number(body, 'duplicate_rate', 0, 1);
    for (const key of ['shuffle', 'drop_webhooks']) {
      if (body[key] !== undefined && typeof body[key] !== 'boolean') {
        throw invalidParam(key, `${key} must be true or false.`);
      }
    }
    emu.faults.failNext = failNext !== undefined ? Math.floor(failNext) : 0;
    emu.faults.latencyMs = latency ?? 0;
    emu.faults.duplicateRate = duplicateRate ?? 0;
    emu.faults.shuffle = (body.shuffle as boolean | undefined) ?? false;
    emu.faults.dropWebhooks = (body.drop_webhooks as boolean | undefined) ?? false;
    return c.json({
      fail_next: emu.faults.failNext,
      latency_ms: emu.faults.latencyMs,
      duplicate_rate: emu.faults.duplicateRate,
      shuffle: emu.faults.shuffle,
      drop_webhooks: emu.faults.dropWebhooks,
    });
  });

  emu.app.post('/_emulator/advance', async (c) => {
    const body = await jsonBody(c);
    const seconds = number(body, 'seconds', 0, 10 * 366 * 86_400);
    if (seconds === undefined) throw invalidParam('seconds', 'seconds is required.');
    await emu.advance(Math.floor(seconds));
    return c.json({ now: emu.now() });
  });

  emu.app.get('/_emulator/status', (c) =>
    c.json({ now: emu.now(), pending_webhooks: emu.webhooks.pendingCount(), faults: emu.faults }),
  );
}
