import type { TimerClock } from '../../../src/energy/time/timers.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void | Promise<void>;
  cancelled: boolean;
}

/**
 * A TimerClock that only moves when the test says so. advanceTo() runs every
 * timer that falls due, in time order, waiting for each (switching a relay is
 * real Modbus I/O), so a week of schedules runs in a second.
 */
export class FakeClock implements TimerClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  readonly errors: unknown[] = [];

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  at(at: number, fn: () => void | Promise<void>): () => void {
    const timer: Timer = { at, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  async advanceTo(to: number): Promise<void> {
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: Timer | undefined;
      for (const t of this.timers) if (t.at <= to && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      next.cancelled = true;
      this.t = Math.max(this.t, next.at);
      try {
        await next.fn();
      } catch (err) {
        this.errors.push(err);
      }
    }
    this.t = Math.max(this.t, to);
  }

  /** The wall clock is set to `to` at once (NTP after an offline boot): due timers then run late. */
  async jumpTo(to: number): Promise<void> {
    this.t = Math.max(this.t, to);
    await this.advanceTo(to);
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }
}

/** ms of a wall time in China (UTC+8): cst('2026-09-28 18:30'). */
export function cst(local: string): number {
  return Date.parse(local.replace(' ', 'T') + ':00+08:00');
}
