import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/edge-config.js';
import { BusConfigSchema } from '../../src/bus/config.js';
import { keepPoint } from '../../src/bus/geo.js';

describe('bus box profile', () => {
  it('deploy/bus.example.yaml is valid: bus on, energy off', () => {
    const c = loadConfig(new URL('../../../deploy/bus.example.yaml', import.meta.url).pathname, {});
    expect(c.bus.enabled).toBe(true);
    expect(c.energy.enabled).toBe(false);
    expect(c.bus.readers.map((r) => r.id)).toEqual(['door']);
    expect(c.bus.routes[0]!.stops.map((s) => s.id)).toEqual(['S1', 'S2', 'SCH']);
  });

  it('is off by default and refuses assignments to unknown routes or stops, and more than 56 seats', () => {
    expect(BusConfigSchema.parse(undefined).enabled).toBe(false);
    const route = { id: 'R1', name: '1号线', stops: [{ id: 'S1', name: 'a', lat: 31, lon: 121 }] };
    const bad = BusConfigSchema.safeParse({ routes: [route], assignments: [{ personId: 'x', routeId: 'R1', stopId: 'S9', direction: 'morning', from: '2026-09-01' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['assignments', 0, 'stopId']);
    expect(BusConfigSchema.safeParse({ routes: [route, route] }).success).toBe(false);
    expect(BusConfigSchema.safeParse({ vehicle: { seats: 57 } }).success).toBe(false);
  });
});

describe('position thinning', () => {
  const o = BusConfigSchema.parse({}).positions;
  const T = Date.UTC(2026, 8, 7);

  it('keeps one point per 5 s once moved 20 m, corners at once, one a minute at standstill', () => {
    // A day of 1 Hz fixes: 8 h driving straight at 36 km/h with a corner every minute, 16 h parked.
    let kept = 0;
    let prev: Parameters<typeof keepPoint>[0] = null;
    let lat = 31;
    let course = 0;
    for (let s = 0; s < 86_400; s++) {
      const driving = s < 8 * 3600;
      if (driving) {
        lat += 10 / 111_000; // 10 m/s north
        if (s % 60 === 0) course = course === 0 ? 90 : 0;
      }
      const p = { at: T + s * 1000, lat, lon: 121, course };
      if (keepPoint(prev, p, o)) {
        kept++;
        prev = p;
      }
    }
    // 8 h / 5 s = 5760, + the corners (480), + parked 16 h / 60 s = 960
    expect(kept).toBeGreaterThan(5760);
    expect(kept).toBeLessThan(5760 + 480 + 960 + 10);
  });

  it('keeps a corner that comes before the 5 s are up, and nothing for a stationary receiver’s noise', () => {
    const a = { at: T, lat: 31, lon: 121, course: 0 };
    expect(keepPoint(a, { at: T + 2000, lat: 31.0001, lon: 121, course: 45 }, o)).toBe(true);
    expect(keepPoint(a, { at: T + 2000, lat: 31.0001, lon: 121, course: 5 }, o)).toBe(false);
    expect(keepPoint(a, { at: T + 30_000, lat: 31.00001, lon: 121, course: 170 }, o)).toBe(false); // 1 m of jitter
    expect(keepPoint(a, { at: T + 60_000, lat: 31.00001, lon: 121, course: 0 }, o)).toBe(true);
  });
});
