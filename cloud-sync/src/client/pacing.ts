/**
 * Timing pieces of the sync client, kept apart so they can be tested on their own:
 * backoff with full jitter and a byte-rate token bucket.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** "Full jitter" backoff: a random delay in [initial/2, min(max, initial*2^n)]. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  get failures(): number {
    return this.attempt;
  }

  next(minMs = 0): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const floor = this.opts.initialMs / 2;
    return Math.max(minMs, Math.round(floor + this.random() * Math.max(0, ceiling - floor)));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Byte-rate cap shared by both lanes. Urgent sends take their bytes at once (the balance
 * may go negative: a safety event never waits for bandwidth), bulk sends wait until the
 * debt is repaid. Over time the link carries at most `bytesPerSec` plus one burst.
 */
export class BandwidthBucket {
  private balance: number;
  private last: number;

  constructor(
    readonly bytesPerSec: number,
    readonly burstBytes: number = Math.max(16 * 1024, bytesPerSec),
    private readonly now: () => number = Date.now,
  ) {
    this.balance = burstBytes;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.balance = Math.min(this.burstBytes, this.balance + ((t - this.last) / 1000) * this.bytesPerSec);
    this.last = t;
  }

  /** Milliseconds a bulk send has to wait before it may take its bytes (0 = now). */
  waitMs(): number {
    this.refill();
    return this.balance >= 0 ? 0 : Math.ceil((-this.balance / this.bytesPerSec) * 1000);
  }

  take(bytes: number): void {
    this.refill();
    this.balance -= bytes;
  }

  /** The largest batch worth building for bulk lanes: about two seconds of budget. */
  suggestedBatchBytes(max: number): number {
    return Math.max(8 * 1024, Math.min(max, this.bytesPerSec * 2));
  }
}

/** A sleep that `wake()` can cut short (new urgent events, or stop). */
export class Wakeable {
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;

  sleep(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeUp = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  }
}
