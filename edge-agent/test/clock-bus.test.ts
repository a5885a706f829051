import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { TrustedClock } from '../src/core/clock.js';
import { EventBus } from '../src/core/bus.js';

describe('TrustedClock', () => {
  it('starts untrusted in auto mode and trusts once NTP reports sync', async () => {
    let synced = false;
    const changes: Array<{ trusted: boolean; source: string }> = [];
    const c = new TrustedClock({ mode: 'auto', probe: async () => synced, onChange: (x) => changes.push(x) });
    await c.check();
    expect(c.trusted()).toBe(false);
    synced = true;
    await c.check();
    expect(c.trusted()).toBe(true);
    expect(c.source()).toBe('ntp');
    expect(changes).toEqual([{ trusted: true, source: 'ntp' }]);
  });

  it('can be vouched for by the cloud, but never in "never" mode', () => {
    const a = new TrustedClock({ mode: 'auto', probe: async () => false });
    a.markTrusted('cloud');
    expect(a.trusted()).toBe(true);
    expect(a.source()).toBe('cloud');
    const n = new TrustedClock({ mode: 'never' });
    n.markTrusted('cloud');
    expect(n.trusted()).toBe(false);
  });

  it('takes the time from the cloud when NTP is unavailable, and hands back to NTP later', async () => {
    let synced = false;
    const wall = 0; // an RTC-less box that booted at 1970
    const c = new TrustedClock({ mode: 'auto', wallNow: () => wall, probe: async () => synced });
    await c.check();
    expect(c.trusted()).toBe(false);
    c.correctFrom('cloud', 1_800_000_000_000);
    expect(c.trusted()).toBe(true);
    expect(c.source()).toBe('cloud');
    expect(c.now()).toBe(1_800_000_000_000);
    synced = true; // NTP has now set the system clock itself: our offset must go
    await c.check();
    expect(c.source()).toBe('ntp');
    expect(c.now()).toBe(wall);
    // A reference with a fraction (Date header + half a round trip) keeps now() whole ms:
    // the cloud refuses an event whose occurredAt is not an integer.
    const rtc = new TrustedClock({ mode: 'auto', wallNow: () => 1_000, probe: async () => false });
    rtc.correctFrom('cloud', 1_800_000_000_000.5 + 12.25);
    expect(Number.isInteger(rtc.now())).toBe(true);
    expect(rtc.now()).toBe(1_800_000_000_013);
    const never = new TrustedClock({ mode: 'never', wallNow: () => 5 });
    never.correctFrom('cloud', 1_800_000_000_000);
    expect(never.now()).toBe(5);
  });

  it('detects a backwards jump and keeps monotonic time increasing', async () => {
    let wall = 1_800_000_000_000;
    let mono = 1000;
    const jumps: number[] = [];
    const c = new TrustedClock({ mode: 'always', wallNow: () => wall, monoNow: () => mono, onChange: (x) => x.jumpMs !== undefined && jumps.push(x.jumpMs) });
    const t1 = c.monotonicNow();
    wall += 1000;
    mono += 1000;
    await c.check();
    expect(jumps).toEqual([]);
    const t2 = c.monotonicNow();
    wall -= 3_600_000; // clock corrected one hour back
    mono += 10;
    await c.check();
    expect(jumps).toHaveLength(1);
    expect(jumps[0]).toBeLessThan(-3_000_000);
    const t3 = c.monotonicNow();
    expect(t2).toBeGreaterThan(t1);
    expect(t3).toBeGreaterThanOrEqual(t2);
  });
});

describe('EventBus', () => {
  it('a throwing or rejecting listener is logged and never reaches the emitter or other listeners', async () => {
    const bus = new EventBus(pino({ level: 'silent' }));
    const got: string[] = [];
    bus.on('clock.changed', () => {
      throw new Error('bug');
    });
    bus.on('clock.changed', async () => {
      throw new Error('async bug');
    });
    bus.on('clock.changed', (c) => void got.push(c.source));
    expect(() => bus.emit('clock.changed', { trusted: true, source: 'ntp' })).not.toThrow();
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['ntp']);
    expect(bus.errors).toBe(2);
  });
});
