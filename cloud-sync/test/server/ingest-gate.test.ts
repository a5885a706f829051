import { describe, expect, it } from 'vitest';
import { IngestGate } from '../../src/server/edge-api/backpressure.js';
import { HttpError } from '../../src/server/http/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A job that runs until released, recording that it started. */
function job(started: string[], name: string) {
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  return { run: async () => (started.push(name), await finished, name), done: () => done() };
}

describe('the ingest backpressure gate', () => {
  it('lets batches beyond the limit wait in line and runs them in order as slots free up', async () => {
    const gate = new IngestGate({ maxConcurrent: 2, maxWaitMs: 2_000, maxQueued: 10 });
    const started: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((n) => job(started, n));
    const results = jobs.map((j) => gate.run(j.run));
    await sleep(10);
    expect(started).toEqual(['a', 'b']);
    expect(gate.inFlight).toBe(2);
    expect(gate.waiting).toBe(2);
    jobs[1]!.done();
    await sleep(10);
    expect(started).toEqual(['a', 'b', 'c']);
    for (const j of jobs) j.done();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.inFlight).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('answers 429 with a Retry-After of whole seconds when the wait runs out, and never runs that batch', async () => {
    const gate = new IngestGate({ maxConcurrent: 1, maxWaitMs: 100, maxQueued: 10 });
    const started: string[] = [];
    const slow = job(started, 'slow');
    const first = gate.run(slow.run);
    const t0 = performance.now();
    const late = gate.run(job(started, 'late').run).catch((e: unknown) => e);
    const err = (await late) as HttpError;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(429);
    expect(err.code).toBe('sync.error.rate_limited');
    expect(Number(err.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(err.headers?.['retry-after']))).toBe(true);
    expect(started).toEqual(['slow']);
    slow.done();
    await first;
    expect(gate.waiting).toBe(0);
    // The slot is free again: the next batch runs at once.
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  it('refuses at once when the line is full (bounded memory)', async () => {
    const gate = new IngestGate({ maxConcurrent: 1, maxWaitMs: 5_000, maxQueued: 2 });
    const started: string[] = [];
    const blocker = job(started, 'blocker');
    const running = gate.run(blocker.run);
    const queued = [gate.run(async () => 'q1'), gate.run(async () => 'q2')];
    const t0 = performance.now();
    const refused = (await gate.run(async () => 'never').catch((e: unknown) => e)) as HttpError;
    expect(performance.now() - t0).toBeLessThan(50);
    expect(refused.status).toBe(429);
    blocker.done();
    await running;
    expect(await Promise.all(queued)).toEqual(['q1', 'q2']);
  });

  it('drops a waiting batch whose edge hung up, without running it', async () => {
    const gate = new IngestGate({ maxConcurrent: 1, maxWaitMs: 5_000, maxQueued: 10 });
    const started: string[] = [];
    const blocker = job(started, 'blocker');
    const running = gate.run(blocker.run);
    const abort = new AbortController();
    const waiting = gate.run(job(started, 'gone').run, abort.signal).catch((e: unknown) => e);
    await sleep(10);
    abort.abort();
    expect(((await waiting) as HttpError).status).toBe(499);
    expect(gate.waiting).toBe(0);
    blocker.done();
    await running;
    expect(started).toEqual(['blocker']);
  });

  it('a failing ingest frees its slot', async () => {
    const gate = new IngestGate({ maxConcurrent: 1, maxWaitMs: 1_000, maxQueued: 10 });
    await expect(gate.run(async () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone');
    expect(gate.inFlight).toBe(0);
    expect(await gate.run(async () => 1)).toBe(1);
  });

  it('refuses options that would never admit anything', () => {
    expect(() => new IngestGate({ maxConcurrent: 0, maxWaitMs: 1, maxQueued: 1 })).toThrow();
  });
});
