import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Json } from './cloud.js';

/** A local HTTP endpoint standing in for an SMS gateway, a WeChat relay or a school webhook. */
export interface HttpSink {
  url: string;
  received: { headers: http.IncomingHttpHeaders; body: Json; raw: string; at: number }[];
  /** Answer of the next requests, in order; after the list runs out, `fallback`. */
  answers: { status: number; body?: unknown }[];
  fallback: { status: number; body?: unknown };
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const sink: Omit<HttpSink, 'url' | 'close'> = { received: [], answers: [], fallback: { status: 200, body: { ok: true } } };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep raw */
      }
      sink.received.push({ headers: req.headers, body, raw, at: Date.now() });
      const a = sink.answers.shift() ?? sink.fallback;
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(sink, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
