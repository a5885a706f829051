import { SerialPort } from 'serialport';
import { z } from 'zod';
import type { Connection } from './reconnectLoop.js';
import { BackoffSchema, SerialLineSchema, parseOptions } from './options.js';
import { ReconnectingByteTransport, type ByteLink, type ByteLinkHooks } from './transport.js';
import type { DriverLogger } from './logger.js';
import { watchDevicePath } from './devicePresence.js';

export const SerialPathTransportOptionsSchema = SerialLineSchema.extend({
  backoff: BackoffSchema.default({ initialDelayMs: 100, maxDelayMs: 1000 }),
  /** How often to check that the path still leads to the opened device (see devicePresence.ts). 0 = off. */
  presenceCheckMs: z.number().int().min(0).max(60_000).default(500),
});
export type SerialPathTransportOptions = z.input<typeof SerialPathTransportOptionsSchema>;

/**
 * A device on a local serial path: RS-232/TTL/RS-485 adapters, USB CDC readers, or a
 * pty in tests. An unplugged USB adapter makes serialport close with `disconnected`;
 * the path then fails with ENOENT until the adapter is back, and the next attempt
 * (at most `backoff.maxDelayMs` later) reopens it.
 */
export class SerialPathTransport extends ReconnectingByteTransport {
  readonly options: z.output<typeof SerialPathTransportOptionsSchema>;

  constructor(options: SerialPathTransportOptions, logger?: DriverLogger) {
    const parsed = parseOptions(SerialPathTransportOptionsSchema, options, 'serial');
    super(`serial:${parsed.path}`, 'serial', { backoff: parsed.backoff, logger });
    this.options = parsed;
  }

  protected connectLink(hooks: ByteLinkHooks): Promise<Connection<ByteLink>> {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: o.path,
        baudRate: o.baudRate,
        dataBits: o.dataBits,
        parity: o.parity,
        stopBits: o.stopBits,
        rtscts: o.rtscts,
        autoOpen: false,
      });
      let opened = false;
      // An 'error' listener must stay attached for the port's whole life: an
      // unhandled 'error' event would crash the process.
      port.on('error', (err: Error) => {
        if (opened) hooks.lost(err);
      });
      port.on('close', (err?: Error | null) => {
        if (opened) hooks.lost(err ?? null);
      });
      port.on('data', (chunk: Buffer) => hooks.data(chunk));
      port.open((err) => {
        if (err) {
          port.removeAllListeners('data');
          reject(err);
          return;
        }
        opened = true;
        const watching = o.presenceCheckMs > 0 ? watchDevicePath(o.path, o.presenceCheckMs, (gone) => hooks.lost(gone)) : null;
        resolve({
          link: { write: (data) => writeToPort(port, data) },
          destroy: async () => {
            (await watching)?.();
            await closePort(port);
          },
        });
      });
    });
  }
}

function writeToPort(port: SerialPort, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(data, (err: Error | null | undefined) => (err ? reject(err) : resolve()));
  });
}

function closePort(port: SerialPort): Promise<void> {
  port.removeAllListeners('data');
  port.removeAllListeners('close');
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    port.close(() => resolve());
  });
}
