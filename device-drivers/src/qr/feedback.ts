import { z } from 'zod';

/**
 * Byte strings written in config as hex ("7E 00 08 01 00 02 01 AB CD", spaces and
 * 0x prefixes optional). Vendors document reader commands this way, so installers can
 * copy them from the module's manual without translation.
 */
/** Hex text from a config file, or bytes from code. */
export const HexBytesSchema = z.union([z.string(), z.instanceof(Uint8Array)]).transform((value, ctx) => {
  if (typeof value !== 'string') {
    if (value.length > 0 && value.length <= 256) return Buffer.from(value);
    ctx.addIssue({ code: 'custom', message: 'expected 1 to 256 bytes' });
    return z.NEVER;
  }
  const hex = value.replace(/0x/gi, '').replace(/[\s,:-]+/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length > 512) {
    ctx.addIssue({ code: 'custom', message: 'expected up to 256 hex bytes, e.g. "7E 00 08 01 00 02 01 AB CD"' });
    return z.NEVER;
  }
  return Buffer.from(hex, 'hex');
});

/**
 * Reader feedback after a decision. Nothing is sent unless configured: whether a module
 * can be told to beep or light an LED on demand, and with which bytes, depends on the
 * model and firmware. Check your module's manual (see firmware-notes/readers-and-turnstiles.md).
 */
export const FeedbackSchema = z.strictObject({
  granted: HexBytesSchema.optional(),
  denied: HexBytesSchema.optional(),
  /**
   * The module's fixed reply to a command, if it sends one (GM65-class modules answer a
   * write with "02 00 00 01 00 33 31"). It arrives on the same line as scans, so it is
   * cut out of the stream instead of being framed as garbage in front of the next card.
   */
  reply: HexBytesSchema.optional(),
  replyTimeoutMs: z.number().int().min(10).max(10_000).default(500),
});
export type FeedbackOptions = z.input<typeof FeedbackSchema>;
export type Feedback = z.output<typeof FeedbackSchema>;

export type FeedbackKind = 'granted' | 'denied';
/** 'sent': handed to the link; 'unsupported': no bytes configured; 'offline': link not open; 'failed': write error. */
export type FeedbackResult = 'sent' | 'unsupported' | 'offline' | 'failed';

/**
 * Cuts expected command replies out of the byte stream. The reply is a fixed byte
 * string that starts with a non-printable byte, so it cannot be confused with card data;
 * partial matches are held back (at most the reply's length) until they complete or fail.
 */
export class ReplyFilter {
  readonly #pattern: Buffer;
  readonly #timeoutMs: number;
  #expected = 0;
  #deadline = 0;
  #matched = 0;
  swallowedBytes = 0;

  constructor(pattern: Buffer, timeoutMs: number) {
    this.#pattern = pattern;
    this.#timeoutMs = timeoutMs;
  }

  /** One more reply is due (a command was just written). */
  expect(now = Date.now()): void {
    this.#expected++;
    this.#deadline = now + this.#timeoutMs;
  }

  get holding(): number {
    return this.#matched;
  }

  filter(chunk: Buffer, now = Date.now()): Buffer {
    if (this.#expected > 0 && now > this.#deadline) this.#expected = 0;
    if (this.#expected === 0 && this.#matched === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + this.#matched);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#expected > 0 && b === this.#pattern[this.#matched]) {
        if (++this.#matched === this.#pattern.length) {
          this.swallowedBytes += this.#matched;
          this.#matched = 0;
          this.#expected--;
        }
        continue;
      }
      if (this.#matched > 0) {
        n += this.#pattern.copy(out, n, 0, this.#matched);
        this.#matched = 0;
        if (this.#expected > 0 && b === this.#pattern[0]) {
          this.#matched = 1;
          continue;
        }
      }
      out[n++] = b;
    }
    return out.subarray(0, n);
  }

  /** Gives back held bytes once the reply is overdue (called when the line goes idle). */
  release(now = Date.now()): Buffer {
    if (this.#matched === 0 || now <= this.#deadline) return Buffer.alloc(0);
    const held = Buffer.from(this.#pattern.subarray(0, this.#matched));
    this.#matched = 0;
    this.#expected = 0;
    return held;
  }
}
