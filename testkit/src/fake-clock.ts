/**
 * A clock with timers that only moves when the test says so. It has the edge time
 * service's shape (`now`, `at`, `after`, `every`, each timer returning its cancel
 * function), so any domain that takes the time service runs on it unchanged: a week
 * of schedules runs in a second, and "nothing happened" is proven by advancing time,
 * not by sleeping.
 */
export type TimerCallback = () => void | Promise<void>;
export type Cancel = () => void;

/** The edge time service as far as the fake is concerned (structural). */
export interface TimeServiceLike {
  now(): number;
  at(atMs: number, fn: TimerCallback): Cancel;
  after(ms: number, fn: TimerCallback): Cancel;
  every(ms: number, fn: TimerCallback): Cancel;
}

interface Timer {
  due: number;
  seq: number;
  fn: TimerCallback;
  /** Repeat interval, for `every`. */
  period: number | null;
  cancelled: boolean;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

export class FakeClock implements TimeServiceLike {
  #t: number;
  #seq = 0;
  #timers: Timer[] = [];
  /** Errors thrown by callbacks, in order; a failing callback does not stop the clock. */
  readonly errors: unknown[] = [];

  readonly #settle: boolean;

  /**
   * `settle`: after each timer, let the event loop run (promises, I/O) before the next one,
   * as a real clock would — for code that starts async work from a timer without returning
   * it (`every(ms, () => void this.tick())`). Without it, synchronous callbacks run back to
   * back and time has moved when advanceTo returns.
   */
  constructor(start: number | string = Date.parse('2026-09-07T00:00:00Z'), opts: { settle?: boolean } = {}) {
    this.#t = typeof start === 'string' ? parseInstant(start) : start;
    this.#settle = opts.settle ?? false;
  }

  /** Wall time in ms (bound: pass `clock.now` where a `() => number` is wanted). */
  readonly now = (): number => this.#t;

  at(atMs: number, fn: TimerCallback): Cancel {
    return this.#add(atMs, fn, null);
  }

  after(ms: number, fn: TimerCallback): Cancel {
    return this.#add(this.#t + Math.max(0, ms), fn, null);
  }

  every(ms: number, fn: TimerCallback): Cancel {
    if (!(ms > 0)) throw new RangeError(`every(${ms}): the interval must be positive`);
    return this.#add(this.#t + ms, fn, ms);
  }

  /** Timers not yet run nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** When the next timer is due, or null. */
  get nextDue(): number | null {
    const next = this.#next(Infinity);
    return next ? next.due : null;
  }

  /**
   * Moves time forward to `to`, running every timer due on the way in time order (ties in
   * the order they were set), each with `now()` at its due time, including timers those
   * callbacks set. An async callback is awaited before the next one runs. Synchronous
   * callbacks run synchronously: with none async, time has moved when this returns.
   */
  advanceTo(to: number | string): Promise<void> {
    const target = typeof to === 'string' ? parseInstant(to) : to;
    if (this.#settle) return this.#advanceSettling(target);
    for (;;) {
      const next = this.#next(target);
      if (!next) break;
      const result = this.#fire(next);
      if (isThenable(result)) return this.#continueAfter(result, target);
    }
    this.#t = Math.max(this.#t, target);
    return Promise.resolve();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.#t + ms);
  }

  /** Runs every timer due now (a callback that set a zero-delay timer). */
  flush(): Promise<void> {
    return this.advanceTo(this.#t);
  }

  /**
   * Sets the wall clock without running timers (a manual clock change, NTP after an
   * offline boot); it may go backwards. Timers now overdue run at the next advance.
   */
  set(to: number | string): void {
    this.#t = typeof to === 'string' ? parseInstant(to) : to;
  }

  /** Sets the wall clock forward at once and then runs what fell due, late, at that time. */
  jumpTo(to: number | string): Promise<void> {
    const target = typeof to === 'string' ? parseInstant(to) : to;
    this.#t = Math.max(this.#t, target);
    return this.advanceTo(target);
  }

  async #advanceSettling(target: number): Promise<void> {
    for (;;) {
      const next = this.#next(target);
      if (!next) break;
      const result = this.#fire(next);
      try {
        if (isThenable(result)) await result;
      } catch (err) {
        this.errors.push(err);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#t = Math.max(this.#t, target);
  }

  async #continueAfter(pending: PromiseLike<unknown>, target: number): Promise<void> {
    try {
      await pending;
    } catch (err) {
      this.errors.push(err);
    }
    await this.advanceTo(target);
  }

  #add(due: number, fn: TimerCallback, period: number | null): Cancel {
    const timer: Timer = { due, seq: this.#seq++, fn, period, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  #next(limit: number): Timer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    let next: Timer | undefined;
    for (const t of this.#timers) if (t.due <= limit && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
    return next;
  }

  /** Runs one timer at its due time; returns what the callback returned (maybe a promise). */
  #fire(timer: Timer): unknown {
    this.#t = Math.max(this.#t, timer.due);
    if (timer.period === null) timer.cancelled = true;
    else {
      timer.due += timer.period;
      timer.seq = this.#seq++;
    }
    try {
      return timer.fn();
    } catch (err) {
      this.errors.push(err);
      return undefined;
    }
  }
}

/** ISO text with an offset (or Z) → ms; text without one is refused (which zone would it be?). */
function parseInstant(iso: string): number {
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) throw new Error(`FakeClock: "${iso}" has no offset; write it with Z or +08:00`);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`FakeClock: "${iso}" is not a date`);
  return ms;
}

/** ms of a wall time in China (UTC+8, no DST): `shanghai('2026-09-07 07:15')`. */
export function shanghai(local: string): number {
  const ms = Date.parse(`${local.replace(' ', 'T')}${/T\d{2}:\d{2}$|^\S+ \d{2}:\d{2}$/.test(local) ? ':00' : ''}+08:00`);
  if (Number.isNaN(ms)) throw new Error(`shanghai: "${local}" is not a local date and time`);
  return ms;
}
