import { estimateArrivals, type EtaStop } from '@campus/protocol/bus/eta';
import type { Database } from '../db/database.js';
import type { PositionStore } from './positions.js';

interface RouteStop extends EtaStop {
  name: string;
  depot?: boolean;
}

export interface LiveStop {
  id: string;
  name: string;
  reached: boolean;
  /** Expected arrival (ms) of a stop ahead; null for stops reached or without a position. */
  etaAt: number | null;
}

/** What a guardian sees of the bus their child rides; `running: false` says nothing else. */
export type ChildBusView =
  | { running: false }
  | {
      running: true;
      trip: { tripId: string; routeId: string; routeName: string; direction: string; date: string; openedAt: number };
      vehicle: { plate: string | null };
      child: { stopId: string | null; stopName: string | null; onBoard: boolean; boardedAt: number | null };
      position: { at: number; lat: number; lon: number; speedKmh: number; source: string } | null;
      stale: boolean;
      /** The stop that matters to this guardian now: the child's stop, or the school once the child is on board in the morning. */
      target: { stopId: string; stopName: string; etaAt: number | null; seconds: number | null; distanceM: number | null } | null;
      stops: LiveStop[];
    };

const localDate = (at: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/**
 * The parent's live view of the school bus. Privacy: a guardian sees a bus only while a
 * trip of the child's route and direction runs today (opened by the bus box and not yet
 * closed) or the child boarded it, and only until the child got off. The vehicle is never
 * chosen by the caller; everything is looked up from the child.
 */
export class BusLive {
  constructor(
    private readonly db: Database,
    private readonly positions: PositionStore,
  ) {}

  async forChild(schoolId: string, studentKey: string, now: number): Promise<ChildBusView> {
    const tz = (await this.db.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    const date = localDate(now, tz);
    const open = await this.db.query<{ data: { tripId: string; routeId: string; routeName?: string; direction: string; date: string }; occurred_at: number }>(
      `SELECT o.data, o.occurred_at FROM events o
       WHERE o.school_id = $1 AND o.type = 'bus.trip' AND o.reason = 'bus.trip.opened' AND o.data->>'date' = $2
         AND NOT EXISTS (SELECT 1 FROM events c WHERE c.school_id = o.school_id AND c.type = 'bus.trip' AND c.reason = 'bus.trip.closed' AND c.data->>'tripId' = o.data->>'tripId')
       ORDER BY o.occurred_at DESC`,
      [schoolId, date],
    );
    if (!open.rows.length) return { running: false };
    const rides = await this.db.query<{ type: string; data: { tripId: string; stopId: string | null }; occurred_at: number }>(
      `SELECT type, data, occurred_at FROM events WHERE school_id = $1 AND type IN ('bus.boarding', 'bus.alighting') AND subject = $2
         AND data->>'tripId' = ANY($3::text[]) AND NOT coalesce((data->>'refused')::boolean, false) ORDER BY occurred_at`,
      [schoolId, studentKey, open.rows.map((r) => r.data.tripId)],
    );
    for (const o of open.rows) {
      const trip = o.data;
      const mine = rides.rows.filter((r) => r.data.tripId === trip.tripId);
      if (mine.some((r) => r.type === 'bus.alighting')) continue; // off the bus: no longer this guardian's bus
      const boarded = mine.find((r) => r.type === 'bus.boarding') ?? null;
      const expected = await this.expectedStop(schoolId, studentKey, trip.direction, trip.date);
      if (!boarded && expected?.routeId !== trip.routeId) continue;
      return this.view(schoolId, trip, o.occurred_at, boarded, expected?.routeId === trip.routeId ? expected.stopId : (boarded?.data.stopId ?? null), now);
    }
    return { running: false };
  }

  /** The child's route and stop for a direction and date: a stop change of that day first, else the latest assignment in force. */
  private async expectedStop(schoolId: string, personId: string, direction: string, date: string): Promise<{ routeId: string; stopId: string } | null> {
    const change = await this.db.query<{ data: { routeId: string; stopId: string } }>(
      `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_stop_change' AND NOT deleted AND data->>'personId' = $2 AND data->>'direction' = $3 AND data->>'date' = $4 LIMIT 1`,
      [schoolId, personId, direction, date],
    );
    if (change.rows[0]) return change.rows[0].data;
    const a = await this.db.query<{ data: { routeId: string; stopId: string } }>(
      `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_assignment' AND NOT deleted AND data->>'personId' = $2 AND data->>'direction' = $3 AND data->>'from' <= $4
       ORDER BY data->>'from' DESC LIMIT 1`,
      [schoolId, personId, direction, date],
    );
    return a.rows[0]?.data ?? null;
  }

  private async view(
    schoolId: string,
    trip: { tripId: string; routeId: string; routeName?: string; direction: string; date: string },
    openedAt: number,
    boarded: { data: { stopId: string | null }; occurred_at: number } | null,
    childStop: string | null,
    now: number,
  ): Promise<ChildBusView> {
    const route = (await this.db.query<{ data: { name: string; vehicleId?: string; stops: RouteStop[] } }>(`SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_route' AND key = $2 AND NOT deleted`, [schoolId, trip.routeId])).rows[0]?.data;
    const plan = await this.db.query<{ data: { vehicleId: string } }>(
      `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_trip' AND NOT deleted AND data->>'routeId' = $2 AND data->>'date' = $3 AND data->>'direction' = $4 LIMIT 1`,
      [schoolId, trip.routeId, trip.date, trip.direction],
    );
    const vehicleId = plan.rows[0]?.data.vehicleId ?? route?.vehicleId ?? null;
    const vehicle = vehicleId ? (await this.db.query<{ plate: string }>(`SELECT data->>'plate' AS plate FROM records WHERE school_id = $1 AND kind = 'bus_vehicle' AND key = $2 AND NOT deleted`, [schoolId, vehicleId])).rows[0] : undefined;
    const stops = [...(route?.stops ?? [])];
    if (trip.direction === 'afternoon') stops.reverse();
    const arrived = await this.db.query<{ stop: string }>(
      `SELECT data->>'stopId' AS stop FROM events WHERE school_id = $1 AND type = 'bus.stop' AND reason = 'bus.stop.arrived' AND data->>'tripId' = $2 ORDER BY occurred_at DESC LIMIT 1`,
      [schoolId, trip.tripId],
    );
    const reachedByEvent = arrived.rows[0] ? stops.findIndex((s) => s.id === arrived.rows[0]!.stop) : -1;
    const fixes = vehicleId ? await this.positions.recent(schoolId, vehicleId, 30, openedAt - 60_000) : [];
    const eta = estimateArrivals({ stops, reached: reachedByEvent, fixes: fixes.map((f) => ({ at: f.at, lat: f.lat, lon: f.lon, speedKmh: f.speedKmh })), now });
    const etaOf = new Map(eta.stops.map((s) => [s.stopId, s]));
    const onBoard = boarded !== null;
    // Morning and on board: the school (last stop) matters now; otherwise the child's own stop.
    const targetId = onBoard && trip.direction === 'morning' ? (stops.at(-1)?.id ?? null) : childStop;
    const targetStop = stops.find((s) => s.id === targetId);
    const te = targetId ? etaOf.get(targetId) : undefined;
    const latest = fixes[0] ?? null;
    return {
      running: true,
      trip: { tripId: trip.tripId, routeId: trip.routeId, routeName: route?.name ?? trip.routeName ?? trip.routeId, direction: trip.direction, date: trip.date, openedAt },
      vehicle: { plate: vehicle?.plate ?? null },
      child: { stopId: childStop, stopName: stops.find((s) => s.id === childStop)?.name ?? null, onBoard, boardedAt: boarded?.occurred_at ?? null },
      position: latest ? { at: latest.at, lat: latest.lat, lon: latest.lon, speedKmh: latest.speedKmh, source: latest.source } : null,
      stale: eta.stale,
      target: targetStop ? { stopId: targetStop.id, stopName: targetStop.name, etaAt: te?.at ?? null, seconds: te?.seconds ?? null, distanceM: te?.distanceM ?? null } : null,
      stops: stops.map((s, i) => ({ id: s.id, name: s.name, reached: i <= eta.reached, etaAt: etaOf.get(s.id)?.at ?? null })),
    };
  }
}
