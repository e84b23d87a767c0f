import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { createApp } from '../src/app.ts';
import { ManualClock } from '../src/clock.ts';
import { type HttpTimeouts, listen } from '../src/http/listen.ts';
import { jsonLogger } from '../src/logger.ts';
import { MAX_WEBHOOK_BODIES_RECEIVING } from '../src/routes/webhook.ts';
import { createStripeClient } from '../src/stripe/client.ts';
import { tempStore, testConfig } from '../src/testing.ts';

interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

/** A raw TCP client, so a test can announce a body and then stall, as an attacker would. */
async function rawClient(port: number, head: string): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(head);
  return { socket, received: () => data, closed };
}

const webhookHead = (length: number) =>
  `POST /api/billing/webhook HTTP/1.1\r\nHost: billing\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\nContent-Length: ${length}\r\n\r\n`;

const until = async (check: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

// Not repeated in remote mode (scripts/test-remote.ts leaves it out): the bodies are refused
// before anything reaches the store.
describe('slow and oversized webhook bodies', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function server(timeouts?: HttpTimeouts) {
    const { store, cleanup } = await tempStore();
    const config = testConfig();
    const lines: Array<Record<string, unknown>> = [];
    const logger = jsonLogger((chunk) => {
      for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    const app = createApp({
      store,
      stripe: createStripeClient(config),
      config,
      clock: new ManualClock(new Date()),
      logger,
    });
    const { server, port } = await listen(app.fetch, { port: 0, hostname: '127.0.0.1', timeouts });
    cleanups.push(async () => {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cleanup();
    });
    return { port, lines };
  }

  test('a body announced over 256 KiB is refused with 413 before any of it is read', async () => {
    const { port } = await server();
    const client = await rawClient(port, webhookHead(1024 * 1024));
    await until(() => client.received().includes('\r\n\r\n'), 'an answer');
    assert.match(client.received(), /^HTTP\/1\.1 413/);
    assert.match(client.received(), /body_too_large/);
    client.socket.destroy();
  });

  test('stalled bodies: at most 64 received at once, the rest 503 at once; hang-ups are one info line each', async () => {
    const { port, lines } = await server();
    const clients: RawClient[] = [];
    for (let i = 0; i < MAX_WEBHOOK_BODIES_RECEIVING + 36; i++) {
      const client = await rawClient(port, webhookHead(200_000));
      client.socket.write('x'.repeat(100_000));
      clients.push(client);
    }
    const answered = () => clients.filter((c) => c.received().includes('\r\n\r\n'));
    await until(() => answered().length >= 36, '36 answers');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(answered().length, 36, 'only the clients past the cap are answered');
    for (const client of answered()) {
      assert.match(client.received(), /^HTTP\/1\.1 503/);
      assert.match(client.received(), /Retry-After: 1/i);
    }
    for (const client of clients) client.socket.destroy();
    await until(
      () => lines.filter((l) => l.client_aborted === true).length === MAX_WEBHOOK_BODIES_RECEIVING,
      'abort lines',
    );
    assert.deepEqual(
      lines.filter((l) => l.level !== 'info'),
      [],
      'no error or warning lines, no stack traces',
    );
    for (const line of lines.filter((l) => l.client_aborted === true)) {
      assert.equal(line.msg, 'request');
      assert.equal(line.stack, undefined);
    }
  });

  test('a client that stalls in its headers or its body is cut off by the server', async () => {
    const { port } = await server({ headersMs: 300, requestMs: 800, checkEveryMs: 100 });
    const started = Date.now();
    const inHeaders = await rawClient(port, 'POST /api/billing/webhook HTTP/1.1\r\nHost: billing\r\n');
    const inBody = await rawClient(port, webhookHead(10_000));
    inBody.socket.write('{"id":');
    await Promise.all([inHeaders.closed, inBody.closed]);
    assert.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);
    assert.match(inHeaders.received(), /^HTTP\/1\.1 408/);
  });
});
