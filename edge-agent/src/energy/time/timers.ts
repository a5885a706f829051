/**
 * Time for schedules, holds, debounces and flushes: wall time plus "call me at
 * this wall time". The system implementation re-checks the wall clock at least
 * once a minute, so a clock corrected by NTP (or set by hand) moves schedules
 * with it; tests drive a fake one through a week in milliseconds.
 */
export interface TimerClock {
  now(): number;
  /** Runs `fn` once the wall time reaches `at`. Returns a cancel function. */
  at(at: number, fn: () => void | Promise<void>): () => void;
}

const MAX_SLEEP_MS = 60_000;

export class SystemTimerClock implements TimerClock {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly wallNow: () => number = Date.now,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  now(): number {
    return this.wallNow();
  }

  at(at: number, fn: () => void | Promise<void>): () => void {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const arm = () => {
      const wait = at - this.wallNow();
      if (wait <= 0) {
        timer = null;
        if (cancelled) return;
        try {
          const r = fn();
          if (r && typeof r.catch === 'function') r.catch(this.onError);
        } catch (err) {
          this.onError(err);
        }
        return;
      }
      timer = setTimeout(() => {
        if (timer) this.timers.delete(timer);
        arm();
      }, Math.min(wait, MAX_SLEEP_MS));
      timer.unref();
      this.timers.add(timer);
    };
    arm();
    return () => {
      cancelled = true;
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
    };
  }

  /** Cancels everything (module stop). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

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
