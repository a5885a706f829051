/** Events per second over a sliding window, for status and the panel's progress bar. */
export class RateMeter {
  private samples: { at: number; count: number }[] = [];
  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(count: number): void {
    const at = this.now();
    this.samples.push({ at, count });
    this.trim(at);
  }

  perSecond(): number {
    const at = this.now();
    this.trim(at);
    if (this.samples.length === 0) return 0;
    const total = this.samples.reduce((s, x) => s + x.count, 0);
    const span = Math.max(1000, at - this.samples[0]!.at);
    return Math.round((total / span) * 1000 * 10) / 10;
  }

  private trim(at: number): void {
    while (this.samples.length && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }
}
