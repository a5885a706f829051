import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: forward it, answer with a status, or cut the connection. */
export type ProxyAction = 'pass' | 'drop' | { status: number; headers?: Record<string, string> };

/**
 * A real HTTP proxy between the client and the cloud that can fail on purpose: an outage
 * (connections cut), 503s, 429s with Retry-After, or a lost response (the cloud stored
 * the batch but the answer never reaches the client).
 */
export interface FlakyProxy {
  url: string;
  requests: { method: string; path: string; action: string; status: number }[];
  setPolicy(decide: (req: { method: string; path: string; n: number }) => ProxyAction | 'lose-response'): void;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  let decide: Parameters<FlakyProxy['setPolicy']>[0] = () => 'pass';
  let n = 0;
  const requests: FlakyProxy['requests'] = [];
  const t = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const action = decide({ method: req.method ?? 'GET', path, n: n++ });
      const log = (status: number) => requests.push({ method: req.method ?? '', path, action: typeof action === 'string' ? action : 'status', status });
      if (action === 'drop') {
        log(0);
        req.socket.destroy();
        return;
      }
      if (typeof action === 'object') {
        log(action.status);
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers }).end('{"error":"proxy"}');
        return;
      }
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path, headers: req.headers, agent }, (upRes) => {
        const body: Buffer[] = [];
        upRes.on('data', (c: Buffer) => body.push(c));
        upRes.on('end', () => {
          log(upRes.statusCode ?? 0);
          if (action === 'lose-response') return void req.socket.destroy();
          res.writeHead(upRes.statusCode ?? 502, upRes.headers).end(Buffer.concat(body));
        });
      });
      up.on('error', () => {
        log(502);
        res.writeHead(502).end();
      });
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setPolicy: (d) => void (decide = d),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
