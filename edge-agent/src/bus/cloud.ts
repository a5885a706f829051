import { BusRouteSchema, type BusRoute } from '@campus/protocol/bus/index';
import { pickupKeyTag } from '@campus/protocol/bus/pickup';
import { RECORD_SCHEMAS, type RecordData } from '@campus/protocol/sync/records';
import type { ChangeRecord } from '@campus/protocol/sync/changes';
import { edgePersonId } from '../access/cloud/keys.js';
import type { Logger } from '../core/log.js';
import type { CloudRecordReader } from '../modules/domain.js';
import { BUS_CLOUD_KINDS } from './definition.js';
import type { BusStore } from './store.js';

export { BUS_CLOUD_KINDS };
type BusKind = (typeof BUS_CLOUD_KINDS)[number];
const ORDER = new Map<string, number>(BUS_CLOUD_KINDS.map((k, i) => [k, i]));

type Change = Pick<ChangeRecord, 'kind' | 'key' | 'op' | 'data'>;

/** A record the bus box cannot use: counted, logged, nothing of it written. */
class Unusable extends Error {}

export interface BusProjectionStats {
  applied: number;
  deleted: number;
  /** An assignment or stop change whose route has not arrived yet; retried when routes change. */
  waiting: number;
  invalid: number;
}

