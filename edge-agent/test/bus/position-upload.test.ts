import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { GpsFix } from '@campus/device-drivers/gps/index';
import type { BusDomain } from '../../src/bus/domain.js';
import { startTestEdge } from '../helpers/edge.js';
import { eventsAfter } from '../access/rig.js';
import { FakeTime } from './fake-time.js';

/**
 * The running trip's stored fixes go up as `bus.position` events at most every 5 s; a fix
 * stored sooner (a corner) goes up when the 5 s are over, without waiting for the next
 * stored fix (which may be a minute away at a standstill): the parents' live view lags
 * no more than it must. Real edge, real SQLite, fake time.
 */
describe('school bus: position uploads are paced, and a fix never waits for the next one', () => {
  const T0 = Date.parse('2026-09-07T07:00:00+08:00');
  const time = new FakeTime(T0);
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  beforeAll(async () => {
    edge = await startTestEdge(
      { energy: { enabled: false }, bus: { enabled: true, routes: [{ id: 'R1', name: '1号线', stops: [{ id: 'A', name: '甲', lat: 31, lon: 121 }, { id: 'SCH', name: '学校', lat: 31.3, lon: 121, depot: true }] }] } } as never,
      { wallNow: time.now, time, logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await edge?.cleanup();
  });

  it('sends the corner fix 5 s after the last upload, with no fix after it', async () => {
    const s = (edge.domains.get('bus') as BusDomain).service!;
    s.openTrip('R1', 'morning', undefined, 'test');
    const seq = edge.store.events.after(0, 100_000).at(-1)?.seq ?? 0;
    const fix = (lat: number, lon: number, course: number): void => {
      const f: GpsFix = { time: time.t, lat, lon, speedKmh: 30, course, quality: 1, satellites: 10, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: time.t };
      s.position(f);
    };
    const uploaded = () => eventsAfter(edge, seq, 'bus.position').flatMap((e) => (e.data.fixes as { at: number }[]).map((x) => x.at));
    fix(31.01, 121, 0); // the trip's first fix: stored and sent at once
    expect(uploaded()).toEqual([T0]);
    await time.advance(2000);
    fix(31.0102, 121.0003, 90); // a corner 2 s later: stored at once, not sent yet (5 s pacing)
    const corner = time.t;
    expect(uploaded()).toEqual([T0]);
    await time.advance(2900);
    expect(uploaded()).toEqual([T0]);
    await time.advance(200); // 5 s after the last upload: sent, no further fix needed
    expect(uploaded()).toEqual([T0, corner]);
    const events = eventsAfter(edge, seq, 'bus.position');
    expect(events[1]!.occurredAt - events[0]!.occurredAt).toBeGreaterThanOrEqual(5000);
    // Nothing more to send: no empty events.
    await time.advance(60_000);
    expect(eventsAfter(edge, seq, 'bus.position')).toHaveLength(2);
  });
});
