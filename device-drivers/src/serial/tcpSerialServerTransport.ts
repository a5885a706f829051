import { Socket } from 'node:net';
import type { z } from 'zod';
import type { Connection } from './reconnectLoop.js';
import { BackoffSchema, TcpEndpointSchema, parseOptions } from './options.js';
import { ReconnectingByteTransport, type ByteLink, type ByteLinkHooks } from './transport.js';
import type { DriverLogger } from './logger.js';

export const TcpSerialServerTransportOptionsSchema = TcpEndpointSchema.extend({
  backoff: BackoffSchema.default({ initialDelayMs: 100, maxDelayMs: 1000 }),
});
export type TcpSerialServerTransportOptions = z.input<typeof TcpSerialServerTransportOptionsSchema>;

class SilenceTimeout extends Error {
  readonly code = 'ESILENCE';
  constructor(ms: number) {
    super(`no bytes for ${ms} ms; assuming the link is dead`);
  }
}

/**
 * The serial line of a reader behind a serial-to-Ethernet converter running as a TCP
 * server ("TCP Server" work mode on USR-TCP232-style boxes). The converter passes
 * bytes through unchanged, so framing stays the QR reader's business.
 */
export class TcpSerialServerTransport extends ReconnectingByteTransport {
  readonly options: z.output<typeof TcpSerialServerTransportOptionsSchema>;

  constructor(options: TcpSerialServerTransportOptions, logger?: DriverLogger) {
    const parsed = parseOptions(TcpSerialServerTransportOptionsSchema, options, 'tcp');
    super(`tcp:${parsed.host}:${parsed.port}`, 'tcp', { backoff: parsed.backoff, logger });
    this.options = parsed;
  }

  protected connectLink(hooks: ByteLinkHooks): Promise<Connection<ByteLink>> {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let connected = false;
      let lastError: Error | null = null;
      const connectTimer = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`connect timed out after ${o.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, o.connectTimeoutMs);
      socket.on('error', (err) => {
        lastError = err;
        if (!connected) {
          clearTimeout(connectTimer);
          reject(err);
        }
        // After connect, 'close' follows every 'error' and reports the loss.
      });
      socket.on('close', () => {
        clearTimeout(connectTimer);
        if (connected) hooks.lost(lastError);
        else reject(lastError ?? new Error('connection closed before it opened'));
      });
      socket.on('data', (chunk) => hooks.data(chunk));
      socket.on('timeout', () => socket.destroy(new SilenceTimeout(o.silenceTimeoutMs)));
      socket.connect({ host: o.host, port: o.port }, () => {
        clearTimeout(connectTimer);
        connected = true;
        socket.setNoDelay(true);
        if (o.keepAliveMs > 0) socket.setKeepAlive(true, o.keepAliveMs);
        if (o.silenceTimeoutMs > 0) socket.setTimeout(o.silenceTimeoutMs);
        resolve({
          link: { write: (data) => writeToSocket(socket, data) },
          destroy: () => destroySocket(socket),
        });
      });
    });
  }
}

function writeToSocket(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

function destroySocket(socket: Socket): Promise<void> {
  socket.removeAllListeners('data');
  socket.removeAllListeners('timeout');
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.destroy();
  });
}
