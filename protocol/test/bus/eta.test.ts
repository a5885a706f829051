import { describe, expect, it } from 'vitest';
import { estimateArrivals, haversineM, type EtaFix, type EtaStop } from '../../src/bus/eta.js';

const T = Date.UTC(2026, 8, 7, 0, 0, 0);
/** Degrees of latitude per km (on any meridian, to well under 1 %). */
const KM = 1 / 111.195;
/** Four stops 1 km apart going north. */
const STOPS: EtaStop[] = [0, 1, 2, 3].map((k) => ({ id: `s${k}`, lat: 31 + k * KM, lon: 121.4, radiusM: 60 }));
const fix = (atS: number, km: number, speedKmh: number): EtaFix => ({ at: T + atS * 1000, lat: 31 + km * KM, lon: 121.4, speedKmh });
const exact = { roadFactor: 1, dwellS: 0 };

describe('bus ETA per remaining stop', () => {
  it('measures distance with the haversine formula', () => {
    expect(haversineM(31, 121.4, 31 + KM, 121.4)).toBeCloseTo(1000, 0);
  });

  it('adds up distance along the remaining stops at the mean recent speed, with dwell and road factor', () => {
    // Halfway between s0 and s1 at 36 km/h (10 m/s).
    const fixes = [fix(-20, 0.3, 36), fix(-10, 0.4, 36), fix(0, 0.5, 36)];
    const r = estimateArrivals({ stops: STOPS, reached: 0, fixes, now: T, options: exact });
    expect(r.speedBasis).toBe('recent');
    expect(r.stops.map((s) => s.stopId)).toEqual(['s1', 's2', 's3']);
    expect(r.stops.map((s) => s.distanceM)).toEqual([500, 1500, 2500]);
    expect(r.stops.map((s) => s.seconds)).toEqual([50, 150, 250]);
    expect(r.stops[0]!.at).toBe(T + 50_000);
    const withDwell = estimateArrivals({ stops: STOPS, reached: 0, fixes, now: T, options: { roadFactor: 1.3, dwellS: 30 } });
    expect(withDwell.stops.map((s) => s.seconds)).toEqual([65, 195 + 30, 325 + 60]);
  });

  it('takes route progress from the trip and from a geofence the bus is inside', () => {
    const r = estimateArrivals({ stops: STOPS, reached: -1, fixes: [fix(0, 2.01, 0), fix(-30, 1.9, 20)], now: T, options: exact });
    expect(r.reached).toBe(2);
    expect(r.atStop).toBe('s2');
    expect(r.stops[0]).toEqual({ stopId: 's2', distanceM: 0, at: T, seconds: 0 });
    expect(r.stops.map((s) => s.stopId)).toEqual(['s2', 's3']);
    // Past the last stop: nothing ahead.
    expect(estimateArrivals({ stops: STOPS, reached: 3, fixes: [fix(0, 3.5, 30)], now: T }).stops).toEqual([]);
    // A stop already reached is never ahead again, even when the bus drives back near it.
    const back = estimateArrivals({ stops: STOPS, reached: 2, fixes: [fix(0, 1, 30)], now: T, options: exact });
    expect(back.stops.map((s) => s.stopId)).toEqual(['s3']);
  });

  it('takes the next stop from the position when no arrival was reported', () => {
    // Between s1 and s2 (a little off the line), nothing reached on record: s1 is behind the bus.
    const mid = estimateArrivals({ stops: STOPS, reached: -1, fixes: [{ ...fix(0, 1.5, 36), lon: 121.4003 }], now: T, options: exact });
    expect(mid.reached).toBe(1);
    expect(mid.stops.map((s) => s.stopId)).toEqual(['s2', 's3']);
    // Coming from the depot south of s0: s0 is still ahead.
    const before = estimateArrivals({ stops: STOPS, reached: -1, fixes: [fix(0, -0.5, 36)], now: T, options: exact });
    expect(before.stops.map((s) => [s.stopId, s.distanceM])).toEqual([
      ['s0', 500],
      ['s1', 1500],
      ['s2', 2500],
      ['s3', 3500],
    ]);
  });

  it('uses a minimum speed in a jam, a default speed without recent fixes, and flags a stale position', () => {
    const jam = estimateArrivals({ stops: STOPS, reached: 0, fixes: [fix(-10, 0.5, 0), fix(0, 0.5, 2)], now: T, options: { ...exact, minSpeedKmh: 10 } });
    expect(jam.speedBasis).toBe('minimum');
    expect(jam.stops[0]!.seconds).toBe(180); // 500 m at 10 km/h
    // The last fix 10 minutes ago (a tunnel): default speed from the old fix's time, never in the past.
    const old = estimateArrivals({ stops: STOPS, reached: 0, fixes: [fix(-600, 0.5, 40)], now: T, options: { ...exact, defaultSpeedKmh: 18 } });
    expect(old.stale).toBe(true);
    expect(old.speedBasis).toBe('default');
    expect(old.stops.map((s) => s.seconds)).toEqual([0, 0, 0]); // 500 m at 5 m/s from 10 min ago: already due
    expect(old.stops[2]!.at).toBe(T);
    const none = estimateArrivals({ stops: STOPS, reached: 0, fixes: [], now: T });
    expect(none.position).toBeNull();
    expect(none.stale).toBe(true);
    expect(none.stops).toEqual([
      { stopId: 's1', distanceM: null, at: null, seconds: null },
      { stopId: 's2', distanceM: null, at: null, seconds: null },
      { stopId: 's3', distanceM: null, at: null, seconds: null },
    ]);
  });

  it('ignores impossible fixes and orders fixes by time', () => {
    const r = estimateArrivals({
      stops: STOPS,
      reached: 0,
      fixes: [fix(0, 0.5, 36), { at: T + 1000, lat: 95, lon: 121.4, speedKmh: 36 }, { at: NaN, lat: 31, lon: 121.4, speedKmh: 36 }, fix(-5, 0.45, 36), { ...fix(-1, 0.49, 36), speedKmh: 900 }],
      now: T,
      options: exact,
    });
    expect(r.position).toEqual(fix(0, 0.5, 36));
    expect(r.speedKmh).toBe(36);
    expect(r.stops[0]!.seconds).toBe(50);
  });
});
