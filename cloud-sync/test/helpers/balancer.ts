import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal HTTP load balancer as any production one behaves (nginx `proxy_next_upstream
 * error`): requests go round-robin to the backends; a backend that refuses the connection
 * is skipped and the request goes to the next one (the request never reached it, so even a
 * POST is safe to send elsewhere). A backend that dies mid-request cuts that response,
 * which the client sees as a lost answer and retries.
 */
export interface Balancer {
  url: string;
  /** Requests answered per backend (index into the targets). */
  served: number[];
  close(): Promise<void>;
}

export async function startBalancer(targets: string[]): Promise<Balancer> {
  const served = targets.map(() => 0);
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const i = next++ % targets.length;
        const t = new URL(targets[i]!);
        const up = http.request(
          { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host, 'content-length': String(body.length) }, agent },
          (r) => {
            served[i]!++;
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
            r.on('error', () => res.destroy());
          },
        );
        up.on('error', (err: NodeJS.ErrnoException) => {
          if (!res.headersSent && err.code === 'ECONNREFUSED' && tries < targets.length) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"bad gateway"}');
          else res.destroy();
        });
        // Long-polls are cut when the client goes away.
        res.on('close', () => up.destroy());
        up.end(body);
      };
      attempt(1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
