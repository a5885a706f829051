import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TcpSerialServerTransport, waitForState, createTransport, type TransportStatus } from '../../src/serial/index.js';
import { collectBytes, eventually } from './helpers.js';

/** Stands in for a serial-to-Ethernet converter in TCP server mode. */
class FakeConverter {
  server: Server;
  sockets = new Set<Socket>();
  received: Buffer[] = [];
  port = 0;

  constructor() {
    this.server = this.#make();
  }

  #make(): Server {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('data', (d) => this.received.push(d));
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    });
    return server;
  }

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  send(text: string): void {
    for (const s of this.sockets) s.write(text);
  }

  /** Power cycle: every connection dropped, nothing listening until restart(). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    this.server = this.#make();
    await this.listen(this.port);
  }
}

describe('TcpSerialServerTransport against a real TCP server', () => {
  let converter: FakeConverter | null = null;
  let transport: TcpSerialServerTransport | null = null;

  afterEach(async () => {
    await transport?.close();
    transport = null;
    if (converter?.server.listening) await converter.stop();
    converter = null;
  });

  it('carries bytes both ways', async () => {
    converter = new FakeConverter();
    const port = await converter.listen();
    transport = new TcpSerialServerTransport({ host: '127.0.0.1', port });
    const got = collectBytes(transport);
    transport.open();
    await waitForState(transport, 'open', 5000);
    await eventually(() => converter!.sockets.size === 1, 5000, 'the converter to see us');
    converter.send('VIS:42\r\n');
    await eventually(() => got.bytes().toString() === 'VIS:42\r\n', 5000, 'bytes from the converter');
    await transport.write(Buffer.from('beep'));
    await eventually(() => Buffer.concat(converter!.received).toString() === 'beep', 5000, 'bytes to the converter');
  });

  it('reconnects after the converter drops the connection and after a power cycle', async () => {
    converter = new FakeConverter();
    const port = await converter.listen();
    transport = new TcpSerialServerTransport({ host: '127.0.0.1', port });
    const states: TransportStatus[] = [];
    transport.on('state', (s) => states.push(s));
    const got = collectBytes(transport);
    transport.open();
    await waitForState(transport, 'open', 5000);
    await eventually(() => converter!.sockets.size === 1, 5000, 'first connection');

    // 1. the link drops, the converter stays up
    for (const s of converter.sockets) s.destroy();
    await eventually(() => transport!.status().reconnects === 1 && transport!.state === 'open', 10_000, 'reconnect after drop');

    // 2. the converter is power-cycled: refused while it is down, back when it is up
    await converter.stop();
    await eventually(() => states.some((s) => s.state === 'error' && s.error?.code === 'ECONNREFUSED'), 10_000, 'refusals while down');
    await converter.restart();
    await eventually(() => transport!.status().reconnects === 2 && transport!.state === 'open', 10_000, 'reconnect after power cycle');
    await eventually(() => converter!.sockets.size === 1, 5000, 'converter sees the new connection');
    converter.send('BACK\r\n');
    await eventually(() => got.bytes().toString().endsWith('BACK\r\n'), 5000, 'bytes after reconnect');
  });

  it('treats a silent link as dead when a heartbeat is expected', async () => {
    converter = new FakeConverter();
    const port = await converter.listen();
    transport = new TcpSerialServerTransport({ host: '127.0.0.1', port, silenceTimeoutMs: 200 });
    const states: TransportStatus[] = [];
    transport.on('state', (s) => states.push(s));
    transport.open();
    await eventually(() => states.some((s) => s.state === 'error' && s.error?.code === 'ESILENCE'), 10_000, 'silence detected');
    await eventually(() => transport!.state === 'open' && transport!.status().reconnects >= 1, 10_000, 'reconnect after silence');
  });

  it('is built from a config entry', async () => {
    converter = new FakeConverter();
    const port = await converter.listen();
    const t = createTransport({ kind: 'tcp', host: '127.0.0.1', port });
    expect(t).toBeInstanceOf(TcpSerialServerTransport);
    expect(t.id).toBe(`tcp:127.0.0.1:${port}`);
    expect(() => createTransport({ kind: 'tcp', host: '127.0.0.1', port: 70_000 })).toThrow(/port/);
  });
});
