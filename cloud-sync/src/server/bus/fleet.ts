import { haversineM } from '@campus/protocol/bus/eta';
import { wgs84ToGcj02, type LatLon } from '@campus/protocol/bus/gcj02';
import type { Queryable } from '../db/database.js';

/** A map of tiles for the manager's live view: `coords` says which datum the tiles draw in (mainland China's: GCJ-02). */
export interface BusMapTiles {
  /** e.g. https://tiles.example.cn/{z}/{x}/{y}.png — {z} {x} {y} (and {s} for a subdomain) are filled in by the console. */
  url: string;
  coords: 'gcj02' | 'wgs84';
  attribution?: string;
}

export interface FleetBus {
  vehicleId: string | null;
  plate: string | null;
  tripId: string | null;
  direction: string | null;
  openedAt: number | null;
  /** Index of the last stop reached (in this trip's order), -1 before the first. */
  reached: number;
  /** Fraction (0..1) of the way from the reached stop to the next (by straight-line distances); 0 without a position. */
  between: number;
  position: { at: number; lat: number; lon: number; speedKmh: number; source: string; draw?: LatLon } | null;
  stale: boolean;
  onBoard: number;
  boarded: number;
}

export interface FleetRoute {
  id: string;
  name: string;
  /** Stops in morning order (the schematic reverses them for an afternoon trip). */
  stops: { id: string; name: string; lat: number; lon: number; depot: boolean; draw?: LatLon }[];
  buses: FleetBus[];
}

