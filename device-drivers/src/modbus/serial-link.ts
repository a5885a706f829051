import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import type { ByteLink } from './link.js';

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

/** RS-485 through a local serial device (USB adapter, UART, or a pty in tests). */
export class SerialLink extends EventEmitter implements ByteLink {
  private port: SerialPort | null = null;

  constructor(private readonly options: SerialLinkOptions) {
    super();
  }

  get description(): string {
    const o = this.options;
    return `${o.path} ${o.baudRate} ${o.dataBits}${o.parity[0]!.toUpperCase()}${o.stopBits}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.port) return Promise.reject(new Error('serial link already open'));
    const port = new SerialPort({ ...this.options, autoOpen: false, lock: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err) {
          port.removeAllListeners();
          reject(err);
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => this.emit('data', chunk));
        // serialport reports both a clean close and a lost device through 'close';
        // errors on an open port are followed by 'close', so they are only remembered.
        let lastError: Error | undefined;
        port.on('error', (e: Error) => (lastError = e));
        port.once('close', (e?: Error) => {
          this.port = null;
          port.removeAllListeners();
          this.emit('close', e ?? lastError);
        });
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const port = this.port;
    if (!port || !port.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error('serial link is closed'));
    return new Promise((resolve, reject) => {
      port.write(data, (err) => {
        if (err) return reject(err);
        port.drain((e) => (e ? reject(e) : resolve()));
      });
    });
  }
}
