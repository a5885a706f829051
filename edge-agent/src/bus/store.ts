import { BusRouteSchema, type BusAssignment, type BusDirection, type BusRoute, type BusStop, type BusStopChange } from '@campus/protocol/bus/index';
import type { Db } from '../store/index.js';

export interface TripRow {
  id: string;
  routeId: string;
  direction: BusDirection;
  date: string;
  status: 'open' | 'closed';
  openedAt: number;
  openedBy: string;
  closedAt: number | null;
  closedBy: string | null;
  checkedAt: number | null;
  lastStopAt: number | null;
  checkAlarmAt: number | null;
}

export interface RiderRow {
  tripId: string;
  personId: string;
  onBoard: boolean;
  boardStop: string | null;
  boardedAt: number;
  alightStop: string | null;
  alightedAt: number | null;
  manual: boolean;
  /** The pickup step at a handover stop: waiting, done, or nobody came (the child went back). */
  pickupState: 'waiting' | 'handed_over' | 'returned' | null;
  pickupStop: string | null;
  pickupSince: number | null;
  codeFailures: number;
}

export interface PickupPersonRow {
  key: string;
  studentId: string;
  tag: number;
  name: string;
  relation: string;
  photoId: string | null;
  passVersion: number;
  validFrom: number | null;
  validUntil: number | null;
  hasCode: boolean;
}

export interface TripPlanRow {
  key: string;
  routeId: string;
  date: string;
  direction: BusDirection;
  vehicleId: string;
  driverId: string;
  attendantId: string;
}

export interface HandoverRow {
  id: string;
  tripId: string;
  personId: string;
  stopId: string | null;
  at: number;
  pickupKey: string;
  pickupName: string;
  relation: string;
  method: 'pass' | 'code';
  by: string;
}

const TRIP_COLS = `id, route_id AS routeId, direction, date, status, opened_at AS openedAt, opened_by AS openedBy, closed_at AS closedAt, closed_by AS closedBy,
  checked_at AS checkedAt, last_stop_at AS lastStopAt, check_alarm_at AS checkAlarmAt`;
const RIDER_COLS = `trip_id AS tripId, person_id AS personId, on_board AS onBoard, board_stop AS boardStop, boarded_at AS boardedAt, alight_stop AS alightStop,
  alighted_at AS alightedAt, manual, pickup_state AS pickupState, pickup_stop AS pickupStop, pickup_since AS pickupSince, code_failures AS codeFailures`;
const ASSIGNMENT_COLS = 'person_id AS personId, route_id AS routeId, stop_id AS stopId, direction, from_date AS "from", handover';
type AssignmentRow = Omit<BusAssignment, 'handover'> & { handover: number };
const assignment = (r: AssignmentRow): BusAssignment => ({ ...r, handover: r.handover === 1 });
const PICKUP_COLS = `key, student_id AS studentId, tag, name, relation, photo_id AS photoId, pass_version AS passVersion, valid_from AS validFrom, valid_until AS validUntil, has_code AS hasCode`;
const PLAN_COLS = 'key, route_id AS routeId, date, direction, vehicle_id AS vehicleId, driver_id AS driverId, attendant_id AS attendantId';

/** SQLite access for the bus domain (the record; nothing is kept only in memory). */
export class BusStore {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** `body` holds the route's stops and limits as JSON; name and plate also have columns. */
  upsertRoute(r: BusRoute, source: 'config' | 'api' | 'cloud', at: number): void {
    this.db
      .prepare(
        `INSERT INTO bus_routes (id, name, vehicle_plate, body, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, vehicle_plate = excluded.vehicle_plate, body = excluded.body, source = excluded.source, updated_at = excluded.updated_at`,
      )
      .run(r.id, r.name, r.vehiclePlate ?? null, JSON.stringify({ stops: r.stops, ...(r.overspeedKmh ? { overspeedKmh: r.overspeedKmh } : {}) }), source, at);
  }

