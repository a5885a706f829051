import { z } from 'zod';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { parseOptions } from '../serial/options.js';
import { SafeEmitter } from '../serial/safeEmitter.js';
import { TransportNotOpenError, type ByteTransport, type TransportStatus } from '../serial/transport.js';
import { BAD_FRAME_REASON_CODES, BAD_FRAME_REASONS, FramingSchema, type BadFrameReason, type Frame, type FramerStats } from './framing.js';
import { FeedbackSchema, ReplyFilter, type Feedback, type FeedbackKind, type FeedbackResult } from './feedback.js';
import { LineFramer } from './lineFramer.js';
import './messages.js';

export const QrReaderOptionsSchema = z.strictObject({
  /** The reader's id in the edge config, e.g. "north-gate-in". */
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  framing: FramingSchema.prefault({}),
  feedback: FeedbackSchema.prefault({}),
  /** Whole lines to drop silently, e.g. a serial server's heartbeat text. */
  ignoreLines: z.array(z.string().min(1).max(256)).max(16).default([]),
  /**
   * Drop the same text from this reader again within this window. A module in
   * continuous mode re-reads a card held in front of it; better set on the module
   * ("same code interval"), this is the fallback. 0 = off.
   */
  repeatSuppressMs: z.number().int().min(0).max(60_000).default(0),
});
export type QrReaderOptions = z.input<typeof QrReaderOptionsSchema>;

/** One card read, ready for the decision engine. */
export interface QrScan {
  readerId: string;
  text: string;
  /** ms since epoch when the chunk holding the last byte arrived. */
  at: number;
  /** process.hrtime.bigint() at that moment, for latency measurements. */
  receivedAtNs: bigint;
  terminator: 'CR' | 'LF' | 'CRLF' | 'idle';
}

export interface QrBadFrame {
  readerId: string;
  at: number;
  reason: BadFrameReason;
  /** Event reason code, e.g. "reader.frame.no_suffix"; also the i18n message id. */
  reasonCode: string;
  bytes: number;
  lines: number;
  preview: string;
}

export type ReaderLinkStatus = TransportStatus & { readerId: string };

export interface QrReaderStatus {
  readerId: string;
  link: TransportStatus;
  framer: FramerStats;
  scans: number;
  suppressedRepeats: number;
  ignoredLines: number;
  badFrames: Record<BadFrameReason, number>;
  replyBytesSwallowed: number;
  lastScanAt: number | null;
  lastBadFrame: QrBadFrame | null;
}

export interface QrReaderEvents {
  scan: [scan: QrScan];
  'bad-frame': [frame: QrBadFrame];
  state: [status: ReaderLinkStatus];
}

/**
 * A QR reader on a byte transport: frames its lines, reports bad input without ever
 * stopping, and sends feedback commands where the module supports them. The reader
 * owns its transport (open/close go through it). A scan is emitted synchronously from
 * the transport's data callback, so a decision made in the listener adds no queueing.
 */
