/**
 * What 300 stalled webhook bodies cost the server: each socket announces a body, sends part of
 * it and stalls, as a slow-loris client would. Prints the server process's resident memory before
 * and while they hang (from /proc), how many were refused at once, and how long until the server
 * cut the rest off. Traffic goes only to 127.0.0.1; the run ends by itself.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { freePort, startServerProcess } from '../server/test/server-process.ts';

const SOCKETS = 300;
const ANNOUNCED = 250_000;
const SENT = 200_000;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const server = await startServerProcess({
  PORT: String(await freePort()),
  BILLING_DB_URL: ':memory:',
  STRIPE_API_BASE: 'http://127.0.0.1:9',
});
try {
  await new Promise((r) => setTimeout(r, 500));
  const before = rssMb(server.pid);
  const sockets: Array<{ socket: Socket; answer: string; closedAt?: number }> = [];
  const started = Date.now();
  for (let i = 0; i < SOCKETS; i++) {
    const socket = connect(server.port, '127.0.0.1');
    const entry: (typeof sockets)[number] = { socket, answer: '' };
    socket.on('data', (chunk) => (entry.answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (entry.closedAt = Date.now()));
    socket.write(
      `POST /api/billing/webhook HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=0\r\nContent-Length: ${ANNOUNCED}\r\n\r\n`,
    );
    socket.write('x'.repeat(SENT));
    sockets.push(entry);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const during = rssMb(server.pid);
  const refused = sockets.filter((s) => s.answer.startsWith('HTTP/1.1 503')).length;
  const deadline = Date.now() + 60_000;
  while (sockets.some((s) => s.closedAt === undefined) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const cutOffS = Math.max(...sockets.map((s) => (s.closedAt ?? Date.now()) - started)) / 1000;
  for (const s of sockets) s.socket.destroy();
  const figure = (name: string, value: number, unit: string) =>
    console.log(JSON.stringify({ figure: name, value: Math.round(value * 10) / 10, unit }));
  figure('slow_bodies_rss_growth_mb', during - before, 'MB');
  figure('slow_bodies_refused_at_once', refused, 'sockets');
  figure('slow_bodies_cut_off_s', cutOffS, 's');
  const errors = server.output
    .join('')
    .split('\n')
    .filter((l) => l.includes('"level":"error"')).length;
  figure('slow_bodies_error_lines', errors, 'lines');
} finally {
  await server.stop();
}
