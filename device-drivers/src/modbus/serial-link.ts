import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { watchDevicePath } from '../serial/devicePresence.js';
import type { ByteLink } from './link.js';

/** How often the device path is checked while open (see serial/devicePresence.ts). */
const PRESENCE_CHECK_MS = 500;

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
        let closed = false;
        let unwatch: (() => void) | null = null;
        const finish = (e?: Error) => {
          if (closed) return;
          closed = true;
          unwatch?.();
          if (this.port === port) this.port = null;
          port.removeAllListeners();
          port.on('error', () => undefined);
          this.emit('close', e ?? lastError);
        };
        port.on('error', (e: Error) => (lastError = e));
        port.once('close', (e?: Error) => finish(e));
        // A tty that hangs up right after a read can leave serialport reading 0 bytes
        // forever without a 'close'; the device path tells the truth (unplug, replug).
        void watchDevicePath(this.options.path, PRESENCE_CHECK_MS, (gone) => {
          lastError = gone;
          if (port.isOpen) port.close(() => finish(gone));
          else finish(gone);
        }).then((stop) => {
          if (closed) stop();
          else unwatch = stop;
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
