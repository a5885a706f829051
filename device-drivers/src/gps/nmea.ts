/**
 * NMEA 0183 sentences a bus box needs: GGA (fix quality, satellites, HDOP, altitude),
 * RMC (status, date, speed, course) and VTG (speed, course), from any talker (GP GPS,
 * GL GLONASS, GA Galileo, BD/GB BeiDou, GN multi-constellation). Pure functions.
 */
export const TALKERS = ['GP', 'GN', 'GL', 'GA', 'BD', 'GB', 'GQ', 'GI'] as const;

export interface Gga {
  type: 'GGA';
  talker: string;
  /** Seconds of the UTC day (with fraction). */
  timeOfDay: number;
  lat: number | null;
  lon: number | null;
  quality: number;
  satellites: number | null;
  hdop: number | null;
  altitudeM: number | null;
}

export interface Rmc {
  type: 'RMC';
  talker: string;
  timeOfDay: number;
  valid: boolean;
  lat: number | null;
  lon: number | null;
  speedKmh: number | null;
  course: number | null;
  /** UTC midnight of the date field (ms), or null when the field is empty. */
  dateMs: number | null;
  /** The year as given, for clock checks (yy ≥ 80 reads as 19yy). */
  year: number | null;
}

export interface Vtg {
  type: 'VTG';
  talker: string;
  course: number | null;
  speedKmh: number | null;
}

export type Sentence = Gga | Rmc | Vtg;

export type ParseResult =
  | { ok: true; sentence: Sentence }
  | { ok: false; reason: 'bad_checksum' | 'malformed'; detail: string }
  | { ok: false; reason: 'unsupported'; detail: string };

export const KNOTS_TO_KMH = 1.852;

export function checksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

/** "$" + body + "*" + checksum. */
export function withChecksum(body: string): string {
  return `$${body}*${checksum(body)}`;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined || s === '') return null;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return Number.NaN;
  return Number(s);
};

function coord(value: string | undefined, hemi: string | undefined, degDigits: 2 | 3): number | null {
  if (!value && !hemi) return null;
  if (!value || !hemi || !/^\d+(\.\d+)?$/.test(value)) return Number.NaN;
  const dot = value.indexOf('.');
  const intLen = dot === -1 ? value.length : dot;
  if (intLen !== degDigits + 2) return Number.NaN;
  const deg = Number(value.slice(0, degDigits));
  const min = Number(value.slice(degDigits));
  if (min >= 60) return Number.NaN;
  const v = deg + min / 60;
  const neg = degDigits === 2 ? hemi === 'S' : hemi === 'W';
  const okHemi = degDigits === 2 ? hemi === 'N' || hemi === 'S' : hemi === 'E' || hemi === 'W';
  if (!okHemi || v > (degDigits === 2 ? 90 : 180)) return Number.NaN;
  return neg ? -v : v;
}

function timeOfDay(s: string | undefined): number {
  if (!s || !/^\d{6}(\.\d+)?$/.test(s)) return Number.NaN;
  const h = Number(s.slice(0, 2));
  const m = Number(s.slice(2, 4));
  const sec = Number(s.slice(4));
  if (h > 23 || m > 59 || sec >= 61) return Number.NaN;
  return h * 3600 + m * 60 + sec;
}

export function parseSentence(line: string): ParseResult {
  const text = line.trim();
  const bad = (detail: string): ParseResult => ({ ok: false, reason: 'malformed', detail });
  if (!text.startsWith('$') && !text.startsWith('!')) return bad('no $');
  const star = text.lastIndexOf('*');
  if (star === -1) return { ok: false, reason: 'bad_checksum', detail: 'no checksum' };
  const body = text.slice(1, star);
  const given = text.slice(star + 1).toUpperCase();
  if (!/^[0-9A-F]{2}$/.test(given)) return { ok: false, reason: 'bad_checksum', detail: `checksum "${given.slice(0, 8)}"` };
  const want = checksum(body);
  if (given !== want) return { ok: false, reason: 'bad_checksum', detail: `${given} ≠ ${want}` };
  if (body.includes('$')) return bad('two sentences run together');
  const f = body.split(',');
  const address = f[0] ?? '';
  if (!/^[A-Z]{2}[A-Z]{3}$/.test(address)) return bad(`address "${address.slice(0, 8)}"`);
  const talker = address.slice(0, 2);
  const type = address.slice(2);
  if (type !== 'GGA' && type !== 'RMC' && type !== 'VTG') return { ok: false, reason: 'unsupported', detail: address };
  if (!(TALKERS as readonly string[]).includes(talker)) return { ok: false, reason: 'unsupported', detail: address };
  if (type === 'GGA') {
    if (f.length < 15) return bad(`GGA with ${f.length} fields`);
    const s: Gga = {
      type,
      talker,
      timeOfDay: timeOfDay(f[1]),
      lat: coord(f[2], f[3], 2),
      lon: coord(f[4], f[5], 3),
      quality: f[6] === '' ? 0 : Number(f[6]),
      satellites: num(f[7]),
      hdop: num(f[8]),
      altitudeM: num(f[9]),
    };
    if (Number.isNaN(s.timeOfDay) && f[1] !== '') return bad('GGA time');
    if ([s.lat, s.lon, s.satellites, s.hdop, s.altitudeM].some((v) => v !== null && Number.isNaN(v)) || !Number.isInteger(s.quality) || s.quality < 0 || s.quality > 8) return bad('GGA fields');
    return { ok: true, sentence: s };
  }
  if (type === 'RMC') {
    if (f.length < 12) return bad(`RMC with ${f.length} fields`);
    const knots = num(f[7]);
    let dateMs: number | null = null;
    let year: number | null = null;
    if (f[9]) {
      if (!/^\d{6}$/.test(f[9])) return bad('RMC date');
      const dd = Number(f[9].slice(0, 2));
      const mm = Number(f[9].slice(2, 4));
      const yy = Number(f[9].slice(4, 6));
      year = yy >= 80 ? 1900 + yy : 2000 + yy;
      dateMs = Date.UTC(year, mm - 1, dd);
      const d = new Date(dateMs);
      if (mm < 1 || mm > 12 || d.getUTCDate() !== dd) return bad('RMC date');
    }
    const s: Rmc = {
      type,
      talker,
      timeOfDay: timeOfDay(f[1]),
      valid: f[2] === 'A',
      lat: coord(f[3], f[4], 2),
      lon: coord(f[5], f[6], 3),
      speedKmh: knots === null ? null : knots * KNOTS_TO_KMH,
      course: num(f[8]),
      dateMs,
      year,
    };
    if (f[2] !== 'A' && f[2] !== 'V') return bad('RMC status');
    if (Number.isNaN(s.timeOfDay) && f[1] !== '') return bad('RMC time');
    if ([s.lat, s.lon, s.speedKmh, s.course].some((v) => v !== null && Number.isNaN(v))) return bad('RMC fields');
    return { ok: true, sentence: s };
  }
  if (f.length < 9) return bad(`VTG with ${f.length} fields`);
  const s: Vtg = { type: 'VTG', talker, course: num(f[1]), speedKmh: num(f[7]) };
  if ([s.course, s.speedKmh].some((v) => v !== null && Number.isNaN(v))) return bad('VTG fields');
  return { ok: true, sentence: s };
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const R = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}
