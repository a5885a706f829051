import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentMessage } from '../../src/endpoints/agent-message.js';
import { TokenBuckets, WindowedOnce } from '../../src/endpoints/throttle.js';

const hb = (agentId: string, over: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      agentId,
      at: 1,
      seq: 0,
      hostname: 'lab1-01',
      platform: 'linux',
      agentVersion: '0.1.0',
      intervalS: 30,
      uptimeS: 1,
      policyVersion: 0,
      killSwitch: false,
      devicesPresent: 0,
      devicesBlocked: 0,
      eventsDropped: 0,
      eventsQueued: 0,
      ...over,
    }),
  );

const parse = (topic: string, payload: Buffer | string, clientId = 'pc-1', max = 4096) =>
  parseAgentMessage({ topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), clientId }, max);

describe('parsing what a PC agent publishes', () => {
  it('accepts a valid heartbeat and the state strings', () => {
    expect(parse('campus/pc/pc-1/heartbeat', hb('pc-1'))).toMatchObject({ ok: true, message: { kind: 'heartbeat', agentId: 'pc-1' } });
    expect(parse('campus/pc/pc-1/state', 'online')).toEqual({ ok: true, message: { kind: 'state', agentId: 'pc-1', online: true } });
    expect(parse('campus/pc/pc-1/state', 'offline')).toEqual({ ok: true, message: { kind: 'state', agentId: 'pc-1', online: false } });
  });

  it('ignores topics that are not a PC agent’s', () => {
    expect(parse('campus/dev/gate-1/event/scan', '{}')).toBeNull();
    expect(parse('campus/pc/pc-1/cmd/x', '{}')).toBeNull();
    expect(parse('campus/pc/pc-1/usb/extra', '{}')).toBeNull();
    expect(parse('campus/pc/pc-1/policy', '{}')).toBeNull();
  });

  it('refuses, with the reason: another PC’s topic, another PC in the payload, oversize, not JSON, schema, bad state', () => {
    expect(parse('campus/pc/pc-2/heartbeat', hb('pc-2'))).toMatchObject({ ok: false, problem: 'wrong_agent', agentId: 'pc-1' });
    expect(parse('campus/pc/pc-1/heartbeat', hb('pc-2'))).toMatchObject({ ok: false, problem: 'wrong_agent', detail: expect.stringContaining('pc-2') });
    expect(parse('campus/pc/pc-1/heartbeat', hb('pc-1', { hostname: 'x'.repeat(5000) }))).toMatchObject({ ok: false, problem: 'too_large' });
    expect(parse('campus/pc/pc-1/usb', '{"id": ')).toMatchObject({ ok: false, problem: 'not_json' });
    expect(parse('campus/pc/pc-1/heartbeat', hb('pc-1', { platform: 'amiga' }))).toMatchObject({ ok: false, problem: 'schema', detail: expect.stringContaining('platform') });
    expect(parse('campus/pc/pc-1/heartbeat', hb('pc-1', { extra: true }))).toMatchObject({ ok: false, problem: 'schema' });
    expect(parse('campus/pc/pc-1/ack', JSON.stringify({ agentId: 'pc-1' }))).toMatchObject({ ok: false, problem: 'schema' });
    expect(parse('campus/pc/pc-1/state', 'ONLINE!')).toMatchObject({ ok: false, problem: 'bad_state' });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom('heartbeat', 'ack', 'usb', 'request', 'state'), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map((j) => new TextEncoder().encode(j))), (kind, bytes) => {
        const r = parse(`campus/pc/pc-1/${kind}`, Buffer.from(bytes));
        expect(r === null || typeof r.ok === 'boolean').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('throttles', () => {
  it('token bucket: a burst of the capacity, then the refill rate, with drops counted per key', () => {
    let now = 0;
    const b = new TokenBuckets(10, 60_000, () => now);
    let passed = 0;
    for (let i = 0; i < 30; i++) if (b.take('pc-1')) passed++;
    expect(passed).toBe(10);
    expect(b.take('pc-2')).toBe(true);
    expect(b.drainDropped()).toEqual([{ key: 'pc-1', dropped: 20 }]);
    expect(b.drainDropped()).toEqual([]);
    now += 6_000; // one token per 6 s
    expect(b.take('pc-1')).toBe(true);
    expect(b.take('pc-1')).toBe(false);
  });

  it('windowed once: the first passes, the rest of the window is folded into a count', () => {
    let now = 0;
    const w = new WindowedOnce(10_000, () => now);
    expect(w.pass('a')).toBe(0);
    expect(w.pass('a')).toBeNull();
    expect(w.pass('a')).toBeNull();
    expect(w.pass('b')).toBe(0);
    now = 10_000;
    expect(w.pass('a')).toBe(2);
  });
});
