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

  /** A child scope: same clock, its own timers, disposed on its own. */
  scope(onError: (err: unknown) => void = this.onError): SystemTime {
    return new SystemTime(this.wallNow, onError);
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

  /** Cancels every timer of this scope; later calls schedule nothing. */
  dispose(): void {
    this.#disposed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/** A promise that resolves after `ms` on the given time service. */
export function sleep(time: Pick<TimeService, 'after'>, ms: number): Promise<void> {
  return new Promise((resolve) => time.after(ms, resolve));
}
