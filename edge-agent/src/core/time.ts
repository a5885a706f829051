/**
 * The edge's one time service: wall time (the trusted clock's) plus timers, injected
 * into every domain. Domain code never calls setInterval/setTimeout itself, so a test
 * drives a domain through a school day on fake time (`@campus/testkit`'s FakeClock
 * satisfies this interface) and nothing needs to sleep to prove that nothing happened.
 */
export type Cancel = () => void;
type Task = () => void | Promise<void>;

export interface TimeService {
  /** Wall time, ms since the epoch. */
  now(): number;
  /** Runs `fn` once the wall time reaches `at` (follows wall-clock corrections). */
  at(at: number, fn: Task): Cancel;
  /** Runs `fn` once, `ms` from now. */
  after(ms: number, fn: Task): Cancel;
  /** Runs `fn` every `ms` (the next run is planned when one ends, so runs never overlap). */
  every(ms: number, fn: Task): Cancel;
}

/** A scope of timers that can all be cancelled at once (a domain's stop()). */
export interface ScopedTime extends TimeService {
  dispose(): void;
  /** Timers of this scope not yet run or cancelled. */
  pending(): number;
}

const MAX_SLEEP_MS = 60_000;

/**
 * Timers on Node's event loop. `at` re-checks the wall clock at least once a minute,
 * so a clock corrected by NTP (or the cloud) moves schedules with it. Timers never keep
 * the process alive; a task that throws or rejects is reported to `onError`.
 */
export class SystemTime implements ScopedTime {
  readonly #timers = new Set<NodeJS.Timeout>();
  #disposed = false;

  constructor(
    private readonly wallNow: () => number = Date.now,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  now(): number {
    return this.wallNow();
  }

  #run(fn: Task): Promise<void> | void {
    try {
      const r = fn();
      if (r && typeof r.catch === 'function') return r.catch(this.onError);
    } catch (err) {
      this.onError(err);
    }
  }

  #timeout(ms: number, fn: () => void): NodeJS.Timeout | null {
    if (this.#disposed) return null;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
    return t;
  }

  #clear(t: NodeJS.Timeout | null): void {
    if (!t) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  at(at: number, fn: Task): Cancel {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const arm = () => {
      if (cancelled) return;
      const wait = at - this.wallNow();
      if (wait <= 0) {
        timer = null;
        void this.#run(fn);
        return;
      }
      timer = this.#timeout(Math.min(wait, MAX_SLEEP_MS), arm);
    };
    arm();
    return () => {
      cancelled = true;
      this.#clear(timer);
    };
  }

  after(ms: number, fn: Task): Cancel {
    let cancelled = false;
    const timer = this.#timeout(Math.max(0, ms), () => {
      if (!cancelled) void this.#run(fn);
    });
    return () => {
      cancelled = true;
      this.#clear(timer);
    };
  }

  every(ms: number, fn: Task): Cancel {
    let timer: NodeJS.Timeout | null = null;
    let cancelled = false;
    const tick = async () => {
      await this.#run(fn);
      if (!cancelled) timer = this.#timeout(ms, () => void tick());
    };
    timer = this.#timeout(ms, () => void tick());
    return () => {
      cancelled = true;
      this.#clear(timer);
    };
  }

  pending(): number {
    return this.#timers.size;
  }

  /** Cancels every timer of this scope; later calls schedule nothing. */
  dispose(): void {
    this.#disposed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/**
 * A scope over any time service (the system one, or a fake in tests): the same clock,
 * and `dispose()` cancels every timer made through the scope. The edge gives each
 * domain its own scope and disposes it when the domain stops.
 */
export function timeScope(time: TimeService): ScopedTime {
  const live = new Set<Cancel>();
  let disposed = false;
  // One-shot timers forget themselves once they have run, so a domain that plans its next
  // run with at() for years keeps a set of at most its pending timers.
  const once = (schedule: (fn: Task) => Cancel, fn: Task): Cancel => {
    if (disposed) return () => undefined;
    let cancel: Cancel = () => undefined;
    let ran = false;
    const forget: Cancel = () => {
      live.delete(forget);
      cancel();
    };
    cancel = schedule(() => {
      ran = true;
      live.delete(forget);
      return fn();
    });
    // A time already past runs at once, inside schedule(): it must not be remembered after it ran.
    if (!ran) live.add(forget);
    return forget;
  };
  return {
    now: () => time.now(),
    at: (at, fn) => once((f) => time.at(at, f), fn),
    after: (ms, fn) => once((f) => time.after(ms, f), fn),
    every: (ms, fn) => {
      if (disposed) return () => undefined;
      const cancel = time.every(ms, fn);
      const forget: Cancel = () => {
        live.delete(forget);
        cancel();
      };
      live.add(forget);
      return forget;
    },
    dispose: () => {
      disposed = true;
      for (const c of [...live]) c();
      live.clear();
    },
    pending: () => live.size,
  };
}

/** A promise that resolves after `ms` on the given time service. */
export function sleep(time: Pick<TimeService, 'after'>, ms: number): Promise<void> {
  return new Promise((resolve) => time.after(ms, resolve));
}
