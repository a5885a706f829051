import { distanceM } from '@campus/device-drivers/gps/index';
import type { BusConfig } from './config.js';

export { distanceM };

export interface StoredPoint {
  at: number;
  lat: number;
  lon: number;
  course: number | null;
}

/** Smallest angle between two headings, degrees. */
export function headingDelta(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

/**
 * Whether a fix is worth storing: every `minIntervalS` once the bus moved `minDistanceM`,
 * at once on a corner (heading change ≥ cornerDeg after a few metres), and once per
 * `maxIntervalS` at standstill. A 1 Hz receiver then costs a few MB a day at most.
 */
export function keepPoint(prev: StoredPoint | null, p: StoredPoint, o: BusConfig['positions']): boolean {
  if (!prev) return true;
  const dt = (p.at - prev.at) / 1000;
  if (dt <= 0) return false;
  if (dt >= o.maxIntervalS) return true;
  const moved = distanceM(prev.lat, prev.lon, p.lat, p.lon);
  if (dt >= o.minIntervalS && moved >= o.minDistanceM) return true;
  if (p.course !== null && prev.course !== null && moved >= 5 && headingDelta(prev.course, p.course) >= o.cornerDeg) return true;
  return false;
}
