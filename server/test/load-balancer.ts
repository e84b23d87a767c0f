/**
 * A load balancer for tests: one address on 127.0.0.1 in front of several billing server
 * processes, each request passed whole to a backend picked at random, as a deployment behind a
 * proxy sees it. Buyers, host backends and the emulator's webhooks all go through it, so it sees
 * every answer: a test asserts on the 5xx it counted, whoever sent the request.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A 5xx answer the balancer passed on. */
export interface ServerErrorAnswer {
  method: string;
  path: string;
  status: number;
  backend: number;
  /** The start of the answer's body (the error envelope). */
  body: string;
}

export interface LoadBalancer {
  url: string;
  /** Requests passed to each backend so far, in the order of `backends`. */
  perBackend: number[];
  /** Every 5xx answer so far (the balancer's own 502 for an unreachable backend included). */
  serverErrors: ServerErrorAnswer[];
  close(): Promise<void>;
}

/** Starts a balancer in front of `backends` (base URLs such as `http://127.0.0.1:PORT`). */
export async function startLoadBalancer(backends: string[]): Promise<LoadBalancer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const perBackend = backends.map(() => 0);
  const serverErrors: ServerErrorAnswer[] = [];
  const server: Server = createServer((req, res) => {
    const backend = Math.floor(Math.random() * backends.length);
    perBackend[backend]!++;
    const target = new URL(req.url ?? '/', backends[backend]);
    const upstream = request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      const status = answer.statusCode ?? 502;
      res.writeHead(status, answer.headers);
      let body = '';
      answer.on('data', (chunk: Buffer) => {
        if (status >= 500 && body.length < 500) body += chunk.toString('utf8');
        res.write(chunk);
      });
      answer.on('end', () => {
        if (status >= 500) {
          serverErrors.push({ method: req.method ?? '', path: req.url ?? '', status, backend, body });
        }
        res.end();
      });
    });
    upstream.on('error', (err) => {
      serverErrors.push({
        method: req.method ?? '',
        path: req.url ?? '',
        status: 502,
        backend,
        body: `balancer: ${err.message}`,
      });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('backend unreachable');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    perBackend,
    serverErrors,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
