import type { EventEnvelope } from '@campus/protocol';
import { BUS_POSITION_EVENT, BusPositionEventDataSchema } from '@campus/protocol/bus/positions';
import type { Queryable } from '../db/database.js';
import type { BusPosition, PositionStore } from './positions.js';

export interface EdgePositionStats {
  events: number;
  positions: number;
  /** bus.position events whose data did not parse (kept in the events table, not as positions). */
  invalid: number;
  /** bus.position events naming a vehicle this school does not have. */
  unknownVehicle: number;
}

/**
 * The edge ingest's hook for bus boxes: `bus.position` events stored for the first time
 * put their fixes into bus_positions (source 'edge') in the same transaction, under the
 * vehicle named by key or plate. A resent batch adds nothing (the events are not fresh).
 */
export function edgePositionHook(positions: PositionStore, onProblem?: (what: string, detail: Record<string, unknown>) => void) {
  const stats: EdgePositionStats = { events: 0, positions: 0, invalid: 0, unknownVehicle: 0 };
  const hook = async (tx: Queryable, schoolId: string, fresh: EventEnvelope[]): Promise<void> => {
    const evs = fresh.filter((e) => e.type === BUS_POSITION_EVENT);
    if (!evs.length) return;
    const parsed = evs.flatMap((e) => {
      const r = BusPositionEventDataSchema.safeParse(e.data);
      if (r.success && (r.data.plate || r.data.vehicleId)) return [{ e, d: r.data }];
      stats.invalid++;
      onProblem?.('invalid bus.position event', { id: e.id, issues: r.success ? 'no plate or vehicleId' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return [];
    });
    if (!parsed.length) return;
    const r = await tx.query<{ key: string; plate: string }>(
      `SELECT key, data->>'plate' AS plate FROM records WHERE school_id = $1 AND kind = 'bus_vehicle' AND NOT deleted AND (key = ANY($2::text[]) OR data->>'plate' = ANY($3::text[]))`,
      [schoolId, parsed.map((p) => p.d.vehicleId ?? ''), parsed.map((p) => p.d.plate ?? '')],
    );
    const byKey = new Set(r.rows.map((x) => x.key));
    const byPlate = new Map(r.rows.map((x) => [x.plate, x.key]));
    const rows: BusPosition[] = [];
    for (const { e, d } of parsed) {
      const vehicleId = d.vehicleId && byKey.has(d.vehicleId) ? d.vehicleId : d.plate ? byPlate.get(d.plate) : undefined;
      if (!vehicleId) {
        stats.unknownVehicle++;
        onProblem?.('bus.position for an unknown vehicle', { id: e.id, plate: d.plate, vehicleId: d.vehicleId });
        continue;
      }
      stats.events++;
      for (const f of d.fixes)
        rows.push({ schoolId, vehicleId, at: f.at, source: 'edge', lat: f.lat, lon: f.lon, speedKmh: f.speedKmh, heading: f.heading ?? null, backfill: false, alarm: 0, status: 0, tripId: d.tripId ?? null });
    }
    stats.positions += await positions.insertIn(tx, rows);
  };
  return { hook, stats };
}
