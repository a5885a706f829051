import { parseOptions } from '../serial/options.js';
import { FramingSchema, type BadFrame, type BadFrameReason, type Frame, type Framing, type FramingOptions, type FramerStats } from './framing.js';

const CR = 0x0d;
const LF = 0x0a;
const PREVIEW_BYTES = 16;

/**
 * Cuts a reader's byte stream into lines. Pure and synchronous: the owner pushes chunks
 * and tells it when the line has gone idle, so the same code runs on a serial port, a
 * TCP serial server, a HID decoder, and under a fuzzer.
 *
 * Memory is fixed at maxLineLength bytes whatever arrives; every byte pushed ends up in
 * exactly one line, one bad frame, the ignored count, or the line still in progress.
 */
export class LineFramer {
  readonly options: Framing;
  readonly #sink: (frame: Frame) => void;
  readonly #buf: Buffer;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #len = 0;
  #reported = 0;
  #garbage = false;
  #pendingCr = false;
  // Bad frames of the current push, at most one per reason, flushed in first-seen order.
  readonly #pendingBad: BadFrame[] = [];
  readonly #stats = { bytesIn: 0, lineBytes: 0, badBytes: 0, ignoredBytes: 0, lines: 0, badFrames: 0 };

  constructor(options: FramingOptions, sink: (frame: Frame) => void) {
    this.options = parseOptions(FramingSchema, options, 'framing');
    this.#sink = sink;
    this.#buf = Buffer.alloc(this.options.maxLineLength);
  }

  get pendingBytes(): number {
    return this.#len - this.#reported + (this.#pendingCr ? 1 : 0);
  }

  stats(): FramerStats {
    return { ...this.#stats, pendingBytes: this.pendingBytes };
  }

  push(chunk: Uint8Array): void {
    this.#stats.bytesIn += chunk.length;
    const mode = this.options.terminator;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (mode === 'CRLF') {
        if (this.#pendingCr) {
          this.#pendingCr = false;
          if (b === LF) {
            this.#endLine(2, 'CRLF');
            continue;
          }
          this.#content(CR);
        }
        if (b === CR) {
          this.#pendingCr = true;
          continue;
        }
      } else if ((b === CR && mode !== 'LF') || (b === LF && mode !== 'CR')) {
        this.#endLine(1, b === CR ? 'CR' : 'LF');
        continue;
      }
      this.#content(b);
    }
    this.#flushBad();
  }

  /** The line went quiet: give up the partial line, or take it if configured to. */
  idle(): void {
    this.#abandon(null);
  }

  /** The link dropped: whatever was in progress is 'truncated'. */
  reset(): void {
    this.#abandon('truncated');
  }

  #content(b: number): void {
    const n = this.#len++;
    if (n < this.#buf.length) {
      this.#buf[n] = b;
      if (!this.#printable(b)) this.#garbage = true;
      return;
    }
    const unreported = this.#len - this.#reported;
    if (unreported >= this.options.overlongReportEvery) {
      this.#bad('overlong', unreported, 0);
      this.#reported = this.#len;
    }
  }

  #printable(b: number): boolean {
    return (b >= 0x20 && b <= 0x7e) || (b >= 0x80 && this.options.charset === 'utf8');
  }

  #endLine(terminatorBytes: number, terminator: 'CR' | 'LF' | 'CRLF'): void {
    if (this.#len === 0) {
      this.#stats.ignoredBytes += terminatorBytes;
      return;
    }
    const bytes = this.#len - this.#reported + terminatorBytes;
    if (this.#len > this.#buf.length) this.#bad('overlong', bytes, 1);
    else if (this.#garbage) this.#bad('garbage', bytes, 1);
    else {
      const text = this.#decode();
      if (text === null) this.#bad('garbage', bytes, 1);
      else this.#line(text, bytes, terminator);
    }
    this.#clearLine();
  }

  #abandon(forced: BadFrameReason | null): void {
    const hadCr = this.#pendingCr;
    this.#pendingCr = false;
    if (this.#len === 0 && !hadCr) return;
    const bytes = this.#len - this.#reported + (hadCr ? 1 : 0);
    if (this.#len === 0) {
      // A lone CR in CRLF mode: nothing of a line, only half a terminator.
      this.#bad(forced ?? 'no-suffix', bytes, 1);
    } else if (this.#len > this.#buf.length) this.#bad(forced ?? 'overlong', bytes, 1);
    else if (this.#garbage) this.#bad(forced ?? 'garbage', bytes, 1);
    else if (forced) this.#bad(forced, bytes, 1);
    else {
      const text = this.options.onMissingSuffix === 'accept' && !hadCr ? this.#decode() : null;
      if (text !== null) this.#line(text, bytes, 'idle');
      else this.#bad('no-suffix', bytes, 1);
    }
    this.#clearLine();
    this.#flushBad();
  }

  #decode(): string | null {
    const view = this.#buf.subarray(0, this.#len);
    if (this.options.charset === 'ascii') return view.toString('latin1');
    try {
      const text = this.#decoder.decode(view);
      // C1 controls survive UTF-8 validation but are no more printable than C0 ones.
      return /[\u0080-\u009f\u2028\u2029]/.test(text) ? null : text;
    } catch {
      return null;
    }
  }

  #line(text: string, bytes: number, terminator: 'CR' | 'LF' | 'CRLF' | 'idle'): void {
    this.#flushBad();
    this.#stats.lineBytes += bytes;
    this.#stats.lines++;
    this.#sink({ kind: 'line', text, bytes, terminator });
  }

  #bad(reason: BadFrameReason, bytes: number, lines: number): void {
    this.#stats.badBytes += bytes;
    const pending = this.#pendingBad.find((f) => f.reason === reason);
    if (pending) {
      pending.bytes += bytes;
      pending.lines += lines;
      return;
    }
    const previewLength = Math.min(this.#len, this.#buf.length, PREVIEW_BYTES);
    this.#pendingBad.push({ kind: 'bad', reason, bytes, lines, preview: this.#buf.toString('hex', 0, previewLength) });
  }

  #flushBad(): void {
    if (this.#pendingBad.length === 0) return;
    const frames = this.#pendingBad.splice(0);
    for (const frame of frames) {
      this.#stats.badFrames++;
      this.#sink(frame);
    }
  }

  #clearLine(): void {
    this.#len = 0;
    this.#reported = 0;
    this.#garbage = false;
  }
}
