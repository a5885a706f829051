import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'ok' | 'fail' | 'timeout';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  at: number;
  /** The status answered, or null when the request was left hanging (a target that times out). */
  answered: number | null;
}

/**
 * A school's webhook receiver on loopback: answers 200, answers 500, or never answers
 * (the sender's timeout fires), switched by the test at any moment.
 */
export interface Receiver {
  url: string;
  mode: ReceiverMode;
  received: ReceivedHook[];
  /** Event ids answered 2xx, with how many times. */
  delivered(): Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<Receiver> {
  const state = { mode, received: [] as ReceivedHook[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: ReceivedHook = { headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answered: null };
      state.received.push(hit);
      if (state.mode === 'timeout') return; // hold the request open; the sender gives up
      hit.answered = state.mode === 'ok' ? 200 : 500;
      res.writeHead(hit.answered, { 'content-type': 'text/plain' }).end(state.mode === 'ok' ? 'ok' : 'receiver broken');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/campus`,
    delivered() {
      const m = new Map<string, number>();
      for (const h of state.received) if (h.answered !== null && h.answered < 300) m.set(String(h.headers['x-campus-event-id']), (m.get(String(h.headers['x-campus-event-id'])) ?? 0) + 1);
      return m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
