import { z } from 'zod';

/**
 * How a reader ends a line. GM65-class modules ship with CR or CRLF depending on the
 * firmware; 'auto' accepts CR, LF and CRLF and is the safe default.
 */
export const LINE_TERMINATORS = ['auto', 'CR', 'LF', 'CRLF'] as const;
export type LineTerminator = (typeof LINE_TERMINATORS)[number];

/**
 * Why bytes were thrown away. 'overlong': longer than maxLineLength (discarded up to the
 * next terminator). 'no-suffix': a line stopped without its terminator. 'garbage':
 * non-printable bytes, or invalid UTF-8. 'truncated': the link dropped mid-line.
 */
export const BAD_FRAME_REASONS = ['overlong', 'no-suffix', 'garbage', 'truncated'] as const;
export type BadFrameReason = (typeof BAD_FRAME_REASONS)[number];

/** Event reason codes (protocol REASON_RE) for each bad-frame reason. */
export const BAD_FRAME_REASON_CODES: Record<BadFrameReason, string> = {
  overlong: 'reader.frame.overlong',
  'no-suffix': 'reader.frame.no_suffix',
  garbage: 'reader.frame.garbage',
  truncated: 'reader.frame.truncated',
};

export const FramingSchema = z.strictObject({
  terminator: z.enum(LINE_TERMINATORS).default('auto'),
  /** Longest accepted line, terminator excluded. Our signed cards are ≤ 120 characters. */
  maxLineLength: z.number().int().min(1).max(8192).default(256),
  /** 'ascii' accepts 0x20–0x7E only; 'utf8' also valid UTF-8 text without control characters. */
  charset: z.enum(['ascii', 'utf8']).default('ascii'),
  /** What to do with a line that stops without its terminator: drop it, or take it as a scan. */
  onMissingSuffix: z.enum(['discard', 'accept']).default('discard'),
  /** Silence after which a partial line is given up (or accepted). 9600 baud sends a byte per ~1 ms. */
  idleTimeoutMs: z.number().int().min(5).max(60_000).default(200),
  /** While discarding an endless line, report it every this many bytes so a spewing reader shows up. */
  overlongReportEvery: z.number().int().min(64).max(1 << 20).default(4096),
});
export type FramingOptions = z.input<typeof FramingSchema>;
export type Framing = z.output<typeof FramingSchema>;

export interface FramedLine {
  kind: 'line';
  text: string;
  /** Bytes this line consumed, terminator included. */
  bytes: number;
  terminator: 'CR' | 'LF' | 'CRLF' | 'idle';
}

export interface BadFrame {
  kind: 'bad';
  reason: BadFrameReason;
  /** Bytes discarded, terminators included. */
  bytes: number;
  /** How many discarded lines this report covers (consecutive bad lines in one chunk are merged). */
  lines: number;
  /** Hex of the first bytes of the first discarded line, for the installer. */
  preview: string;
}

export type Frame = FramedLine | BadFrame;

export interface FramerStats {
  bytesIn: number;
  lineBytes: number;
  badBytes: number;
  /** Terminators with nothing before them (blank lines, the LF of a CRLF in 'auto'). */
  ignoredBytes: number;
  /** Bytes of the line in progress not yet reported anywhere. */
  pendingBytes: number;
  lines: number;
  badFrames: number;
}
