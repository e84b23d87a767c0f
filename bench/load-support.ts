/**
 * What the load-generating benches share: running work with a bounded number in flight, posting a
 * signed webhook the way Stripe does, driving autocannon, and reading a process's CPU time.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:http';
import { EMULATOR_WEBHOOK_SECRET } from '../server/src/config.ts';
import { signPayload } from '../stripe-emulator/src/webhooks.ts';

const ROOT = new URL('..', import.meta.url).pathname;

/** Runs `work` over `items`, `limit` at a time, starting no new item after `until` (ms since the epoch). */
export async function inPool<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < until) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * POSTs one event as Stripe does (raw JSON body, `Stripe-Signature` signed now with the emulator's
 * webhook secret) and answers the status, 0 when no answer came. node:http with keep-alive costs
 * the bench a third of what fetch does, leaving the shared CPU to the server and the emulator.
 */
export function deliverSignedEvent(agent: Agent, url: URL, payload: string): Promise<number> {
  return new Promise((resolve) => {
    const body = Buffer.from(payload);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
          'stripe-signature': signPayload(payload, EMULATOR_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', () => resolve(0));
      },
    );
    req.once('error', () => resolve(0));
    req.end(body);
  });
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); NaN elsewhere. */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** What one autocannon run reports: average req/s, p99 latency (ms), and the requests answered. */
export interface AutocannonRun {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/**
 * Runs autocannon in a process of its own (so it does not measure itself against the server) with
 * `connections` for `seconds`, each request carrying `headers` (`Name=value`).
 */
export function runAutocannon(
  url: string,
  headers: string[],
  connections: number,
  seconds: number,
): Promise<AutocannonRun> {
  const args = [
    'node_modules/autocannon/autocannon.js',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-j',
  ];
  for (const h of headers) args.push('-H', h);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out);
      resolve({
        rps: r.requests.average,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        total: r.requests.total,
      });
    });
  });
}