const ROUTE_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The cloud's school bus records → the bus box's tables (routes, assignments, one-day stop
 * changes, vehicles, pickup persons, trip plans). Runs on each applied feed page (the edge
 * bus's `cloud.changes`) and over everything stored at start, so a restart converges.
 * Each record is applied in its own transaction: a record the box cannot use (a route key
 * longer than a route id may be, a stop its route does not have, a student id no card can
 * carry) is counted and logged and leaves nothing half-written; the rest of the page goes on.
 *
 * Once the cloud has sent routes (or assignments, or stop changes), the config/API seeds of
 * that table are dropped: the cloud owns them from then on.
 */
export class BusCloudProjection {
  readonly stats: BusProjectionStats = { applied: 0, deleted: 0, waiting: 0, invalid: 0 };
  readonly #waiting = new Map<string, { kind: BusKind; key: string }>();

  constructor(
    private readonly db: BusStore,
    private readonly records: CloudRecordReader,
    private readonly log: Logger,
    private readonly onInvalid: (kind: string) => void,
    private readonly now: () => number,
  ) {}

  replay(): void {
    const changes: Change[] = [];
    for (const kind of BUS_CLOUD_KINDS) for (const r of this.records.all(kind)) changes.push({ kind, key: r.key, op: 'upsert', data: r.data });
    this.apply(changes);
    this.log.info({ records: changes.length, ...this.stats, waiting: this.#waiting.size }, 'school bus: cloud records applied');
  }

  apply(changes: readonly Change[]): void {
    const mine = changes.filter((c) => ORDER.has(c.kind)).sort((a, b) => ORDER.get(a.kind)! - ORDER.get(b.kind)!);
    let routes = false;
    for (const c of mine) if (this.#one(c) && c.kind === 'bus_route') routes = true;
    if (routes && this.#waiting.size) {
      const list = [...this.#waiting.values()];
      this.#waiting.clear();
      for (const w of list) {
        const data = this.records.get(w.kind, w.key);
        if (data) this.#one({ kind: w.kind, key: w.key, op: 'upsert', data } as Change);
      }
    }
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** Applies one record; true when something was written. */
  #one(c: Change): boolean {
    const id = `${c.kind}/${c.key}`;
    try {
      const out = this.db.transaction(() => this.#dispatch(c));
      if (out === 'waiting') {
        this.#waiting.set(id, { kind: c.kind as BusKind, key: c.key });
        this.stats.waiting++;
        return false;
      }
      this.#waiting.delete(id);
      this.stats[out]++;
      return true;
    } catch (err) {
      this.#waiting.delete(id);
      this.stats.invalid++;
      this.onInvalid(c.kind);
      this.log.warn({ kind: c.kind, key: c.key, why: (err as Error).message, ...(err instanceof Unusable ? {} : { err }) }, 'school bus: cloud record not applied');
      return false;
    }
  }

  #parse<K extends BusKind>(kind: K, data: unknown): RecordData<K> {
    const parsed = RECORD_SCHEMAS[kind].safeParse(data);
    if (!parsed.success) throw new Unusable(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return parsed.data as RecordData<K>;
  }

  #student(key: string, what: string): string {
    const id = edgePersonId(key);
    if (!id) throw new Unusable(`${what} ${JSON.stringify(key)} is not a person id a card can carry (1-16 of 0-9 A-Z - _)`);
    return id;
  }

  #dispatch(c: Change): 'applied' | 'deleted' | 'waiting' {
    const kind = c.kind as BusKind;
    const del = c.op === 'delete';
    switch (kind) {
      case 'bus_vehicle': {
        if (del) return this.db.deleteVehicle(c.key), 'deleted';
        this.db.upsertVehicle(c.key, this.#parse(kind, c.data));
        return 'applied';
      }
      case 'bus_route': {
        if (!ROUTE_ID_RE.test(c.key)) throw new Unusable(`route key is not a route id (1-64 of A-Z a-z 0-9 . _ : -): ${c.key.length} characters`);
        if (del) return this.db.deleteRoute(c.key), 'deleted';
        const r = this.#parse(kind, c.data);
        const plate = r.vehiclePlate ?? (r.vehicleId ? this.db.vehiclePlate(r.vehicleId) : null);
        const route: BusRoute = BusRouteSchema.parse({
          id: c.key,
          name: r.name,
          ...(plate ? { vehiclePlate: plate } : {}),
          ...(r.overspeedKmh ? { overspeedKmh: r.overspeedKmh } : {}),
          stops: r.stops,
        });
        this.db.dropSeeds('bus_routes');
        this.db.upsertRoute(route, 'cloud', this.now());
        return 'applied';
      }
      case 'bus_assignment': {
        if (del) return this.db.deleteAssignmentByKey(c.key), 'deleted';
        const a = this.#parse(kind, c.data);
        const personId = this.#student(a.personId, 'student');
        const route = this.db.route(a.routeId);
        if (!route) return 'waiting';
        if (!route.stops.some((s) => s.id === a.stopId)) throw new Unusable(`route ${a.routeId} has no stop ${a.stopId}`);
        this.db.dropSeeds('bus_assignments');
        this.db.upsertAssignment({ ...a, personId }, 'cloud', c.key);
        return 'applied';
      }
      case 'bus_stop_change': {
        if (del) return this.db.deleteStopChangeByKey(c.key), 'deleted';
        const s = this.#parse(kind, c.data);
        const personId = this.#student(s.personId, 'student');
        const route = this.db.route(s.routeId);
        if (!route) return 'waiting';
        if (!route.stops.some((x) => x.id === s.stopId)) throw new Unusable(`route ${s.routeId} has no stop ${s.stopId}`);
        this.db.dropSeeds('bus_stop_changes');
        this.db.upsertStopChange({ ...s, personId }, 'cloud', c.key);
        return 'applied';
      }
      case 'pickup_person': {
        if (del) return this.db.deletePickupPerson(c.key), 'deleted';
        const p = this.#parse(kind, c.data);
        const studentId = this.#student(p.studentId, 'studentId');
        this.db.upsertPickupPerson({
          key: c.key,
          studentId,
          tag: pickupKeyTag(c.key),
          name: p.name,
          relation: p.relation,
          photoId: p.photoId ?? null,
          passVersion: p.passVersion,
          validFrom: p.validFrom ?? null,
          validUntil: p.validUntil ?? null,
          hasCode: p.codeKey !== undefined,
        });
        return 'applied';
      }
      case 'bus_trip': {
        if (del) return this.db.deleteTripPlan(c.key), 'deleted';
        const t = this.#parse(kind, c.data);
        this.db.upsertTripPlan({ key: c.key, routeId: t.routeId, date: t.date, direction: t.direction, vehicleId: t.vehicleId, driverId: edgePersonId(t.driverId) ?? t.driverId, attendantId: edgePersonId(t.attendantId) ?? t.attendantId });
        return 'applied';
      }
    }
  }
}
