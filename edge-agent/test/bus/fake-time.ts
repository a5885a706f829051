import type { TimeService } from '../../src/core/time.js';

/** Wall time and timers that move only when the test says so (the edge's TimeService). */
interface Timer {
  at: number;
  seq: number;
  every: number | null;
  fn: () => void | Promise<void>;
  cancelled: boolean;
}

export class FakeTime implements TimeService {
  #seq = 0;
  #timers: Timer[] = [];
  constructor(public t: number) {}

  readonly now = (): number => this.t;

  at(at: number, fn: () => void | Promise<void>): () => void {
    return this.#add(at, null, fn);
  }
  after(ms: number, fn: () => void | Promise<void>): () => void {
    return this.#add(this.t + ms, null, fn);
  }
  every(ms: number, fn: () => void | Promise<void>): () => void {
    return this.#add(this.t + ms, ms, fn);
  }

  #add(at: number, every: number | null, fn: () => void | Promise<void>): () => void {
    const timer = { at, seq: this.#seq++, every, fn, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves wall time forward, running every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const to = this.t + ms;
    for (;;) {
      this.#timers = this.#timers.filter((x) => !x.cancelled);
      let next: Timer | undefined;
      for (const x of this.#timers) if (x.at <= to && (!next || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      if (next.every === null) next.cancelled = true;
      else next.at += next.every;
      await next.fn();
    }
    this.t = to;
  }
}