  routes(): BusRoute[] {
    const rows = this.db.prepare('SELECT id, name, vehicle_plate AS plate, body FROM bus_routes ORDER BY id').all() as Array<{ id: string; name: string; plate: string | null; body: string }>;
    return rows.map((r) => {
      const body = JSON.parse(r.body) as { stops: BusStop[]; overspeedKmh?: number };
      return BusRouteSchema.parse({ id: r.id, name: r.name, ...(r.plate ? { vehiclePlate: r.plate } : {}), ...body });
    });
  }

  route(id: string): BusRoute | undefined {
    return this.routes().find((r) => r.id === id);
  }

  /** A cloud record replaces the row it made before (found by its key), so a changed person, direction or date moves the row. */
  upsertAssignment(a: BusAssignment, source: string, cloudKey: string | null = null): void {
    if (cloudKey !== null) this.db.prepare('DELETE FROM bus_assignments WHERE cloud_key = ?').run(cloudKey);
    this.db
      .prepare(
        `INSERT INTO bus_assignments (person_id, direction, from_date, route_id, stop_id, source, handover, cloud_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(person_id, direction, from_date) DO UPDATE SET route_id = excluded.route_id, stop_id = excluded.stop_id, source = excluded.source,
           handover = excluded.handover, cloud_key = excluded.cloud_key`,
      )
      .run(a.personId, a.direction, a.from, a.routeId, a.stopId, source, a.handover ? 1 : 0, cloudKey);
  }

  deleteAssignmentByKey(cloudKey: string): number {
    return this.db.prepare('DELETE FROM bus_assignments WHERE cloud_key = ?').run(cloudKey).changes;
  }

  assignments(): BusAssignment[] {
    return (this.db.prepare(`SELECT ${ASSIGNMENT_COLS} FROM bus_assignments ORDER BY person_id, direction, from_date`).all() as AssignmentRow[]).map(assignment);
  }

  /** The assignment in force on `date` (the latest one starting on or before it). */
  assignmentOn(personId: string, direction: BusDirection, date: string): BusAssignment | undefined {
    const r = this.db.prepare(`SELECT ${ASSIGNMENT_COLS} FROM bus_assignments WHERE person_id = ? AND direction = ? AND from_date <= ? ORDER BY from_date DESC LIMIT 1`).get(personId, direction, date) as AssignmentRow | undefined;
    return r && assignment(r);
  }

  /** Drops the config/API seeds of a table once the cloud owns it ("seeds until the cloud sends them"). */
  dropSeeds(table: 'bus_routes' | 'bus_assignments' | 'bus_stop_changes'): number {
    return this.db.prepare(`DELETE FROM ${table} WHERE source <> 'cloud'`).run().changes;
  }

  hasCloudRows(table: 'bus_routes' | 'bus_assignments' | 'bus_stop_changes'): boolean {
    return this.db.prepare(`SELECT 1 FROM ${table} WHERE source = 'cloud' LIMIT 1`).get() !== undefined;
  }

  deleteRoute(id: string): number {
    return this.db.prepare('DELETE FROM bus_routes WHERE id = ?').run(id).changes;
  }

  /** Everyone assigned to a route in a direction on a date. */
  expected(routeId: string, direction: BusDirection, date: string): Array<{ personId: string; stopId: string }> {
    const rows = this.db
      .prepare(
        `SELECT a.person_id AS personId, a.route_id AS routeId, a.stop_id AS stopId FROM bus_assignments a
         WHERE a.direction = ? AND a.from_date = (SELECT MAX(from_date) FROM bus_assignments b WHERE b.person_id = a.person_id AND b.direction = a.direction AND b.from_date <= ?)`,
      )
      .all(direction, date) as Array<{ personId: string; routeId: string; stopId: string }>;
    const changes = new Map(this.db.prepare('SELECT person_id AS personId, route_id AS routeId, stop_id AS stopId FROM bus_stop_changes WHERE date = ? AND direction = ?').all(date, direction).map((c) => {
      const r = c as { personId: string; routeId: string; stopId: string };
      return [r.personId, r] as const;
    }));
    const out = new Map<string, string>();
    for (const r of rows) if (r.routeId === routeId) out.set(r.personId, r.stopId);
    for (const [pid, c] of changes) {
      if (c.routeId === routeId) out.set(pid, c.stopId);
      else out.delete(pid);
    }
    return [...out].map(([personId, stopId]) => ({ personId, stopId }));
  }

