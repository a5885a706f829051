import { SerialPathTransport, type SerialPathTransportOptions } from '../serial/serialPathTransport.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import { KNOTS_TO_KMH, withChecksum } from './nmea.js';

export interface SimFix {
  time: number;
  lat: number;
  lon: number;
  speedKmh?: number;
  course?: number;
  quality?: number;
  satellites?: number;
  hdop?: number;
  altitudeM?: number;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function hhmmss(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}.${pad(Math.floor(d.getUTCMilliseconds() / 10), 2)}`;
}
function ddmmyy(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate(), 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCFullYear() % 100, 2)}`;
}
function ddmm(v: number, degDigits: 2 | 3): string {
  const a = Math.abs(v);
  let deg = Math.floor(a);
  let min = Number(((a - deg) * 60).toFixed(5));
  if (min >= 60) {
    deg += 1;
    min = 0;
  }
  return `${pad(deg, degDigits)}${min.toFixed(5).padStart(8, '0')}`;
}

/** Formats a GGA sentence (checksum included, no line end). */
export function formatGga(f: SimFix, talker = 'GN'): string {
  return withChecksum(
    `${talker}GGA,${hhmmss(f.time)},${ddmm(f.lat, 2)},${f.lat < 0 ? 'S' : 'N'},${ddmm(f.lon, 3)},${f.lon < 0 ? 'W' : 'E'},${f.quality ?? 1},${pad(f.satellites ?? 12, 2)},${(f.hdop ?? 0.9).toFixed(1)},${(f.altitudeM ?? 12).toFixed(1)},M,0.0,M,,`,
  );
}

export function formatRmc(f: SimFix, talker = 'GN', valid = true): string {
  const knots = (f.speedKmh ?? 0) / KNOTS_TO_KMH;
  return withChecksum(
    `${talker}RMC,${hhmmss(f.time)},${valid ? 'A' : 'V'},${ddmm(f.lat, 2)},${f.lat < 0 ? 'S' : 'N'},${ddmm(f.lon, 3)},${f.lon < 0 ? 'W' : 'E'},${knots.toFixed(3)},${(f.course ?? 0).toFixed(1)},${ddmmyy(f.time)},,,A`,
  );
}

export function formatVtg(f: SimFix, talker = 'GN'): string {
  const kmh = f.speedKmh ?? 0;
  return withChecksum(`${talker}VTG,${(f.course ?? 0).toFixed(1)},T,,M,${(kmh / KNOTS_TO_KMH).toFixed(3)},N,${kmh.toFixed(3)},K,A`);
}

/** What a receiver without a fix sends. */
export function formatNoFix(time: number, talker = 'GN'): string[] {
  return [withChecksum(`${talker}GGA,${hhmmss(time)},,,,,0,00,99.9,,,,,,`), withChecksum(`${talker}RMC,${hhmmss(time)},V,,,,,,,${ddmmyy(time)},,,N`)];
}

/** One second's burst as a receiver sends it. */
export function burst(f: SimFix, talker = 'GN'): string {
  return [formatRmc(f, talker), formatVtg(f, talker), formatGga(f, talker)].map((s) => s + '\r\n').join('');
}

/**
 * Plays a GPS/BeiDou receiver on the device end of a serial line (a socat pty in tests
 * and the demo): writes NMEA bursts, raw bytes for bad-input tests, nothing else.
 */
export class NmeaSimulator {
  private constructor(private readonly transport: SerialPathTransport) {}

  static overSerial(line: SerialPathTransportOptions, logger: DriverLogger = silentLogger): NmeaSimulator {
    const t = new SerialPathTransport(line, logger);
    t.open();
    return new NmeaSimulator(t);
  }

  get open(): boolean {
    return this.transport.state === 'open';
  }

  async send(f: SimFix, talker = 'GN'): Promise<void> {
    await this.transport.write(Buffer.from(burst(f, talker), 'ascii'));
  }

  async write(raw: string | Uint8Array): Promise<void> {
    await this.transport.write(typeof raw === 'string' ? Buffer.from(raw, 'ascii') : raw);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
