/**
 * The state every device link reports, in the words the gate status page uses:
 * connecting (an attempt is under way), open (bytes flow), error (the last attempt
 * failed or the link dropped; a retry is scheduled), closed (stopped on purpose).
 */
export const LINK_STATES = ['connecting', 'open', 'error', 'closed'] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface LinkErrorInfo {
  /** errno-style code when the OS gave one (ENOENT, ECONNREFUSED, ...), else a driver code. */
  code: string;
  message: string;
}

export interface LinkStatus {
  /** Stable id, e.g. "serial:/dev/ttyUSB0" or "tcp:10.0.0.7:8899". */
  id: string;
  kind: string;
  state: LinkState;
  /** ms since epoch of the last state change. */
  since: number;
  /** Why the link is in 'error' (or what ended the previous connection); null when healthy. */
  error: LinkErrorInfo | null;
  /** Consecutive failed attempts since the link was last open. */
  failedAttempts: number;
  /** How many times the link came back after the first successful open. */
  reconnects: number;
  /** ms since epoch of the next scheduled attempt, when one is scheduled. */
  nextAttemptAt: number | null;
}

export function toLinkError(error: unknown): LinkErrorInfo {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' && code ? code : error.name || 'Error', message: error.message };
  }
  return { code: 'EUNKNOWN', message: String(error) };
}