  upsertStopChange(c: BusStopChange, source: 'api' | 'cloud' = 'api', cloudKey: string | null = null): void {
    if (cloudKey !== null) this.db.prepare('DELETE FROM bus_stop_changes WHERE cloud_key = ?').run(cloudKey);
    this.db
      .prepare(
        `INSERT INTO bus_stop_changes (person_id, date, direction, route_id, stop_id, source, cloud_key) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(person_id, date, direction) DO UPDATE SET route_id = excluded.route_id, stop_id = excluded.stop_id, source = excluded.source, cloud_key = excluded.cloud_key`,
      )
      .run(c.personId, c.date, c.direction, c.routeId, c.stopId, source, cloudKey);
  }

  deleteStopChangeByKey(cloudKey: string): number {
    return this.db.prepare('DELETE FROM bus_stop_changes WHERE cloud_key = ?').run(cloudKey).changes;
  }

  // ---------------------------------------------------------------- cloud-only records

  upsertVehicle(id: string, v: { plate: string; kind: string; seats: number; terminalPhone?: string | undefined; active: boolean }): void {
    this.db
      .prepare(
        `INSERT INTO bus_vehicles (id, plate, kind, seats, terminal_phone, active) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET plate = excluded.plate, kind = excluded.kind, seats = excluded.seats, terminal_phone = excluded.terminal_phone, active = excluded.active`,
      )
      .run(id, v.plate, v.kind, v.seats, v.terminalPhone ?? null, v.active ? 1 : 0);
  }

  deleteVehicle(id: string): number {
    return this.db.prepare('DELETE FROM bus_vehicles WHERE id = ?').run(id).changes;
  }

