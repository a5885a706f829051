import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import type { ByteLink } from './link.js';

export interface TcpLinkOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/** A TCP connection to a Modbus TCP device or to a serial server (RTU over TCP). */
export class TcpLink extends EventEmitter implements ByteLink {
  private socket: Socket | null = null;

  constructor(private readonly options: TcpLinkOptions) {
    super();
  }

  get description(): string {
    return `tcp://${this.options.host}:${this.options.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== null;
  }

  open(): Promise<void> {
    if (this.socket) return Promise.reject(new Error('tcp link already open'));
    const socket = new Socket();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect timeout after ${this.options.connectTimeoutMs} ms`));
      }, this.options.connectTimeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.destroy();
        reject(e);
      };
      socket.once('error', fail);
      socket.connect(this.options.port, this.options.host, () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setNoDelay(true);
        // Serial servers drop idle sessions silently; keepalive notices a dead peer.
        socket.setKeepAlive(true, 10_000);
        this.socket = socket;
        let lastError: Error | undefined;
        socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
        socket.on('error', (e: Error) => (lastError = e));
        socket.once('close', () => {
          this.socket = null;
          socket.removeAllListeners();
          this.emit('close', lastError ?? new Error('connection closed by peer'));
        });
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      socket.destroy();
    });
  }

  write(data: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('tcp link is closed'));
    return new Promise((resolve, reject) => socket.write(data, (e) => (e ? reject(e) : resolve())));
  }
}
