import { describe, expect, it } from 'vitest';
import { SystemTime, sleep, timeScope } from '../../src/core/time.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the edge time service (timers on the event loop)', () => {
  it('after runs once; cancel stops it', async () => {
    const t = new SystemTime();
    const seen: string[] = [];
    t.after(5, () => void seen.push('a'));
    const cancel = t.after(5, () => void seen.push('b'));
    cancel();
    await tick(40);
    expect(seen).toEqual(['a']);
  });

  it('every repeats without overlapping a slow run, and stops when cancelled', async () => {
    const t = new SystemTime();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const cancel = t.every(2, async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(10);
      running--;
      runs++;
    });
    for (let i = 0; i < 500 && runs < 3; i++) await tick(10);
    cancel();
    const after = runs;
    await tick(40);
    expect(after).toBeGreaterThanOrEqual(3);
    expect(maxRunning).toBe(1);
    expect(runs - after).toBeLessThanOrEqual(1); // at most the run in flight when cancelled
  });

  it('at runs when the wall clock it is given reaches the time, at once when that is past', async () => {
    let offset = 0;
    const t = new SystemTime(() => Date.now() + offset);
    const seen: string[] = [];
    t.at(t.now() + 20, () => void seen.push('soon'));
    t.at(t.now() + 3_600_000, () => void seen.push('in an hour'));
    t.at(t.now() - 1, () => void seen.push('past'));
    expect(seen).toEqual(['past']);
    for (let i = 0; i < 500 && seen.length < 2; i++) await tick(10);
    expect(seen).toEqual(['past', 'soon']);
    // The clock is corrected an hour forward: a timer armed after that runs at once.
    offset = 3_600_000;
    t.at(Date.now() + 10, () => void seen.push('after correction'));
    expect(seen).toContain('after correction');
  });

  it('dispose cancels every timer of a scope and nothing of another; later calls schedule nothing', async () => {
    const root = new SystemTime();
    const a = timeScope(root);
    const b = timeScope(root);
    const seen: string[] = [];
    a.every(2, () => void seen.push('a'));
    b.after(5, () => void seen.push('b'));
    a.dispose();
    a.after(1, () => void seen.push('late'));
    await tick(40);
    expect(seen).toEqual(['b']);
  });

  it('a scope forgets one-shot timers once they have run (a domain planning with at() for years does not grow)', async () => {
    const s = timeScope(new SystemTime());
    let runs = 0;
    const plan = () => s.at(Date.now() + 1, () => {
      runs++;
      if (runs < 50) plan();
    });
    plan();
    for (let i = 0; i < 500 && runs < 50; i++) await tick(5);
    expect(runs).toBe(50);
    expect(s.pending()).toBe(0);
    const keep = s.every(1000, () => undefined);
    expect(s.pending()).toBe(1);
    keep();
    expect(s.pending()).toBe(0);
    // Nothing is left to cancel: dispose has no pending timer to reach, and later plans are refused.
    s.dispose();
    let late = false;
    s.after(1, () => {
      late = true;
    });
    await tick(20);
    expect(late).toBe(false);
  });

  it('a scope does not keep a one-shot timer whose time had already passed (it ran at once)', () => {
    const s = timeScope(new SystemTime());
    let runs = 0;
    s.at(Date.now() - 1000, () => {
      runs++;
    });
    expect(runs).toBe(1);
    expect(s.pending()).toBe(0);
    // Planning the next run from inside a run whose time has passed, as a busy machine does.
    const plan = (): void => {
      s.at(Date.now() - 1, () => {
        runs++;
        if (runs < 10) plan();
      });
    };
    plan();
    expect(runs).toBe(10);
    expect(s.pending()).toBe(0);
    s.dispose();
  });

  it('a task that throws or rejects is reported, and the timer keeps going', async () => {
    const errors: unknown[] = [];
    const t = new SystemTime(Date.now, (err) => errors.push(err));
    let n = 0;
    const cancel = t.every(2, () => {
      n++;
      if (n === 1) throw new Error('boom');
      if (n === 2) return Promise.reject(new Error('async boom'));
    });
    for (let i = 0; i < 500 && n < 3; i++) await tick(10);
    cancel();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'async boom']);
    expect(n).toBeGreaterThan(2);
  });

  it('sleep resolves on the service it is given', async () => {
    const t = new SystemTime();
    const started = Date.now();
    await sleep(t, 15);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10);
  });
});
