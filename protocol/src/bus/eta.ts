/**
 * ETA of a school bus at each stop still ahead, from route progress and recent speeds.
 * A pure function: the cloud uses it for the parent's live view and the manager's screen;
 * the bus box may use it for the attendant's screen. No clock, no I/O: `now` is given.
 *
 * Distance: from the bus to the next stop, then stop to stop, straight lines times a road
 * factor (streets are not straight; 1.3 is a usual urban ratio). Speed: the mean of the
 * fixes in the recent window (a bus standing at a light keeps the window's average),
 * never below `minSpeedKmh` (a jam must not promise "never"), and `defaultSpeedKmh` when
 * there are no recent fixes. Every stop passed on the way costs `dwellS`.
 */
export interface EtaStop {
  id: string;
  lat: number;
  lon: number;
  /** Geofence radius: a bus inside it is at the stop (default 60 m). */
  radiusM?: number;
}

export interface EtaFix {
  /** ms since epoch */
  at: number;
  lat: number;
  lon: number;
  speedKmh: number;
}

export interface EtaOptions {
  roadFactor?: number;
  /** Fixes newer than now − windowMs count for the speed (default 5 min). */
  windowMs?: number;
  minSpeedKmh?: number;
  defaultSpeedKmh?: number;
  /** Seconds spent at each intermediate stop (default 30). */
  dwellS?: number;
  /** A latest fix older than this makes the estimate stale (default 2 min). */
  staleMs?: number;
}

export interface EtaInput {
  /** Stops in the order this trip runs them (the afternoon runs the route reversed). */
  stops: EtaStop[];
  /** Index of the last stop the trip reached (its arrival event), −1 before the first. */
  reached: number;
  fixes: EtaFix[];
  now: number;
  options?: EtaOptions;
}

export interface StopEta {
  stopId: string;
  /** Metres along the way (straight lines × road factor) from the bus; null without a position. */
  distanceM: number | null;
  /** Expected arrival, ms since epoch; null when there is no position to start from. */
  at: number | null;
  /** Seconds from now (0 when the bus is late on its own estimate or at the stop). */
  seconds: number | null;
}

export interface EtaResult {
  /** Index of the stop the bus is at or last reached (route progress after this position). */
  reached: number;
  /** The stop the bus is inside the geofence of, if any. */
  atStop: string | null;
  speedKmh: number;
  speedBasis: 'recent' | 'default' | 'minimum';
  /** The latest fix is older than staleMs (the bus is in a tunnel, or the link is down). */
  stale: boolean;
  position: EtaFix | null;
  stops: StopEta[];
}

const R = 6_371_000;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Where along segment a→b the point p projects (t, 0…1 inside) and how far it is from the segment, in metres (local plane). */
function toSegment(p: { lat: number; lon: number }, a: { lat: number; lon: number }, b: { lat: number; lon: number }): { t: number; d: number } {
  const k = 111_195;
  const c = Math.cos(rad(a.lat));
  const bx = (b.lon - a.lon) * c * k;
  const by = (b.lat - a.lat) * k;
  const px = (p.lon - a.lon) * c * k;
  const py = (p.lat - a.lat) * k;
  const len2 = bx * bx + by * by;
  const t = len2 === 0 ? 0 : (px * bx + py * by) / len2;
  const u = Math.max(0, Math.min(1, t));
  return { t, d: Math.hypot(px - u * bx, py - u * by) };
}

/**
 * The next stop from the position alone, when the arrival events lag (a bus box offline,
 * a terminal without geofences): the remaining stretch of route the bus is closest to.
 * Before the first stop only when the bus is on the near side of it.
 */
function nextStopByPosition(stops: EtaStop[], reached: number, p: { lat: number; lon: number }): number {
  let best = reached + 1;
  let bestD = Infinity;
  if (reached < 0 && stops.length > 0) {
    const first = stops.length > 1 ? toSegment(p, stops[0]!, stops[1]!) : { t: -1, d: 0 };
    if (first.t <= 0) bestD = haversineM(p.lat, p.lon, stops[0]!.lat, stops[0]!.lon);
  }
  for (let k = Math.max(1, reached + 1); k < stops.length; k++) {
    const { d } = toSegment(p, stops[k - 1]!, stops[k]!);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

const validFix = (f: EtaFix) => Number.isFinite(f.at) && Math.abs(f.lat) <= 90 && Math.abs(f.lon) <= 180 && Number.isFinite(f.speedKmh) && f.speedKmh >= 0 && f.speedKmh < 250;

export function estimateArrivals(input: EtaInput): EtaResult {
  const o = { roadFactor: 1.3, windowMs: 5 * 60_000, minSpeedKmh: 10, defaultSpeedKmh: 25, dwellS: 30, staleMs: 2 * 60_000, ...input.options };
  const fixes = input.fixes.filter(validFix).sort((a, b) => a.at - b.at);
  const position = fixes.at(-1) ?? null;
  let reached = Math.max(-1, Math.min(input.reached, input.stops.length - 1));
  let atStop: string | null = null;
  if (position && reached < input.stops.length - 1) reached = Math.max(reached, nextStopByPosition(input.stops, reached, position) - 1);
  if (position) {
    // Route progress: a bus inside the geofence of a stop ahead has reached it (the arrival event may still be on its way).
    for (let i = Math.max(0, reached); i < input.stops.length; i++) {
      const s = input.stops[i]!;
      if (haversineM(position.lat, position.lon, s.lat, s.lon) <= (s.radiusM ?? 60)) {
        reached = i;
        atStop = s.id;
        break;
      }
    }
  }
  const recent = fixes.filter((f) => f.at >= input.now - o.windowMs);
  let speedKmh: number;
  let speedBasis: EtaResult['speedBasis'];
  if (recent.length) {
    speedKmh = recent.reduce((a, f) => a + f.speedKmh, 0) / recent.length;
    speedBasis = 'recent';
  } else {
    speedKmh = o.defaultSpeedKmh;
    speedBasis = 'default';
  }
  if (speedKmh < o.minSpeedKmh) {
    speedKmh = o.minSpeedKmh;
    speedBasis = 'minimum';
  }
  const stale = !position || input.now - position.at > o.staleMs;
  const mps = (speedKmh * 1000) / 3600;
  const out: StopEta[] = [];
  let prev = position;
  let along = 0;
  let dwell = 0;
  for (let i = reached + 1; i < input.stops.length; i++) {
    const s = input.stops[i]!;
    if (prev) along += haversineM(prev.lat, prev.lon, s.lat, s.lon) * o.roadFactor;
    if (!position) {
      out.push({ stopId: s.id, distanceM: null, at: null, seconds: null });
      continue;
    }
    const travel = along / mps + dwell;
    const at = Math.round(Math.max(input.now, position.at + travel * 1000));
    out.push({ stopId: s.id, distanceM: Math.round(along), at, seconds: Math.round((at - input.now) / 1000) });
    prev = { ...position, lat: s.lat, lon: s.lon };
    dwell += o.dwellS;
  }
  if (atStop) out.unshift({ stopId: atStop, distanceM: 0, at: input.now, seconds: 0 });
  return { reached, atStop, speedKmh: Math.round(speedKmh * 10) / 10, speedBasis, stale, position, stops: out };
}
