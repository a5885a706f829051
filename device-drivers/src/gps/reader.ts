import { z } from 'zod';
import { createTransport, TransportConfigSchema } from '../serial/createTransport.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import type { ByteTransport, TransportStatus } from '../serial/transport.js';
import { LineFramer } from '../qr/lineFramer.js';
import { GpsCheckSchema, GpsTracker, type GpsFix, type GpsRefused } from './tracker.js';
import './messages.js';

export const GpsReaderOptionsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).default('gps').describe('Receiver id in logs and metrics'),
  checks: GpsCheckSchema.prefault({}).describe('What counts as a usable fix'),
  idleMs: z.number().int().min(20).max(5000).default(150).describe('Silence after which a burst of sentences is complete'),
});
export type GpsReaderOptions = z.input<typeof GpsReaderOptionsSchema>;

/** A receiver as it appears in a config file: how to reach it (serial path or TCP serial server) plus checks. */
export const GpsReaderConfigSchema = GpsReaderOptionsSchema.extend({ transport: TransportConfigSchema });
export type GpsReaderConfig = z.input<typeof GpsReaderConfigSchema>;

export interface GpsReaderEvents {
  fix: [fix: GpsFix];
  refused: [r: GpsRefused & { readerId: string }];
  state: [status: TransportStatus];
}

export interface GpsReaderStatus {
  id: string;
  link: TransportStatus;
  counts: GpsTracker['counts'];
  lastFix: GpsFix | null;
  stale: boolean;
}

/**
 * An NMEA 0183 receiver (GPS/BeiDou) on a byte transport: lines are cut by the same
 * framer as the QR readers (bounded memory, garbage and overlong lines reported), parsed
 * and checked by the tracker. It never stops on bad input; every refusal is counted.
 */
export class GpsReader extends SafeEmitter<GpsReaderEvents> {
  readonly id: string;
  readonly options: z.output<typeof GpsReaderOptionsSchema>;
  readonly tracker: GpsTracker;
  readonly #framer: LineFramer;
  #idle: NodeJS.Timeout | null = null;

  constructor(
    readonly transport: ByteTransport,
    options: GpsReaderOptions = {},
    logger: DriverLogger = silentLogger,
    now: () => number = Date.now,
  ) {
    super((error, event) => logger.error({ err: error, event }, 'GPS reader listener threw'));
    this.options = parseOptions(GpsReaderOptionsSchema, options, 'gps');
    this.id = this.options.id;
    this.tracker = new GpsTracker(
      this.options.checks,
      now,
      (fix) => this.emit('fix', fix),
      (r) => this.emit('refused', { ...r, readerId: this.id }),
    );
    this.#framer = new LineFramer({ terminator: 'auto', maxLineLength: 256, charset: 'ascii', onMissingSuffix: 'discard', idleTimeoutMs: this.options.idleMs }, (frame) => {
      if (frame.kind === 'line') this.tracker.line(frame.text);
      else this.tracker.refuse('bad_frame', { detail: frame.reason });
    });
    transport.on('data', (chunk) => {
      this.#framer.push(chunk);
      if (this.#idle) clearTimeout(this.#idle);
      this.#idle = setTimeout(() => {
        this.#idle = null;
        this.#framer.idle();
        this.tracker.flush();
      }, this.options.idleMs);
    });
    transport.on('state', (s) => {
      if (s.state !== 'open') this.#framer.reset();
      this.emit('state', s);
    });
  }

  open(): void {
    this.transport.open();
  }

  async close(): Promise<void> {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    await this.transport.close();
  }

  status(): GpsReaderStatus {
    return { id: this.id, link: this.transport.status(), counts: { ...this.tracker.counts }, lastFix: this.tracker.last, stale: this.tracker.stale() };
  }
}

export function createGpsReader(config: GpsReaderConfig, logger?: DriverLogger, now?: () => number): GpsReader {
  const parsed = parseOptions(GpsReaderConfigSchema, config, 'gps');
  const { transport, ...options } = parsed;
  return new GpsReader(createTransport(transport, logger), options, logger, now);
}
