import { describe, expect, it } from 'vitest';
import { FakeClock, shanghai, type TimeServiceLike } from '@campus/testkit';

describe('FakeClock', () => {
  it('has the time service shape and a bound now()', () => {
    const clock: TimeServiceLike = new FakeClock(1000);
    const now = clock.now;
    expect(now()).toBe(1000);
  });

  it('runs due callbacks in time order (ties in the order set), each at its due time', async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    const mark = (name: string) => () => void seen.push(`${name}@${clock.now()}`);
    clock.after(30, mark('c'));
    clock.at(10, mark('a'));
    clock.at(20, mark('b1'));
    clock.at(20, mark('b2'));
    clock.at(41, mark('late'));
    await clock.advance(40);
    expect(seen).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
    expect(clock.now()).toBe(40);
    expect(clock.pending).toBe(1);
    expect(clock.nextDue).toBe(41);
  });

  it('runs timers that callbacks schedule within the same advance, and not those beyond it', async () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    clock.after(10, () => {
      seen.push(clock.now());
      clock.after(5, () => void seen.push(clock.now()));
      clock.after(100, () => void seen.push(clock.now()));
    });
    await clock.advanceTo(50);
    expect(seen).toEqual([10, 15]);
    await clock.advanceTo(110);
    expect(seen).toEqual([10, 15, 110]);
  });

  it('every() repeats until cancelled; cancel stops a timer that has not run', async () => {
    const clock = new FakeClock(0);
    const ticks: number[] = [];
    const stop = clock.every(100, () => void ticks.push(clock.now()));
    const never = clock.after(250, () => void ticks.push(-1));
    never();
    await clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    stop();
    await clock.advance(1000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pending).toBe(0);
    expect(() => clock.every(0, () => undefined)).toThrow(/positive/);
  });

  it('awaits an async callback before running the next one, with time held at its due time', async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.at(10, async () => {
      seen.push(`start@${clock.now()}`);
      await new Promise((r) => setTimeout(r, 20));
      seen.push(`end@${clock.now()}`);
    });
    clock.at(11, () => void seen.push(`next@${clock.now()}`));
    await clock.advance(100);
    expect(seen).toEqual(['start@10', 'end@10', 'next@11']);
    expect(clock.now()).toBe(100);
  });

  it('collects errors from callbacks and keeps running', async () => {
    const clock = new FakeClock(0);
    let ran = false;
    clock.at(1, () => {
      throw new Error('boom');
    });
    clock.at(2, async () => {
      throw new Error('async boom');
    });
    clock.at(3, () => {
      ran = true;
    });
    await clock.advance(5);
    expect(ran).toBe(true);
    expect(clock.errors.map((e) => (e as Error).message)).toEqual(['boom', 'async boom']);
  });

  it('moves time synchronously when no callback is async (callers that do not await)', () => {
    const clock = new FakeClock(0);
    let fired = 0;
    clock.after(10, () => void fired++);
    void clock.advance(20);
    expect(fired).toBe(1);
    expect(clock.now()).toBe(20);
  });

  it('set() moves the wall clock without running timers (also backwards); jumpTo() runs them late', async () => {
    const clock = new FakeClock('2026-09-07T07:00:00+08:00');
    const seen: number[] = [];
    clock.at(shanghai('2026-09-07 08:00'), () => void seen.push(clock.now()));
    clock.set('2026-09-07T09:00:00+08:00');
    expect(seen).toEqual([]);
    clock.set(shanghai('2026-09-07 06:00'));
    expect(clock.now()).toBe(shanghai('2026-09-07 06:00'));
    await clock.jumpTo('2026-09-07T10:00:00+08:00');
    expect(seen).toEqual([shanghai('2026-09-07 10:00')]);
    expect(() => clock.set('2026-09-07T10:00:00')).toThrow(/no offset/);
  });

  it('shanghai() reads a local wall time in UTC+8', () => {
    expect(shanghai('2026-09-07 07:15')).toBe(Date.parse('2026-09-06T23:15:00Z'));
    expect(shanghai('2026-09-07T07:15:30')).toBe(Date.parse('2026-09-06T23:15:30Z'));
    expect(() => shanghai('yesterday')).toThrow(/not a local date/);
  });
});
