/** At most `max` accepted requests per user in any sliding window of `windowMs`. */
export class UserRateLimit {
  private readonly accepted = new Map<number, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  tryAccept(uid: number, now: number): boolean {
    const recent = (this.accepted.get(uid) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.max) {
      this.accepted.set(uid, recent);
      return false;
    }
    recent.push(now);
    this.accepted.set(uid, recent);
    return true;
  }
}