const STALE_MS = 60_000;
const localDate = (at: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/**
 * The transport manager's live view of every bus of the school: each route's stops in
 * order and, for each trip running today (opened by the bus box, not closed), where its
 * bus is along the route — the last stop reached (geofence events) and how far towards
 * the next (latest position) — so a schematic works without any map. Positions stay
 * WGS-84 here; a map with Chinese tiles converts them for drawing only.
 */
export async function fleetView(q: Queryable, schoolId: string, now: number): Promise<{ date: string; routes: FleetRoute[]; idle: FleetBus[] }> {
  const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
  const date = localDate(now, tz);
  const routes = await q.query<{ key: string; data: { name: string; vehicleId?: string; stops: { id: string; name: string; lat: number; lon: number; depot?: boolean }[] } }>(
    `SELECT key, data FROM records WHERE school_id = $1 AND kind = 'bus_route' AND NOT deleted ORDER BY key`,
    [schoolId],
  );
  const vehicles = await q.query<{ key: string; plate: string }>(`SELECT key, data->>'plate' AS plate FROM records WHERE school_id = $1 AND kind = 'bus_vehicle' AND NOT deleted ORDER BY key`, [schoolId]);
  const plateOf = new Map(vehicles.rows.map((v) => [v.key, v.plate]));
  const open = await q.query<{ data: { tripId: string; routeId: string; direction: string; date: string }; occurred_at: number }>(
    `SELECT o.data, o.occurred_at FROM events o
     WHERE o.school_id = $1 AND o.type = 'bus.trip' AND o.reason = 'bus.trip.opened' AND o.data->>'date' = $2
       AND NOT EXISTS (SELECT 1 FROM events c WHERE c.school_id = o.school_id AND c.type = 'bus.trip' AND c.reason = 'bus.trip.closed' AND c.data->>'tripId' = o.data->>'tripId')
     ORDER BY o.occurred_at`,
    [schoolId, date],
  );
  const tripIds = open.rows.map((r) => r.data.tripId);
  const arrived = tripIds.length
    ? await q.query<{ trip: string; stop: string }>(
        `SELECT DISTINCT ON (data->>'tripId') data->>'tripId' AS trip, data->>'stopId' AS stop FROM events
         WHERE school_id = $1 AND type = 'bus.stop' AND reason = 'bus.stop.arrived' AND data->>'tripId' = ANY($2::text[]) ORDER BY data->>'tripId', occurred_at DESC`,
        [schoolId, tripIds],
      )
    : { rows: [] };
  const lastStop = new Map(arrived.rows.map((r) => [r.trip, r.stop]));
  const rides = tripIds.length
    ? await q.query<{ trip: string; type: string; subject: string }>(
        `SELECT data->>'tripId' AS trip, type, subject FROM events WHERE school_id = $1 AND type IN ('bus.boarding', 'bus.alighting') AND data->>'tripId' = ANY($2::text[])
           AND reason NOT LIKE 'bus.refused.%' AND NOT coalesce((data->>'refused')::boolean, false) ORDER BY occurred_at`,
        [schoolId, tripIds],
      )
    : { rows: [] };
  const plans = await q.query<{ data: { routeId: string; direction: string; vehicleId: string } }>(
    `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_trip' AND NOT deleted AND data->>'date' = $2`,
    [schoolId, date],
  );
  const latest = async (vehicleId: string) =>
    (
      await q.query<{ at: string; lat: number; lon: number; speed_kmh: number; source: string }>(
        'SELECT at, lat, lon, speed_kmh, source FROM bus_positions WHERE school_id = $1 AND vehicle_id = $2 ORDER BY at DESC LIMIT 1',
        [schoolId, vehicleId],
      )
    ).rows[0];
  const busy = new Set<string>();
  const out: FleetRoute[] = [];
  for (const r of routes.rows) {
    const buses: FleetBus[] = [];
    for (const o of open.rows.filter((x) => x.data.routeId === r.key)) {
      const t = o.data;
      const vehicleId = plans.rows.find((p) => p.data.routeId === r.key && p.data.direction === t.direction)?.data.vehicleId ?? r.data.vehicleId ?? null;
      if (vehicleId) busy.add(vehicleId);
      const stops = t.direction === 'afternoon' ? [...r.data.stops].reverse() : r.data.stops;
      const reached = stops.findIndex((s) => s.id === lastStop.get(t.tripId));
      const p = vehicleId ? await latest(vehicleId) : undefined;
      // Only positions of this trip count (not yesterday's parking place).
      const pos = p && Number(p.at) >= Number(o.occurred_at) - 60_000 ? { at: Number(p.at), lat: p.lat, lon: p.lon, speedKmh: p.speed_kmh, source: p.source } : null;
      let between = 0;
      const from = stops[reached];
      const next = stops[reached + 1];
      if (pos && from && next) {
        const a = haversineM(from.lat, from.lon, pos.lat, pos.lon);
        const b = haversineM(pos.lat, pos.lon, next.lat, next.lon);
        between = a + b > 0 ? Math.min(1, Math.max(0, a / (a + b))) : 0;
      }
      const mine = rides.rows.filter((x) => x.trip === t.tripId);
      const on = new Set<string>();
      const boarded = new Set<string>();
      for (const x of mine) {
        if (x.type === 'bus.boarding') {
          on.add(x.subject);
          boarded.add(x.subject);
        } else on.delete(x.subject);
      }
      buses.push({
        vehicleId,
        plate: vehicleId ? (plateOf.get(vehicleId) ?? null) : null,
        tripId: t.tripId,
        direction: t.direction,
        openedAt: Number(o.occurred_at),
        reached,
        between,
        position: pos,
        stale: !pos || now - pos.at > STALE_MS,
        onBoard: on.size,
        boarded: boarded.size,
      });
    }
    out.push({ id: r.key, name: r.data.name, stops: r.data.stops.map((s) => ({ id: s.id, name: s.name, lat: s.lat, lon: s.lon, depot: s.depot ?? false })), buses });
  }
  const idle: FleetBus[] = [];
  for (const v of vehicles.rows) {
    if (busy.has(v.key)) continue;
    const p = await latest(v.key);
    idle.push({
      vehicleId: v.key,
      plate: v.plate,
      tripId: null,
      direction: null,
      openedAt: null,
      reached: -1,
      between: 0,
      position: p ? { at: Number(p.at), lat: p.lat, lon: p.lon, speedKmh: p.speed_kmh, source: p.source } : null,
      stale: !p || now - Number(p.at) > STALE_MS,
      onBoard: 0,
      boarded: 0,
    });
  }
  return { date, routes: out, idle };
}

/**
 * Where a map draws each stop and bus (`draw`): on Chinese tiles (GCJ-02) the WGS-84
 * positions are shifted by the national offset, on WGS-84 tiles they stay. Only drawing
 * uses `draw`; everything else (geofences, ETA, reports) keeps WGS-84.
 */
export function withMapCoords<T extends { routes: FleetRoute[]; idle: FleetBus[] }>(view: T, map: BusMapTiles | null): T {
  if (!map) return view;
  const conv = (lat: number, lon: number): LatLon => (map.coords === 'gcj02' ? wgs84ToGcj02(lat, lon) : { lat, lon });
  const bus = (b: FleetBus): FleetBus => (b.position ? { ...b, position: { ...b.position, draw: conv(b.position.lat, b.position.lon) } } : b);
  return {
    ...view,
    routes: view.routes.map((r) => ({ ...r, stops: r.stops.map((s) => ({ ...s, draw: conv(s.lat, s.lon) })), buses: r.buses.map(bus) })),
    idle: view.idle.map(bus),
  };
}
