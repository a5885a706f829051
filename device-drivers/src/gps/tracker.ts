import { z } from 'zod';
import { distanceM, parseSentence, type Gga, type Rmc, type Vtg } from './nmea.js';
import { GPS_REFUSALS, type GpsRefusal } from './messages.js';

export const GpsCheckSchema = z.strictObject({
  maxHdop: z.number().positive().max(99).default(10).describe('Fixes with a worse HDOP are set aside'),
  maxSpeedKmh: z.number().positive().max(2000).default(200).describe('A position implying a faster move than this from the last one is a jump'),
  minYear: z.number().int().min(1980).max(2100).default(2020).describe('A receiver date before this year is a wrong clock (GPS week rollover, a cold RTC)'),
  maxAheadMs: z.number().int().min(0).default(86_400_000).describe('A receiver date this far ahead of the host clock is a wrong clock'),
  staleAfterMs: z.number().int().min(500).max(600_000).default(5000).describe('No accepted fix for this long: the fix is stale'),
});
export type GpsCheckOptions = z.input<typeof GpsCheckSchema>;

/** One accepted position. */
export interface GpsFix {
  /** UTC ms from the receiver's date and time. */
  time: number;
  lat: number;
  lon: number;
  speedKmh: number;
  course: number | null;
  quality: number | null;
  satellites: number | null;
  hdop: number | null;
  altitudeM: number | null;
  talker: string;
  /** Host wall time when it was accepted. */
  receivedAt: number;
}

export interface GpsRefused {
  reason: GpsRefusal;
  params: Record<string, string | number>;
}

interface Cycle {
  tod: number;
  rmc?: Rmc;
  gga?: Gga;
  vtg?: Vtg;
  done: boolean;
}

/**
 * Turns sentences into positions. A receiver sends one burst per second (GGA, RMC,
 * VTG, ... in its own order) sharing a UTC time: a fix is emitted as soon as the burst
 * has both RMC and GGA, or when the next burst starts. Every refusal is counted by reason.
 */
export class GpsTracker {
  readonly options: z.output<typeof GpsCheckSchema>;
  readonly counts: Record<GpsRefusal | 'accepted' | 'unsupported', number>;
  #cycle: Cycle | null = null;
  #last: GpsFix | null = null;
  #candidate: GpsFix | null = null;
  #lastDateMs: number | null = null;

  constructor(
    options: GpsCheckOptions,
    private readonly now: () => number,
    private readonly onFix: (fix: GpsFix) => void,
    private readonly onRefused: (r: GpsRefused) => void,
  ) {
    this.options = GpsCheckSchema.parse(options);
    this.counts = Object.fromEntries([...GPS_REFUSALS, 'accepted', 'unsupported'].map((k) => [k, 0])) as GpsTracker['counts'];
  }

  get last(): GpsFix | null {
    return this.#last;
  }

  /** The last accepted fix is older than staleAfterMs (or there is none). */
  stale(): boolean {
    return this.#last === null || this.now() - this.#last.receivedAt > this.options.staleAfterMs;
  }

  refuse(reason: GpsRefusal, params: Record<string, string | number> = {}): void {
    this.counts[reason]++;
    this.onRefused({ reason, params });
  }

  line(text: string): void {
    const r = parseSentence(text);
    if (!r.ok) {
      if (r.reason === 'unsupported') this.counts.unsupported++;
      else this.refuse(r.reason, { detail: r.detail });
      return;
    }
    const s = r.sentence;
    if (s.type === 'VTG') {
      if (this.#cycle) this.#cycle.vtg = s;
      return;
    }
    if (Number.isNaN(s.timeOfDay)) {
      // no time (a receiver without a fix often leaves it empty)
      if (s.type === 'RMC' ? !s.valid : s.quality === 0) this.refuse('no_fix');
      else this.refuse('malformed', { detail: `${s.type} without time` });
      return;
    }
    if (this.#cycle && this.#cycle.tod !== s.timeOfDay) this.#finish();
    this.#cycle ??= { tod: s.timeOfDay, done: false };
    if (s.type === 'RMC') this.#cycle.rmc = s;
    else this.#cycle.gga = s;
    if (this.#cycle.rmc && this.#cycle.gga) this.#finish();
  }

  /** The burst is over (the line went idle): decide on what it has. */
  flush(): void {
    this.#finish();
  }

  #finish(): void {
    const c = this.#cycle;
    this.#cycle = null;
    if (!c || c.done) return;
    c.done = true;
    const { rmc, gga, vtg } = c;
    if ((rmc && !rmc.valid) || (gga && gga.quality === 0) || (rmc ? rmc.lat === null || rmc.lon === null : gga!.lat === null || gga!.lon === null)) return this.refuse('no_fix');
    if (rmc?.dateMs != null) this.#lastDateMs = rmc.dateMs;
    const dateMs = rmc?.dateMs ?? this.#lastDateMs;
    if (dateMs === null) return this.refuse('bad_clock', { detail: 'no date (GGA without RMC)' });
    const year = new Date(dateMs).getUTCFullYear();
    if (year < this.options.minYear) return this.refuse('bad_clock', { detail: `year ${year}` });
    const time = Math.round(dateMs + c.tod * 1000);
    const host = this.now();
    if (time - host > this.options.maxAheadMs) return this.refuse('bad_clock', { detail: new Date(time).toISOString() });
    const hdop = gga?.hdop ?? null;
    if (hdop !== null && hdop > this.options.maxHdop) return this.refuse('poor_hdop', { hdop });
    const fix: GpsFix = {
      time,
      lat: (rmc?.lat ?? gga!.lat)!,
      lon: (rmc?.lon ?? gga!.lon)!,
      speedKmh: rmc?.speedKmh ?? vtg?.speedKmh ?? 0,
      course: rmc?.course ?? vtg?.course ?? null,
      quality: gga?.quality ?? null,
      satellites: gga?.satellites ?? null,
      hdop,
      altitudeM: gga?.altitudeM ?? null,
      talker: (rmc ?? gga)!.talker,
      receivedAt: host,
    };
    const last = this.#last;
    if (last) {
      if (fix.time <= last.time) return this.refuse('stale');
      if (this.#jumps(last, fix)) {
        // Two consecutive fixes that agree with each other but not with the anchor: the
        // anchor was wrong (or the bus really was carried away); move on.
        if (this.#candidate && !this.#jumps(this.#candidate, fix) && fix.time > this.#candidate.time) {
          this.#candidate = null;
        } else {
          this.#candidate = fix;
          const km = distanceM(last.lat, last.lon, fix.lat, fix.lon) / 1000;
          return this.refuse('jump', { km: Math.round(km * 10) / 10, seconds: Math.round((fix.time - last.time) / 100) / 10 });
        }
      }
    }
    this.#candidate = null;
    this.#last = fix;
    this.counts.accepted++;
    this.onFix(fix);
  }

  #jumps(a: GpsFix, b: GpsFix): boolean {
    const dt = (b.time - a.time) / 1000;
    if (dt <= 0) return true;
    const kmh = distanceM(a.lat, a.lon, b.lat, b.lon) / 1000 / (dt / 3600);
    // allow a metre or so of noise at standstill
    return kmh > this.options.maxSpeedKmh && distanceM(a.lat, a.lon, b.lat, b.lon) > 50;
  }
}
