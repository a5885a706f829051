import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between an edge and its cloud on loopback: `cut()` drops every open
 * connection and refuses new ones (the bus in a tunnel), `restore()` lets them through again.
 */
export class LinkProxy {
  #server: Server;
  #sockets = new Set<Socket>();
  #up = true;
  port = 0;
  /** Connections refused while cut. */
  refused = 0;

  private constructor(readonly targetPort: number) {
    this.#server = createServer((client) => {
      if (!this.#up) {
        this.refused++;
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(targetPort: number): Promise<LinkProxy> {
    const p = new LinkProxy(targetPort);
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', resolve));
    p.port = (p.#server.address() as { port: number }).port;
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.#up;
  }

  cut(): void {
    this.#up = false;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
