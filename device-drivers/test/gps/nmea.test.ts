import { describe, expect, it } from 'vitest';
import { burst, formatGga, formatNoFix, formatRmc, GpsTracker, parseSentence, withChecksum, type GpsFix, type GpsRefused } from '../../src/gps/index.js';

// Widely published reference sentences (checksums as published, not computed here).
const GGA = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47';
const RMC = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A';

const T0 = Date.UTC(2026, 11, 4, 0, 30, 0);
const HOME = { lat: 31.230416, lon: 121.473701 };

function tracker(now = () => T0 + 500, options = {}) {
  const fixes: GpsFix[] = [];
  const refused: GpsRefused[] = [];
  const t = new GpsTracker(options, now, (f) => fixes.push(f), (r) => refused.push(r));
  const feed = (text: string) => text.split(/\r?\n/).filter(Boolean).forEach((l) => t.line(l));
  return { t, fixes, refused, feed, reasons: () => refused.map((r) => r.reason) };
}

describe('NMEA sentences', () => {
  it('parses the reference GGA and RMC', () => {
    const g = parseSentence(GGA);
    expect(g).toMatchObject({ ok: true, sentence: { type: 'GGA', talker: 'GP', quality: 1, satellites: 8, hdop: 0.9, altitudeM: 545.4 } });
    if (!g.ok || g.sentence.type !== 'GGA') throw new Error('GGA');
    expect(g.sentence.lat).toBeCloseTo(48 + 7.038 / 60, 9);
    expect(g.sentence.lon).toBeCloseTo(11 + 31 / 60, 9);
    expect(g.sentence.timeOfDay).toBe(12 * 3600 + 35 * 60 + 19);
    const r = parseSentence(RMC);
    expect(r).toMatchObject({ ok: true, sentence: { type: 'RMC', valid: true, year: 1994, course: 84.4 } });
    if (!r.ok || r.sentence.type !== 'RMC') throw new Error('RMC');
    expect(r.sentence.speedKmh).toBeCloseTo(22.4 * 1.852, 6);
  });

  it.each(['GP', 'GN', 'GL', 'GA', 'BD', 'GB'])('accepts talker %s', (talker) => {
    const s = formatGga({ time: T0, ...HOME }, talker);
    expect(parseSentence(s)).toMatchObject({ ok: true, sentence: { talker } });
  });

  it('refuses bad checksums, missing checksums, mixed and truncated sentences', () => {
    expect(parseSentence(GGA.replace('*47', '*48'))).toMatchObject({ ok: false, reason: 'bad_checksum' });
    expect(parseSentence(GGA.slice(0, -3))).toMatchObject({ ok: false, reason: 'bad_checksum' });
    expect(parseSentence(GGA.replace('545.4', '545.5'))).toMatchObject({ ok: false, reason: 'bad_checksum' });
    // two sentences run together (a dropped line end), checksum recomputed so only the structure is wrong
    expect(parseSentence(withChecksum('GPGGA,123519,4807.0$GPRMC,123519,A'))).toMatchObject({ ok: false, reason: 'malformed' });
    // truncated: valid checksum over too few fields
    expect(parseSentence(withChecksum('GPGGA,123519,4807.038,N'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseSentence(withChecksum('GPGGA,123519,4807.038,X,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseSentence(withChecksum('GPGSV,3,1,11,03,03,111,00'))).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(parseSentence('hello')).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('GPS fixes', () => {
  it('combines a burst into one fix, any order, with HDOP and quality', () => {
    const { fixes, feed, refused } = tracker();
    feed(burst({ time: T0, ...HOME, speedKmh: 36, hdop: 1.2, satellites: 9 }));
    feed(formatGga({ time: T0 + 1000, ...HOME }, 'BD') + '\n' + formatRmc({ time: T0 + 1000, ...HOME }, 'BD'));
    expect(refused).toEqual([]);
    expect(fixes).toHaveLength(2);
    expect(fixes[0]).toMatchObject({ time: T0, quality: 1, hdop: 1.2, satellites: 9, talker: 'GN' });
    expect(fixes[0]!.speedKmh).toBeCloseTo(36, 2);
    expect(fixes[0]!.lat).toBeCloseTo(HOME.lat, 5);
    expect(fixes[1]).toMatchObject({ time: T0 + 1000, talker: 'BD' });
  });

  it('refuses no fix, poor HDOP, a repeated old fix, a 1980 clock and the reference 1994 date', () => {
    const x = tracker();
    x.feed(formatNoFix(T0).join('\n'));
    x.feed(burst({ time: T0 + 1000, ...HOME, hdop: 25 }));
    x.feed(burst({ time: T0 + 2000, ...HOME }));
    x.feed(burst({ time: T0 + 2000, ...HOME }).split('\r\n').slice(0, 1).join('\n')); // RMC of the same second again…
    x.t.flush();
    x.feed(burst({ time: T0 + 1500, ...HOME })); // …and an older one
    x.feed(burst({ time: Date.UTC(1980, 0, 6, 0, 0, 5), ...HOME }));
    x.feed(GGA + '\n' + RMC);
    expect(x.fixes.map((f) => f.time)).toEqual([T0 + 2000]);
    expect(x.reasons()).toEqual(['no_fix', 'poor_hdop', 'stale', 'stale', 'bad_clock', 'bad_clock']);
    expect(x.t.counts).toMatchObject({ accepted: 1, no_fix: 1, poor_hdop: 1, stale: 2, bad_clock: 2 });
  });

  it('refuses a jump of 50 km in a second, and follows when the next fixes agree with each other', () => {
    const x = tracker();
    x.feed(burst({ time: T0, ...HOME }));
    x.feed(burst({ time: T0 + 1000, lat: HOME.lat + 0.45, lon: HOME.lon })); // ~50 km north
    expect(x.reasons()).toEqual(['jump']);
    expect(x.refused[0]!.params).toMatchObject({ seconds: 1 });
    expect(Number(x.refused[0]!.params.km)).toBeGreaterThan(49);
    x.feed(burst({ time: T0 + 2000, ...HOME, lat: HOME.lat + 0.0001 })); // back on track: accepted
    expect(x.fixes).toHaveLength(2);
    // a receiver that really moved (re-acquired far away): two agreeing fixes move the anchor
    x.feed(burst({ time: T0 + 3000, lat: 30, lon: 120 }));
    x.feed(burst({ time: T0 + 4000, lat: 30.0001, lon: 120 }));
    expect(x.fixes.map((f) => f.lat.toFixed(4))).toEqual([HOME.lat.toFixed(4), (HOME.lat + 0.0001).toFixed(4), '30.0001']);
  });

  it('reports a stale fix when nothing usable arrives', () => {
    let now = T0;
    const x = tracker(() => now, { staleAfterMs: 5000 });
    expect(x.t.stale()).toBe(true);
    x.feed(burst({ time: T0, ...HOME }));
    expect(x.t.stale()).toBe(false);
    now += 6000;
    expect(x.t.stale()).toBe(true);
  });
});
