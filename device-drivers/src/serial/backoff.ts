/**
 * Reconnect delays: exponential from `initialDelayMs`, capped at `maxDelayMs`.
 * The cap is what bounds recovery after a replug: a device that comes back is
 * found by the next attempt, at most `maxDelayMs` later. Opening a serial path or a
 * TCP connection to a LAN serial server is cheap, so a 1 s cap costs nothing.
 */
export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1000 };

/** Delay before attempt number `failedAttempts` (0 = the first retry after a loss). */
export function reconnectDelay(failedAttempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(0, failedAttempts), 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}
