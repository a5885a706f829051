import { describe, expect, it } from 'vitest';
import { Backoff, BandwidthBucket, Wakeable } from '../../src/client/pacing.js';

describe('Backoff', () => {
  it('grows exponentially with jitter inside [initial/2, cap] and resets', () => {
    let r = 0;
    const b = new Backoff({ initialMs: 100, maxMs: 1000 }, () => r);
    const lows = [b.next(), b.next(), b.next()];
    expect(lows).toEqual([50, 50, 50]);
    r = 1;
    const c = new Backoff({ initialMs: 100, maxMs: 1000 }, () => r);
    expect([c.next(), c.next(), c.next(), c.next(), c.next(), c.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    c.reset();
    expect(c.next()).toBe(100);
  });

  it('honours a minimum such as Retry-After', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    expect(b.next(5000)).toBe(5000);
  });
});

describe('BandwidthBucket', () => {
  it('lets urgent sends go into debt and makes bulk wait until it is repaid', () => {
    let now = 0;
    const bucket = new BandwidthBucket(1000, 1000, () => now);
    expect(bucket.waitMs()).toBe(0);
    bucket.take(3000); // an urgent batch larger than the burst
    expect(bucket.waitMs()).toBe(2000);
    now = 1000;
    expect(bucket.waitMs()).toBe(1000);
    now = 2000;
    expect(bucket.waitMs()).toBe(0);
  });

  it('caps the average rate: N seconds carry at most rate*N + burst bytes', () => {
    let now = 0;
    const bucket = new BandwidthBucket(10_000, 10_000, () => now);
    let sent = 0;
    while (now < 60_000) {
      const w = bucket.waitMs();
      if (w > 0) now += w;
      else {
        bucket.take(4096);
        sent += 4096;
      }
    }
    expect(sent).toBeLessThanOrEqual(10_000 * 60 + 10_000 + 4096);
    expect(sent).toBeGreaterThan(10_000 * 60 * 0.9);
  });

  it('sizes bulk batches to about two seconds of budget', () => {
    const bucket = new BandwidthBucket(10_000);
    expect(bucket.suggestedBatchBytes(1_000_000)).toBe(20_000);
    expect(new BandwidthBucket(100).suggestedBatchBytes(1_000_000)).toBe(8 * 1024);
  });
});

describe('Wakeable', () => {
  it('a wake before the sleep is not lost', async () => {
    const w = new Wakeable();
    w.wake();
    await w.sleep(60_000); // would hang the test if the wake were lost
    const p = w.sleep(60_000);
    w.wake();
    await p;
    expect(true).toBe(true);
  });
});
