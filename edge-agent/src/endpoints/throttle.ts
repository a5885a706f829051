/**
 * Per-key token bucket: `capacity` tokens, refilled at capacity per `periodMs`. What
 * does not fit is counted, so the count can be recorded once instead of each message.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number; dropped: number }>();

  constructor(
    private readonly capacity: number,
    private readonly periodMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes a token; returns false (and counts a drop) when the bucket is empty. */
  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: this.capacity, at: t, dropped: 0 }));
    b.tokens = Math.min(this.capacity, b.tokens + (Math.max(0, t - b.at) * this.capacity) / this.periodMs);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.dropped++;
    return false;
  }

  /** Drops counted since the last call, per key; resets them. */
  drainDropped(): Array<{ key: string; dropped: number }> {
    const out: Array<{ key: string; dropped: number }> = [];
    for (const [key, b] of this.buckets) {
      if (b.dropped > 0) out.push({ key, dropped: b.dropped });
      b.dropped = 0;
      // Full and idle buckets carry no information: forget them so the map stays small.
      if (b.tokens >= this.capacity) this.buckets.delete(key);
    }
    return out;
  }
}

/**
 * One record per key and window: the first occurrence passes, later ones in the same
 * window are folded into a count handed to the next one that passes.
 */
export class WindowedOnce {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** null: suppressed; otherwise how many were suppressed before this one. */
  pass(key: string): number | null {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && w.until > t) {
      w.suppressed++;
      return null;
    }
    this.windows.set(key, { until: t + this.windowMs, suppressed: 0 });
    if (this.windows.size > 5000) for (const [k, v] of this.windows) if (v.until <= t) this.windows.delete(k);
    return w?.suppressed ?? 0;
  }
}