export class QrReader extends SafeEmitter<QrReaderEvents> {
  readonly id: string;
  readonly options: z.output<typeof QrReaderOptionsSchema>;
  readonly transport: ByteTransport;
  readonly #logger: DriverLogger;
  readonly #framer: LineFramer;
  readonly #feedback: Feedback;
  readonly #replies: ReplyFilter | null;
  readonly #ignore: Set<string>;
  #idleTimer: NodeJS.Timeout | null = null;
  #chunkAt = 0;
  #chunkAtNs = 0n;
  #attached = false;
  #last: { text: string; at: number } | null = null;
  readonly #counts = {
    scans: 0,
    suppressedRepeats: 0,
    ignoredLines: 0,
    badFrames: Object.fromEntries(BAD_FRAME_REASONS.map((r) => [r, 0])) as Record<BadFrameReason, number>,
    lastScanAt: null as number | null,
    lastBadFrame: null as QrBadFrame | null,
  };

  constructor(transport: ByteTransport, options: QrReaderOptions, logger: DriverLogger = silentLogger) {
    const parsed = parseOptions(QrReaderOptionsSchema, options, 'qr-reader');
    super((error, event) => logger.error({ err: error, readerId: parsed.id, event }, 'reader listener threw'));
    this.id = parsed.id;
    this.options = parsed;
    this.transport = transport;
    this.#logger = logger;
    this.#framer = new LineFramer(parsed.framing, (frame) => this.#onFrame(frame));
    this.#feedback = parsed.feedback;
    this.#replies = parsed.feedback.reply ? new ReplyFilter(parsed.feedback.reply, parsed.feedback.replyTimeoutMs) : null;
    this.#ignore = new Set(parsed.ignoreLines);
  }

  open(): void {
    if (!this.#attached) {
      this.transport.on('data', this.#onData);
      this.transport.on('state', this.#onState);
      this.#attached = true;
    }
    this.transport.open();
  }

  async close(): Promise<void> {
    await this.transport.close();
    this.transport.off('data', this.#onData);
    this.transport.off('state', this.#onState);
    this.#attached = false;
    this.#clearIdle();
    this.#framer.reset();
  }

  /** Sends the configured beep/LED command; never rejects. */
  async feedback(kind: FeedbackKind): Promise<FeedbackResult> {
    const bytes = this.#feedback[kind];
    if (!bytes) return 'unsupported';
    if (this.transport.state !== 'open') return 'offline';
    this.#replies?.expect();
    try {
      await this.transport.write(bytes);
      return 'sent';
    } catch (error) {
      if (error instanceof TransportNotOpenError) return 'offline';
      this.#logger.warn({ err: error, readerId: this.id, kind }, 'reader feedback write failed');
      return 'failed';
    }
  }

  status(): QrReaderStatus {
    return {
      readerId: this.id,
      link: this.transport.status(),
      framer: this.#framer.stats(),
      scans: this.#counts.scans,
      suppressedRepeats: this.#counts.suppressedRepeats,
      ignoredLines: this.#counts.ignoredLines,
      badFrames: { ...this.#counts.badFrames },
      replyBytesSwallowed: this.#replies?.swallowedBytes ?? 0,
      lastScanAt: this.#counts.lastScanAt,
      lastBadFrame: this.#counts.lastBadFrame,
    };
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunkAt = Date.now();
    this.#chunkAtNs = process.hrtime.bigint();
    const bytes = this.#replies ? this.#replies.filter(chunk, this.#chunkAt) : chunk;
    if (bytes.length > 0) this.#framer.push(bytes);
    if (this.#framer.pendingBytes > 0 || (this.#replies?.holding ?? 0) > 0) this.#armIdle();
    else this.#clearIdle();
  };

  readonly #onState = (status: TransportStatus): void => {
    if (status.state !== 'open') {
      this.#clearIdle();
      this.#framer.reset();
    }
    this.emit('state', { ...status, readerId: this.id });
  };

  #armIdle(): void {
    if (this.#idleTimer) {
      this.#idleTimer.refresh();
      return;
    }
    this.#idleTimer = setTimeout(() => this.#onIdle(), this.options.framing.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #clearIdle(): void {
    if (!this.#idleTimer) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #onIdle(): void {
    this.#idleTimer = null;
    const held = this.#replies?.release() ?? Buffer.alloc(0);
    if (held.length > 0) this.#framer.push(held);
    this.#framer.idle();
  }

  #onFrame(frame: Frame): void {
    const at = this.#chunkAt || Date.now();
    if (frame.kind === 'bad') {
      const bad: QrBadFrame = {
        readerId: this.id,
        at,
        reason: frame.reason,
        reasonCode: BAD_FRAME_REASON_CODES[frame.reason],
        bytes: frame.bytes,
        lines: frame.lines,
        preview: frame.preview,
      };
      this.#counts.badFrames[frame.reason] += frame.lines || 1;
      this.#counts.lastBadFrame = bad;
      this.emit('bad-frame', bad);
      return;
    }
    if (this.#ignore.has(frame.text)) {
      this.#counts.ignoredLines++;
      return;
    }
    const window = this.options.repeatSuppressMs;
    if (window > 0 && this.#last && this.#last.text === frame.text && at - this.#last.at < window) {
      this.#counts.suppressedRepeats++;
      return;
    }
    this.#last = { text: frame.text, at };
    this.#counts.scans++;
    this.#counts.lastScanAt = at;
    this.emit('scan', { readerId: this.id, text: frame.text, at, receivedAtNs: this.#chunkAtNs || process.hrtime.bigint(), terminator: frame.terminator });
  }
}