  vehiclePlate(id: string): string | null {
    return (this.db.prepare('SELECT plate FROM bus_vehicles WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
  }

  upsertPickupPerson(p: PickupPersonRow): void {
    this.db
      .prepare(
        `INSERT INTO bus_pickup_persons (key, student_id, tag, name, relation, photo_id, pass_version, valid_from, valid_until, has_code)
         VALUES (@key, @studentId, @tag, @name, @relation, @photoId, @passVersion, @validFrom, @validUntil, @hasCode)
         ON CONFLICT(key) DO UPDATE SET student_id = excluded.student_id, tag = excluded.tag, name = excluded.name, relation = excluded.relation, photo_id = excluded.photo_id,
           pass_version = excluded.pass_version, valid_from = excluded.valid_from, valid_until = excluded.valid_until, has_code = excluded.has_code`,
      )
      .run({ ...p, hasCode: p.hasCode ? 1 : 0 });
  }

  deletePickupPerson(key: string): number {
    return this.db.prepare('DELETE FROM bus_pickup_persons WHERE key = ?').run(key).changes;
  }

  /** Every pickup person of every child, by child and record key (the pass sheet). */
  allPickupPersons(): PickupPersonRow[] {
    return (this.db.prepare(`SELECT ${PICKUP_COLS} FROM bus_pickup_persons ORDER BY student_id, key`).all() as Array<Omit<PickupPersonRow, 'hasCode'> & { hasCode: number }>).map((r) => ({
      ...r,
      hasCode: r.hasCode === 1,
    }));
  }

  pickupPersons(studentId: string): PickupPersonRow[] {
    return (this.db.prepare(`SELECT ${PICKUP_COLS} FROM bus_pickup_persons WHERE student_id = ? ORDER BY key`).all(studentId) as Array<Omit<PickupPersonRow, 'hasCode'> & { hasCode: number }>).map((r) => ({
      ...r,
      hasCode: r.hasCode === 1,
    }));
  }

  upsertTripPlan(p: TripPlanRow): void {
    this.db
      .prepare(
        `INSERT INTO bus_trip_plans (key, route_id, date, direction, vehicle_id, driver_id, attendant_id) VALUES (@key, @routeId, @date, @direction, @vehicleId, @driverId, @attendantId)
         ON CONFLICT(key) DO UPDATE SET route_id = excluded.route_id, date = excluded.date, direction = excluded.direction, vehicle_id = excluded.vehicle_id,
           driver_id = excluded.driver_id, attendant_id = excluded.attendant_id`,
      )
      .run(p);
  }

  deleteTripPlan(key: string): number {
    return this.db.prepare('DELETE FROM bus_trip_plans WHERE key = ?').run(key).changes;
  }

  tripPlans(date: string): TripPlanRow[] {
    return this.db.prepare(`SELECT ${PLAN_COLS} FROM bus_trip_plans WHERE date = ? ORDER BY direction DESC, route_id`).all(date) as TripPlanRow[];
  }

  tripPlan(routeId: string, date: string, direction: BusDirection): TripPlanRow | undefined {
    return this.db.prepare(`SELECT ${PLAN_COLS} FROM bus_trip_plans WHERE route_id = ? AND date = ? AND direction = ? ORDER BY key LIMIT 1`).get(routeId, date, direction) as TripPlanRow | undefined;
  }

  // ---------------------------------------------------------------- handovers

  setPickup(tripId: string, personId: string, state: RiderRow['pickupState'], stopId: string | null, at: number): void {
    this.db.prepare('UPDATE bus_riders SET pickup_state = ?, pickup_stop = ?, pickup_since = ? WHERE trip_id = ? AND person_id = ?').run(state, stopId, at, tripId, personId);
  }

  codeFailed(tripId: string, personId: string): number {
    this.db.prepare('UPDATE bus_riders SET code_failures = code_failures + 1 WHERE trip_id = ? AND person_id = ?').run(tripId, personId);
    return this.rider(tripId, personId)?.codeFailures ?? 0;
  }

  addHandover(h: HandoverRow): void {
    this.db
      .prepare(
        `INSERT INTO bus_handovers (id, trip_id, person_id, stop_id, at, pickup_key, pickup_name, relation, method, by)
         VALUES (@id, @tripId, @personId, @stopId, @at, @pickupKey, @pickupName, @relation, @method, @by)`,
      )
      .run(h);
  }

  handovers(tripId: string): HandoverRow[] {
    return this.db
      .prepare(
        `SELECT id, trip_id AS tripId, person_id AS personId, stop_id AS stopId, at, pickup_key AS pickupKey, pickup_name AS pickupName, relation, method, by
         FROM bus_handovers WHERE trip_id = ? ORDER BY at`,
      )
      .all(tripId) as HandoverRow[];
  }

  stopChange(personId: string, date: string, direction: BusDirection): BusStopChange | undefined {
    return this.db.prepare('SELECT person_id AS personId, date, direction, route_id AS routeId, stop_id AS stopId FROM bus_stop_changes WHERE person_id = ? AND date = ? AND direction = ?').get(personId, date, direction) as
      | BusStopChange
      | undefined;
  }

  openTrip(t: Pick<TripRow, 'id' | 'routeId' | 'direction' | 'date' | 'openedAt' | 'openedBy'>): void {
    this.db.prepare("INSERT INTO bus_trips (id, route_id, direction, date, status, opened_at, opened_by) VALUES (?, ?, ?, ?, 'open', ?, ?)").run(t.id, t.routeId, t.direction, t.date, t.openedAt, t.openedBy);
  }

  currentTrip(): TripRow | undefined {
    return this.db.prepare(`SELECT ${TRIP_COLS} FROM bus_trips WHERE status = 'open'`).get() as TripRow | undefined;
  }

  trip(id: string): TripRow | undefined {
    return this.db.prepare(`SELECT ${TRIP_COLS} FROM bus_trips WHERE id = ?`).get(id) as TripRow | undefined;
  }

  tripFor(routeId: string, date: string, direction: BusDirection): TripRow | undefined {
    return this.db.prepare(`SELECT ${TRIP_COLS} FROM bus_trips WHERE route_id = ? AND date = ? AND direction = ?`).get(routeId, date, direction) as TripRow | undefined;
  }

  setTrip(id: string, fields: Partial<Pick<TripRow, 'status' | 'closedAt' | 'closedBy' | 'checkedAt' | 'lastStopAt' | 'checkAlarmAt'>>): void {
    const map: Record<string, string> = { status: 'status', closedAt: 'closed_at', closedBy: 'closed_by', checkedAt: 'checked_at', lastStopAt: 'last_stop_at', checkAlarmAt: 'check_alarm_at' };
    const keys = Object.keys(fields);
    if (keys.length === 0) return;
    this.db.prepare(`UPDATE bus_trips SET ${keys.map((k) => `${map[k]} = @${k}`).join(', ')} WHERE id = @id`).run({ ...fields, id });
  }

  rider(tripId: string, personId: string): RiderRow | undefined {
    const r = this.db.prepare(`SELECT ${RIDER_COLS} FROM bus_riders WHERE trip_id = ? AND person_id = ?`).get(tripId, personId) as (Omit<RiderRow, 'onBoard' | 'manual'> & { onBoard: number; manual: number }) | undefined;
    return r && { ...r, onBoard: r.onBoard === 1, manual: r.manual === 1 };
  }

  riders(tripId: string): RiderRow[] {
    return (this.db.prepare(`SELECT ${RIDER_COLS} FROM bus_riders WHERE trip_id = ? ORDER BY boarded_at`).all(tripId) as Array<Omit<RiderRow, 'onBoard' | 'manual'> & { onBoard: number; manual: number }>).map((r) => ({
      ...r,
      onBoard: r.onBoard === 1,
      manual: r.manual === 1,
    }));
  }

  board(tripId: string, personId: string, stopId: string | null, at: number, manual: boolean): void {
    this.db
      .prepare(
        `INSERT INTO bus_riders (trip_id, person_id, on_board, board_stop, boarded_at, manual) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT(trip_id, person_id) DO UPDATE SET on_board = 1, board_stop = excluded.board_stop, boarded_at = excluded.boarded_at, alight_stop = NULL, alighted_at = NULL, manual = excluded.manual`,
      )
      .run(tripId, personId, stopId, at, manual ? 1 : 0);
  }

  alight(tripId: string, personId: string, stopId: string | null, at: number): void {
    this.db.prepare('UPDATE bus_riders SET on_board = 0, alight_stop = ?, alighted_at = ? WHERE trip_id = ? AND person_id = ?').run(stopId, at, tripId, personId);
  }

  arrive(tripId: string, stopId: string, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO bus_stop_visits (trip_id, stop_id, arrived_at) VALUES (?, ?, ?)').run(tripId, stopId, at);
  }

  depart(tripId: string, stopId: string, at: number): void {
    this.db.prepare('UPDATE bus_stop_visits SET departed_at = ? WHERE trip_id = ? AND stop_id = ? AND departed_at IS NULL').run(at, tripId, stopId);
  }

  visits(tripId: string): Array<{ stopId: string; arrivedAt: number; departedAt: number | null }> {
    return this.db.prepare('SELECT stop_id AS stopId, arrived_at AS arrivedAt, departed_at AS departedAt FROM bus_stop_visits WHERE trip_id = ? ORDER BY arrived_at').all(tripId) as Array<{
      stopId: string;
      arrivedAt: number;
      departedAt: number | null;
    }>;
  }

  addPosition(p: { tripId: string | null; at: number; lat: number; lon: number; speedKmh: number; course: number | null }): void {
    this.db.prepare('INSERT INTO bus_positions (trip_id, at, lat, lon, speed_kmh, course) VALUES (?, ?, ?, ?, ?, ?)').run(p.tripId, p.at, p.lat, p.lon, p.speedKmh, p.course);
  }

  positions(from: number, to: number, limit: number): Array<{ at: number; lat: number; lon: number; speedKmh: number; course: number | null; tripId: string | null }> {
    return this.db.prepare('SELECT trip_id AS tripId, at, lat, lon, speed_kmh AS speedKmh, course FROM bus_positions WHERE at >= ? AND at < ? ORDER BY at LIMIT ?').all(from, to, limit) as Array<{
      at: number;
      lat: number;
      lon: number;
      speedKmh: number;
      course: number | null;
      tripId: string | null;
    }>;
  }

  prunePositions(before: number): number {
    return this.db.prepare('DELETE FROM bus_positions WHERE at < ?').run(before).changes;
  }
}
