import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import { SerialPathTransport, type SerialPathTransportOptions } from '../serial/serialPathTransport.js';
import { HexBytesSchema } from './feedback.js';

const SUFFIX_BYTES = { CR: '\r', LF: '\n', CRLF: '\r\n', none: '' } as const;

export const QrReaderSimulatorOptionsSchema = z.object({
  /** What the simulated module appends to each scan. */
  suffix: z.enum(['CR', 'LF', 'CRLF', 'none']).default('CRLF'),
  /** Bytes the simulated module answers to each command it receives (GM65-style ack). */
  reply: HexBytesSchema.optional(),
});
export type QrReaderSimulatorOptions = z.input<typeof QrReaderSimulatorOptionsSchema>;

interface SimulatorEvents {
  /** Bytes the host wrote to the "module" (feedback commands). */
  command: [bytes: Buffer];
  /** How many hosts are connected now (TCP), or 1/0 for the serial line being open. */
  connections: [count: number];
}

interface Endpoint {
  write(bytes: Buffer): Promise<number>;
  connections(): number;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Plays a QR reader for tests and the demo campus: either on the device end of a serial
 * line (a pty from socat, or a USB-serial cable looped to the edge), or as a serial-to-
 * Ethernet converter in TCP server mode. It "scans" by writing a line with the chosen
 * suffix, can misbehave on purpose, and records the commands the edge sends back.
 */
export class QrReaderSimulator extends SafeEmitter<SimulatorEvents> {
  readonly options: z.output<typeof QrReaderSimulatorOptionsSchema>;
  readonly #received: Buffer[] = [];
  #endpoint: Endpoint | null = null;
  /** TCP mode: the port the simulated converter listens on. */
  port = 0;

  private constructor(options: QrReaderSimulatorOptions, logger: DriverLogger) {
    super((error, event) => logger.error({ err: error, event }, 'QR simulator listener threw'));
    this.options = parseOptions(QrReaderSimulatorOptionsSchema, options, 'qr-simulator');
  }

  /** The module's end of a serial line. Survives unplug/replug like the real driver. */
  static overSerial(line: SerialPathTransportOptions, options: QrReaderSimulatorOptions = {}, logger: DriverLogger = silentLogger): QrReaderSimulator {
    const sim = new QrReaderSimulator(options, logger);
    const transport = new SerialPathTransport(line, logger);
    transport.on('data', (chunk) => sim.#fromHost(chunk, (b) => transport.write(b)));
    transport.on('state', (s) => sim.emit('connections', s.state === 'open' ? 1 : 0));
    transport.open();
    sim.#endpoint = {
      write: async (bytes) => {
        if (transport.state !== 'open') return 0;
        await transport.write(bytes);
        return 1;
      },
      connections: () => (transport.state === 'open' ? 1 : 0),
      unplug: () => transport.close(),
      replug: async () => transport.open(),
      close: () => transport.close(),
    };
    return sim;
  }

  /** A converter in TCP server mode on host:port (port 0 picks a free one, kept across replug). */
  static async asTcpServer(listen: { host?: string; port?: number } = {}, options: QrReaderSimulatorOptions = {}, logger: DriverLogger = silentLogger): Promise<QrReaderSimulator> {
    const sim = new QrReaderSimulator(options, logger);
    const host = listen.host ?? '127.0.0.1';
    const sockets = new Set<Socket>();
    let server: Server | null = null;
    const start = async (port: number): Promise<void> => {
      const s = createServer((socket) => {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.on('data', (chunk) => sim.#fromHost(chunk, (b) => writeSocket(socket, b)));
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          sim.emit('connections', sockets.size);
        });
        sim.emit('connections', sockets.size);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => resolve());
      });
      server = s;
      sim.port = (s.address() as AddressInfo).port;
    };
    const stop = async (): Promise<void> => {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    };
    await start(listen.port ?? 0);
    sim.#endpoint = {
      write: async (bytes) => {
        const targets = [...sockets];
        await Promise.all(targets.map((socket) => writeSocket(socket, bytes).catch(() => {})));
        return targets.length;
      },
      connections: () => sockets.size,
      unplug: stop,
      replug: async () => {
        if (!server) await start(sim.port);
      },
      close: stop,
    };
    return sim;
  }

  /** A card is read: its text plus the configured suffix. Resolves to how many hosts got it. */
  scan(text: string): Promise<number> {
    return this.write(Buffer.from(text + SUFFIX_BYTES[this.options.suffix], 'utf8'));
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#ep().write(Buffer.from(bytes));
  }

  /** A broken module spewing random bytes as fast as the link takes them. */
  async spewGarbage(totalBytes: number, chunkSize = 4096): Promise<void> {
    for (let sent = 0; sent < totalBytes; sent += chunkSize) {
      await this.write(randomBytes(Math.min(chunkSize, totalBytes - sent)));
    }
  }

  get connections(): number {
    return this.#endpoint?.connections() ?? 0;
  }

  /** Everything the host has written to the module so far. */
  received(): Buffer {
    return Buffer.concat(this.#received);
  }

  unplug(): Promise<void> {
    return this.#ep().unplug();
  }

  replug(): Promise<void> {
    return this.#ep().replug();
  }

  async close(): Promise<void> {
    await this.#endpoint?.close();
    this.#endpoint = null;
  }

  #ep(): Endpoint {
    if (!this.#endpoint) throw new Error('QR simulator is closed');
    return this.#endpoint;
  }

  #fromHost(chunk: Buffer, answer: (b: Buffer) => Promise<void>): void {
    this.#received.push(Buffer.from(chunk));
    // A demo campus runs for days: keep the recent commands only.
    if (this.#received.length > 1000) this.#received.splice(0, this.#received.length - 1000);
    this.emit('command', chunk);
    if (this.options.reply) answer(this.options.reply).catch(() => {});
  }
}

function writeSocket(socket: Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
}
