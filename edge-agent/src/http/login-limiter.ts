/**
 * Sign-in brute-force protection: failures are counted per (username, address)
 * and per address; past the limit, sign-in is refused until the lockout ends,
 * even with the right password. A success clears the (username, address) count.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; first: number; lockedUntil: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
    private readonly now: () => number,
  ) {}

  private keys(username: string, address: string): string[] {
    return [`u:${username.toLowerCase()}|${address}`, `a:${address}`];
  }

  private limitFor(key: string): number {
    return key.startsWith('a:') ? this.maxFailures * 4 : this.maxFailures;
  }

  /** Seconds until sign-in is allowed again, or 0. */
  retryAfter(username: string, address: string): number {
    const t = this.now();
    let wait = 0;
    for (const k of this.keys(username, address)) {
      const f = this.failures.get(k);
      if (f && f.lockedUntil > t) wait = Math.max(wait, Math.ceil((f.lockedUntil - t) / 1000));
    }
    return wait;
  }

  fail(username: string, address: string): void {
    const t = this.now();
    for (const k of this.keys(username, address)) {
      let f = this.failures.get(k);
      if (!f || t - f.first > this.lockoutMs) f = { count: 0, first: t, lockedUntil: 0 };
      f.count++;
      if (f.count >= this.limitFor(k)) f.lockedUntil = t + this.lockoutMs;
      this.failures.set(k, f);
    }
    if (this.failures.size > 10_000) this.prune();
  }

  succeed(username: string, address: string): void {
    this.failures.delete(this.keys(username, address)[0]!);
  }

  private prune(): void {
    const t = this.now();
    for (const [k, f] of this.failures) if (f.lockedUntil < t && t - f.first > this.lockoutMs) this.failures.delete(k);
  }
}
