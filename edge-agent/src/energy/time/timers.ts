import type { TimeService } from '../../core/time.js';

/**
 * What the energy domain needs of the edge's time service (src/core/time.ts): wall
 * time and "call me at this wall time". Tests drive a fake one through a week in
 * milliseconds.
 */
export type TimerClock = Pick<TimeService, 'now' | 'at'>;

/** Calls `fn` every `everyMs` on a TimerClock, aligned to multiples of `everyMs` (+ offset). */
export function every(clock: TimerClock, everyMs: number, fn: () => void | Promise<void>, offsetMs = 0): () => void {
  let cancel: (() => void) | null = null;
  let stopped = false;
  const next = () => {
    const now = clock.now();
    const at = Math.floor((now - offsetMs) / everyMs) * everyMs + everyMs + offsetMs;
    cancel = clock.at(at, async () => {
      try {
        await fn();
      } finally {
        if (!stopped) next();
      }
    });
  };
  next();
  return () => {
    stopped = true;
    cancel?.();
  };
}
