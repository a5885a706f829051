import type { LinkStatus } from './linkStatus.js';
import { ReconnectLoop, type Connection, type LinkHooks } from './reconnectLoop.js';
import type { BackoffPolicy } from './backoff.js';
import { silentLogger, type DriverLogger } from './logger.js';
import { SafeEmitter } from './safeEmitter.js';

export interface TransportStatus extends LinkStatus {
  bytesIn: number;
  bytesOut: number;
}

export interface ByteTransportEvents {
  /** Bytes as they arrive; chunk boundaries mean nothing. */
  data: [chunk: Buffer];
  state: [status: TransportStatus];
}

/**
 * A byte pipe to one device that keeps itself connected. `open()` starts the
 * connect/reconnect loop and returns at once: a reader that is unplugged at boot is
 * simply 'connecting' until it appears. Listeners that throw are logged, never
 * propagated.
 */
export interface ByteTransport {
  readonly id: string;
  readonly state: TransportStatus['state'];
  status(): TransportStatus;
  open(): void;
  close(): Promise<void>;
  /** Resolves once the bytes are handed to the OS; rejects with TransportNotOpenError when not open. */
  write(data: Uint8Array): Promise<void>;
  on<K extends keyof ByteTransportEvents>(event: K, listener: (...args: ByteTransportEvents[K]) => void): this;
  once<K extends keyof ByteTransportEvents>(event: K, listener: (...args: ByteTransportEvents[K]) => void): this;
  off<K extends keyof ByteTransportEvents>(event: K, listener: (...args: ByteTransportEvents[K]) => void): this;
}

export class TransportNotOpenError extends Error {
  readonly code = 'ENOTOPEN';
  constructor(id: string) {
    super(`transport ${id} is not open`);
    this.name = 'TransportNotOpenError';
  }
}

/** A connected byte link as the concrete transports provide it. */
export interface ByteLink {
  write(data: Buffer): Promise<void>;
}

export interface ByteLinkHooks extends LinkHooks {
  data(chunk: Buffer): void;
}

export interface TransportBaseOptions {
  backoff?: BackoffPolicy;
  logger?: DriverLogger;
}

/** Shared body of every ByteTransport: the reconnect loop, counters and events. */
export abstract class ReconnectingByteTransport extends SafeEmitter<ByteTransportEvents> implements ByteTransport {
  readonly id: string;
  protected readonly logger: DriverLogger;
  readonly #loop: ReconnectLoop<ByteLink>;
  #bytesIn = 0;
  #bytesOut = 0;

  protected constructor(id: string, kind: string, options: TransportBaseOptions) {
    const logger = options.logger ?? silentLogger;
    super((error, event) => logger.error({ err: error, transport: id, event }, 'transport listener threw'));
    this.id = id;
    this.logger = logger;
    this.#loop = new ReconnectLoop<ByteLink>({
      id,
      kind,
      backoff: options.backoff,
      logger,
      connect: (hooks) =>
        this.connectLink({
          lost: hooks.lost,
          get current() {
            return hooks.current;
          },
          data: (chunk) => {
            if (!hooks.current) return;
            this.#bytesIn += chunk.length;
            this.emit('data', chunk);
          },
        }),
      onState: (status) => {
        if (status.state === 'error') {
          logger.warn({ transport: id, error: status.error, nextAttemptAt: status.nextAttemptAt }, 'transport link down');
        } else logger.debug({ transport: id, state: status.state }, 'transport state');
        this.emit('state', this.#withCounters(status));
      },
    });
  }

  /** Opens the device once; called again by the loop after every loss. */
  protected abstract connectLink(hooks: ByteLinkHooks): Promise<Connection<ByteLink>>;

  get state(): TransportStatus['state'] {
    return this.#loop.status.state;
  }

  status(): TransportStatus {
    return this.#withCounters(this.#loop.status);
  }

  open(): void {
    this.#loop.start();
  }

  close(): Promise<void> {
    return this.#loop.stop();
  }

  async write(data: Uint8Array): Promise<void> {
    const link = this.#loop.link;
    if (!link) throw new TransportNotOpenError(this.id);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await link.write(buf);
    this.#bytesOut += buf.length;
  }

  #withCounters(status: LinkStatus): TransportStatus {
    return { ...status, bytesIn: this.#bytesIn, bytesOut: this.#bytesOut };
  }
}

/**
 * Resolves when the transport reaches `state` (immediately if it is there already),
 * rejects after `timeoutMs`. For start-up sequencing and tests; the drivers themselves
 * never wait like this.
 */
export function waitForState(transport: Pick<ByteTransport, 'state' | 'on' | 'off' | 'id'>, state: TransportStatus['state'], timeoutMs: number): Promise<void> {
  if (transport.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onState = (s: TransportStatus): void => {
      if (s.state !== state) return;
      clearTimeout(timer);
      transport.off('state', onState);
      resolve();
    };
    const timer = setTimeout(() => {
      transport.off('state', onState);
      reject(new Error(`${transport.id} did not reach '${state}' within ${timeoutMs} ms (now '${transport.state}')`));
    }, timeoutMs);
    transport.on('state', onState);
  });
}
