import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, outOfChina, wgs84ToGcj02 } from '../../src/bus/gcj02.js';
import { haversineM } from '../../src/bus/eta.js';

/**
 * Reference points published with the widely used implementations (eviltransform's test
 * table: WGS-84 → GCJ-02 in Shanghai, Shenzhen and Beijing; gcoord's GCJ-02 → WGS-84 at
 * 45°N 123°E). Expected values are theirs, not computed here.
 */
const PUBLISHED: [string, number, number, number, number][] = [
  ['上海', 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
  ['深圳', 22.543847, 113.912316, 22.540796131694766, 113.9171764808363],
  ['北京', 39.911954, 116.377817, 39.91334545536069, 116.38404722455657],
];

describe('WGS-84 → GCJ-02 for Chinese map tiles', () => {
  it.each(PUBLISHED)('matches the published point in %s', (_city, wLat, wLon, gLat, gLon) => {
    const g = wgs84ToGcj02(wLat, wLon);
    expect(g.lat).toBeCloseTo(gLat, 9);
    expect(g.lon).toBeCloseTo(gLon, 9);
  });

  it('shifts by a few hundred metres inside China (the reason a GPS dot misses the road on 高德 tiles)', () => {
    for (const [, wLat, wLon] of PUBLISHED) {
      const g = wgs84ToGcj02(wLat, wLon);
      const m = haversineM(wLat, wLon, g.lat, g.lon);
      expect(m).toBeGreaterThan(100);
      expect(m).toBeLessThan(1000);
    }
  });

  it('inverts to the published WGS-84 point (gcoord: GCJ-02 123°E 45°N)', () => {
    const w = gcj02ToWgs84(45, 123);
    expect(w.lon).toBeCloseTo(122.99395597, 5);
    expect(w.lat).toBeCloseTo(44.99804071, 5);
    for (const [, wLat, wLon, gLat, gLon] of PUBLISHED) {
      const back = gcj02ToWgs84(gLat, gLon);
      expect(haversineM(back.lat, back.lon, wLat, wLon)).toBeLessThan(0.01);
    }
  });

  it('leaves points outside mainland China unchanged', () => {
    expect(outOfChina(51.5, -0.12)).toBe(true);
    expect(wgs84ToGcj02(51.5, -0.12)).toEqual({ lat: 51.5, lon: -0.12 });
    expect(wgs84ToGcj02(0, 0)).toEqual({ lat: 0, lon: 0 });
    expect(gcj02ToWgs84(-33.86, 151.2)).toEqual({ lat: -33.86, lon: 151.2 });
  });

  it('refuses what is not a position', () => {
    expect(() => wgs84ToGcj02(Number.NaN, 121)).toThrow(RangeError);
    expect(() => wgs84ToGcj02(91, 121)).toThrow(/not a position/);
    expect(() => gcj02ToWgs84(31, Infinity)).toThrow(RangeError);
  });
});
