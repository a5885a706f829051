import { requestCrcOk } from './line.js';

/**
 * Cuts a slave's incoming byte stream into RTU request frames. Request lengths
 * follow from the function code; a frame with a bad CRC is dropped a byte at a
 * time until the stream lines up again, as a real device resynchronises.
 */
export class RtuRequestAssembler {
  private buf = Buffer.alloc(0);
  /** Bytes dropped as noise or damaged frames. */
  dropped = 0;

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const fc = this.buf[1]!;
      let len: number | null;
      if (fc >= 1 && fc <= 6) len = 8;
      else if (fc === 15 || fc === 16) len = this.buf.length >= 7 ? 9 + this.buf[6]! : null;
      else len = this.findUnknownLength();
      if (len === null || this.buf.length < len) break;
      const frame = this.buf.subarray(0, len);
      if (requestCrcOk(frame)) {
        frames.push(Buffer.from(frame));
        this.buf = this.buf.subarray(len);
      } else {
        this.dropped++;
        this.buf = this.buf.subarray(1);
      }
    }
    return frames;
  }

  /** Called after the line has been idle: whatever is left is noise. */
  flush(): void {
    this.dropped += this.buf.length;
    this.buf = Buffer.alloc(0);
  }

  get pending(): number {
    return this.buf.length;
  }

  /** An unknown function code: accept the shortest CRC-valid prefix, if any. */
  private findUnknownLength(): number | null {
    for (let len = 4; len <= Math.min(this.buf.length, 256); len++) if (requestCrcOk(this.buf.subarray(0, len))) return len;
    return null;
  }
}
