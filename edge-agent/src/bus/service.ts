import { isAbsolute, resolve } from 'node:path';
import { Counter } from 'prom-client';
import type { NewEvent, Severity } from '@campus/protocol';
import { PRIORITIES } from '@campus/protocol';
import { BUS_POSITION_EVENT, type BusPositionEventData } from '@campus/protocol/bus/positions';
import { BUS_EVENTS, type BusDirection, type BusPickupPersonView, type BusRefusal, type BusRoute, type BusStop, type BusTripPlanView, type BusTripView } from '@campus/protocol/bus/index';
import { checkPickupCode, encodePickupPass, isPickupPassText, verifyPickupPass } from '@campus/protocol/bus/pickup';
import { Keyring, verifyCredential } from '@campus/protocol/credentials/index';
import { bilingual, translate } from '@campus/protocol/i18n';
import { uuidv7 } from '@campus/protocol/ids';
import { createGpsReader, type GpsFix, type GpsReader } from '@campus/device-drivers/gps/index';
import { createQrReader, type QrReader } from '@campus/device-drivers/qr/index';
import { readAbsent, readCardHolder, readLeaveOverlapping, type CardHolder } from '../access/lookups.js';
import { CardToolError } from '../cards/errors.js';
import { loadIssuerKey, loadKeyring } from '../cards/issuer-keys.js';
import type { DomainDeps } from '../modules/domain.js';
import type { BusConfig } from './config.js';
import { distanceM, keepPoint, type StoredPoint } from './geo.js';
import { BusCloudProjection } from './cloud.js';
import { BusStore, type PickupPersonRow, type RiderRow, type TripPlanRow, type TripRow } from './store.js';

export interface ScanResult {
  ok: boolean;
  kind: 'board' | 'alight' | 'check' | 'handover' | null;
  reason: string;
  params: Record<string, string | number>;
  personId: string | null;
  text: { 'zh-CN': string; en: string };
}

/** Raised by service calls a route turns into a 4xx. */
/** How often a running trip's thinned fixes are sent up as one `bus.position` event. */
const POSITION_UPLOAD_MS = 5_000;

export class BusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

const DAY = 86_400_000;
/** Wrong one-time codes for one child on one trip before code entry locks (the pass still works). */
export const MAX_CODE_FAILURES = 5;

/** The stops in the order the bus runs them in this direction. */
export function stopsInOrder(route: BusRoute, direction: BusDirection): BusStop[] {
  return direction === 'morning' ? route.stops : [...route.stops].reverse();
}

/**
 * The school bus on the bus box: routes, assignments and stop changes in SQLite; one open
 * trip at a time; door scans decided with the same credential check as the gates
 * (protocol verifyCredential, the issuers' keyring, the access directory read through its
 * lookups); positions from the GPS receiver, thinned; stop arrival and departure by
 * geofence; overspeed; the end-of-trip check and its alarm on the safety lane.
 */
export class BusService {
  readonly db: BusStore;
  readonly config: BusConfig;
  keyring = new Keyring();
  readonly readers: QrReader[] = [];
  gps: GpsReader | null = null;
  #ready = false;
  #lastStored: StoredPoint | null = null;
  /** Thinned fixes of the running trip not yet put in a `bus.position` event (the parents' live view). */
  #unsent: { tripId: string; fixes: BusPositionEventData['fixes'] } | null = null;
  #sentAt = 0;
  #flushTimer: (() => void) | null = null;
  #lastFix: GpsFix | null = null;
  #atStop: string | null = null;
  #over: { since: number; max: number; active: boolean; under: number } = { since: 0, max: 0, active: false, under: 0 };
  #fixLost = false;
  readonly #scans: Counter;
  readonly #gpsRefused: Counter;
  /** The cloud's bus records → the tables (null in standalone mode). */
  projection: BusCloudProjection | null = null;
  #offChanges: (() => void) | null = null;

  constructor(private readonly d: DomainDeps<BusConfig>) {
    this.config = d.config;
    this.db = new BusStore(d.store.db);
    this.#scans = new Counter({ name: 'campus_edge_schoolbus_scans_total', help: 'Door scans on the school bus by result', labelNames: ['result'], registers: [d.metrics.registry] });
    this.#gpsRefused = new Counter({ name: 'campus_edge_schoolbus_gps_refused_total', help: 'NMEA sentences or fixes set aside, by reason', labelNames: ['reason'], registers: [d.metrics.registry] });
  }

  get ready(): boolean {
    return this.#ready;
  }

  now(): number {
    return this.d.time.now();
  }

  async start(): Promise<void> {
    const keysDir = isAbsolute(this.config.keysDir) ? this.config.keysDir : resolve(this.d.dataDir, this.config.keysDir);
    try {
      this.keyring = await loadKeyring(keysDir);
    } catch (err) {
      if (!(err instanceof CardToolError)) throw err;
      this.d.log.warn({ keysDir }, 'no card issuer keys: every card is refused until issuer-<kid>.pub is installed');
    }
    const at = this.now();
    // Config routes and assignments are seeds until the cloud sends its own (then the cloud owns them).
    const cloud = this.d.cloud.enabled;
    this.db.transaction(() => {
      if (!cloud || !this.db.hasCloudRows('bus_routes')) for (const r of this.config.routes) this.db.upsertRoute(r, 'config', at);
      if (!cloud || !this.db.hasCloudRows('bus_assignments')) for (const a of this.config.assignments) this.db.upsertAssignment(a, 'config');
    });
    if (cloud) {
      const projection = new BusCloudProjection(this.db, this.d.cloud.records, this.d.log.child({ part: 'cloud' }), (kind) => this.d.cloud.invalid(kind), () => this.now());
      this.projection = projection;
      projection.replay();
      this.#offChanges = this.d.bus.on('cloud.changes', ({ changes }) => projection.apply(changes));
    }
    for (const rc of this.config.readers) {
      const { role: _role, ...qr } = rc;
      const reader = createQrReader(qr, this.d.log.child({ reader: rc.id }));
      reader.on('scan', (s) => {
        const r = this.scan(s.text, null, 'reader:' + rc.id);
        void reader.feedback(r.ok ? 'granted' : 'denied');
      });
      reader.open();
      this.readers.push(reader);
    }
    if (this.config.gps) {
      const gps = createGpsReader(this.config.gps, this.d.log.child({ gps: this.config.gps.id }), () => this.now());
      gps.on('fix', (f) => this.position(f));
      gps.on('refused', (r) => this.#gpsRefused.inc({ reason: r.reason }));
      gps.open();
      this.gps = gps;
    }
    this.d.time.every(5_000, () => this.#tick());
    this.d.time.every(3_600_000, () => {
      this.db.prunePositions(this.now() - this.config.positions.keepDays * DAY);
    });
    this.#ready = true;
    this.d.log.info({ routes: this.db.routes().length, readers: this.readers.length, gps: !!this.gps, keys: this.keyring.kids }, 'school bus started');
  }

  async stop(): Promise<void> {
    this.#ready = false;
    this.#offChanges?.();
    this.#offChanges = null;
    for (const r of this.readers.splice(0)) await r.close();
    await this.gps?.close();
    this.gps = null;
    this.flushPositions();
  }

  health(): string | null {
    if (!this.#ready) return 'school bus not running';
    if (this.gps && this.gps.tracker.stale()) return 'no GPS fix';
    return null;
  }

  // ---------------------------------------------------------------- trips

  today(): string {
    return this.d.school.time.local(this.now()).date;
  }

  openTrip(routeId: string, direction: BusDirection, date: string | undefined, by: string): TripRow {
    const route = this.db.route(routeId);
    if (!route) throw new BusError(404, 'bus.unknown_route', { routeId });
    const current = this.db.currentTrip();
    if (current) throw new BusError(409, 'bus.trip_open', { routeId: current.routeId, direction: current.direction });
    const day = date ?? this.today();
    if (this.db.tripFor(routeId, day, direction)) throw new BusError(409, 'bus.trip_exists', { routeId, date: day, direction });
    const id = uuidv7();
    const at = this.now();
    this.db.transaction(() => {
      this.db.openTrip({ id, routeId, direction, date: day, openedAt: at, openedBy: by });
      this.#event({ type: BUS_EVENTS.trip, reason: 'bus.trip.opened', source: by, data: { tripId: id, routeId, routeName: route.name, direction, date: day, expected: this.db.expected(routeId, direction, day).length } });
    });
    this.#atStop = null;
    return this.db.trip(id)!;
  }

  view(trip: TripRow): BusTripView & { expected: Array<{ personId: string; name: string; stopId: string; onBoard: boolean; alighted: boolean; handover: boolean }>; visits: ReturnType<BusStore['visits']> } {
    const route = this.db.route(trip.routeId);
    const riders = this.db.riders(trip.id);
    const name = (id: string) => readCardHolder(this.d.store.db, id)?.name ?? id;
    const byId = new Map(riders.map((r) => [r.personId, r]));
    const planRow = this.db.tripPlan(trip.routeId, trip.date, trip.direction);
    return {
      id: trip.id,
      routeId: trip.routeId,
      routeName: route?.name ?? trip.routeId,
      direction: trip.direction,
      date: trip.date,
      status: trip.status,
      openedAt: trip.openedAt,
      closedAt: trip.closedAt,
      checkedAt: trip.checkedAt,
      lastStopAt: trip.lastStopAt,
      onBoard: riders.filter((r) => r.onBoard).map((r) => ({ personId: r.personId, name: name(r.personId), stopId: r.boardStop, boardedAt: r.boardedAt })),
      boarded: riders.length,
      alighted: riders.filter((r) => !r.onBoard).length,
      plan: planRow ? this.planView(planRow) : null,
      waiting: riders
        .filter((r) => r.onBoard && r.pickupState === 'waiting')
        .map((r) => ({ personId: r.personId, name: name(r.personId), stopId: r.pickupStop, since: r.pickupSince ?? r.boardedAt, pickupPersons: this.pickupPersons(r.personId) })),
      handovers: this.db.handovers(trip.id).map((h) => ({ personId: h.personId, name: name(h.personId), stopId: h.stopId, at: h.at, pickupKey: h.pickupKey, pickupName: h.pickupName, relation: h.relation, method: h.method, by: h.by })),
      returned: riders.filter((r) => r.pickupState === 'returned').map((r) => ({ personId: r.personId, name: name(r.personId), stopId: r.pickupStop, at: r.pickupSince ?? r.boardedAt, onBoard: r.onBoard })),
      expected: this.db.expected(trip.routeId, trip.direction, trip.date).map((e) => ({
        ...e,
        name: name(e.personId),
        onBoard: byId.get(e.personId)?.onBoard ?? false,
        alighted: byId.has(e.personId) && !byId.get(e.personId)!.onBoard,
        handover: this.#handoverAt(trip, e.personId, e.stopId),
      })),
      visits: this.db.visits(trip.id),
    };
  }

  /** A planned trip as shown: names of the driver and attendant from the directory, the plate from the vehicle. */
  planView(p: TripPlanRow): BusTripPlanView {
    const name = (id: string) => readCardHolder(this.d.store.db, id)?.name ?? id;
    return { ...p, routeName: this.db.route(p.routeId)?.name ?? p.routeId, plate: this.db.vehiclePlate(p.vehicleId), driverName: name(p.driverId), attendantName: name(p.attendantId) };
  }

  /** The child's authorized pickup persons as the attendant sees them (valid now only). */
  pickupPersons(studentId: string): BusPickupPersonView[] {
    const now = this.now();
    return this.db
      .pickupPersons(studentId)
      .filter((p) => this.#pickupValid(p, now))
      .map((p) => ({ key: p.key, name: p.name, relation: p.relation, photoId: p.photoId, codes: p.hasCode }));
  }

  #pickupValid(p: PickupPersonRow, now: number): boolean {
    return (p.validFrom === null || p.validFrom <= now) && (p.validUntil === null || now < p.validUntil);
  }

  #requireTrip(): TripRow {
    const t = this.db.currentTrip();
    if (!t) throw new BusError(409, 'bus.no_trip');
    return t;
  }

  /** Closes the current trip: refused while anyone who boarded is still aboard, or before the rear check. */
  closeTrip(by: string): TripRow {
    const trip = this.#requireTrip();
    const aboard = this.db.riders(trip.id).filter((r) => r.onBoard);
    if (aboard.length > 0) {
      const names = aboard.map((r) => readCardHolder(this.d.store.db, r.personId)?.name ?? r.personId).join('、');
      this.#event({ type: BUS_EVENTS.trip, reason: 'bus.trip.close_refused', severity: 'warning', priority: PRIORITIES.safety, source: by, data: { tripId: trip.id, count: aboard.length, names, personIds: aboard.map((r) => r.personId) } });
      throw new BusError(409, 'bus.children_aboard', { count: aboard.length, names });
    }
    if (trip.checkedAt === null) {
      this.#event({ type: BUS_EVENTS.trip, reason: 'bus.trip.check_required', severity: 'notice', source: by, data: { tripId: trip.id } });
      throw new BusError(409, 'bus.check_required');
    }
    const at = this.now();
    const riders = this.db.riders(trip.id);
    this.flushPositions();
    this.db.transaction(() => {
      this.db.setTrip(trip.id, { status: 'closed', closedAt: at, closedBy: by });
      this.#event({
        type: BUS_EVENTS.trip,
        reason: 'bus.trip.closed',
        source: by,
        data: { tripId: trip.id, routeId: trip.routeId, routeName: this.db.route(trip.routeId)?.name ?? trip.routeId, direction: trip.direction, date: trip.date, boarded: riders.length, checkedAt: trip.checkedAt },
      });
    });
    return this.db.trip(trip.id)!;
  }

  /** The rear checkpoint QR: confirms the bus is empty. Refused while the record says someone is aboard. */
  check(text: string, by: string): ScanResult {
    const trip = this.db.currentTrip();
    if (!trip) return this.#refuse(null, 'check', 'bus.refused.no_trip', {}, null, by);
    if (text.trim() !== this.config.checkpointCode) {
      this.#event({ type: BUS_EVENTS.check, reason: 'bus.check.wrong_code', severity: 'notice', source: by, data: { tripId: trip.id } });
      return this.#result(false, 'check', 'bus.check.wrong_code', {}, null);
    }
    const aboard = this.db.riders(trip.id).filter((r) => r.onBoard);
    if (aboard.length > 0) {
      const names = aboard.map((r) => readCardHolder(this.d.store.db, r.personId)?.name ?? r.personId).join('、');
      this.#event({ type: BUS_EVENTS.check, reason: 'bus.trip.close_refused', severity: 'warning', priority: PRIORITIES.safety, source: by, data: { tripId: trip.id, count: aboard.length, names } });
      return this.#result(false, 'check', 'bus.trip.close_refused', { count: aboard.length, names }, null);
    }
    const at = this.now();
    this.db.transaction(() => {
      this.db.setTrip(trip.id, { checkedAt: at });
      this.#event({ type: BUS_EVENTS.check, reason: 'bus.check.done', source: by, data: { tripId: trip.id, lastStopAt: trip.lastStopAt, minutesAfterLastStop: trip.lastStopAt === null ? null : Math.round((at - trip.lastStopAt) / 60_000) } });
    });
    return this.#result(true, 'check', 'bus.check.done', {}, null);
  }

  // ---------------------------------------------------------------- door scans

  /**
   * A card at the door. Boards a child who is not aboard, alights one who is; refuses
   * with a reason the attendant's screen shows (and the reader lights red).
   */
  scan(text: string, kind: 'board' | 'alight' | null, source: string): ScanResult {
    if (text.trim() === this.config.checkpointCode) return this.check(text, source);
    const trip = this.db.currentTrip();
    if (!trip) return this.#refuse(null, kind ?? 'board', 'bus.refused.no_trip', {}, null, source);
    // A pickup person's pass at the door: the pickup step for the child it names.
    if (isPickupPassText(text.trim())) return this.handover(null, { pass: text.trim() }, source);
    const now = this.now();
    const db = this.d.store.db;
    const v = verifyCredential(text, this.keyring, now, {
      minCardVersion: (pid: string) => readCardHolder(db, pid)?.minCardVersion,
      timeZone: this.d.school.time.timeZone,
    });
    if (!v.ok) {
      const reason: BusRefusal =
        v.reason === 'credential.revoked'
          ? 'bus.refused.card_revoked'
          : v.reason === 'credential.unknown_key' || v.reason === 'credential.unknown_prefix' || v.reason === 'credential.bad_signature'
            ? 'bus.refused.other_school'
            : 'bus.refused.bad_card';
      return this.#refuse(trip, kind ?? 'board', reason, { detail: translate('zh-CN', `reason.${v.reason}`), credentialReason: v.reason }, null, source);
    }
    if (v.credential.kind !== 'card') return this.#refuse(trip, kind ?? 'board', 'bus.refused.bad_card', { detail: v.credential.kind }, null, source);
    const person = readCardHolder(db, v.credential.personId);
    if (!person || !person.active) return this.#refuse(trip, kind ?? 'board', 'bus.refused.not_assigned', { personName: v.credential.personId }, v.credential.personId, source);
    return this.#decide(trip, person, kind, source, false, null);
  }

  /** The attendant records a child without a card (the reason is logged). */
  manual(personId: string, kind: 'board' | 'alight', why: string, by: string): ScanResult {
    const trip = this.#requireTrip();
    const person = readCardHolder(this.d.store.db, personId);
    if (!person) throw new BusError(404, 'bus.unknown_person', { personId });
    return this.#decide(trip, person, kind, by, true, why);
  }

  #decide(trip: TripRow, p: CardHolder, kind: 'board' | 'alight' | null, source: string, manual: boolean, why: string | null): ScanResult {
    const now = this.now();
    const route = this.db.route(trip.routeId);
    const stop = this.#atStop;
    const stopName = (id: string | null) => (id ? (route?.stops.find((s) => s.id === id)?.name ?? id) : '-');
    const base = { personName: p.name, stopName: stopName(stop), routeName: route?.name ?? trip.routeId };
    const rider = this.db.rider(trip.id, p.id);
    const aboard = rider?.onBoard === true;
    if (aboard) {
      const repeat = now - rider.boardedAt < this.config.repeatWindowS * 1000 || (stop !== null && stop === rider.boardStop);
      if (kind === 'board' || (kind === null && repeat && !manual)) return this.#refuse(trip, 'board', 'bus.refused.already_on_board', base, p.id, source);
      // alighting
      const expectedStop = this.#expectedStop(trip, p.id);
      // Afternoon: a child gets off at their own stop (or back at the school/depot), nowhere else without the attendant.
      const atDepot = stop !== null && route?.stops.find((s) => s.id === stop)?.depot === true;
      if (!manual && stop !== null && expectedStop && trip.direction === 'afternoon' && stop !== expectedStop.stopId && !atDepot) {
        return this.#refuse(trip, 'alight', 'bus.refused.wrong_stop', { ...base, expectedStop: stopName(expectedStop.stopId) }, p.id, source);
      }
      // At a handover stop the child gets off only into an authorized pickup person's hands.
      if (rider.pickupState === 'waiting') return this.#result(false, 'alight', 'bus.handover.waiting', base, p.id);
      const handoverStop = stop ?? expectedStop?.stopId ?? null; // without a fix: the child's own stop
      // A child nobody collected goes back to school: off at the depot, or recorded by hand (reason logged) to the school's staff.
      const backAtSchool = rider.pickupState === 'returned' && manual;
      if (!atDepot && !backAtSchool && this.#handoverAt(trip, p.id, handoverStop)) {
        this.db.transaction(() => {
          this.db.setPickup(trip.id, p.id, 'waiting', handoverStop, now);
          this.#event({
            type: BUS_EVENTS.handover,
            reason: 'bus.handover.waiting',
            severity: 'notice',
            source,
            subject: p.id,
            priority: PRIORITIES.gate,
            data: { tripId: trip.id, routeId: trip.routeId, direction: trip.direction, stopId: handoverStop, ...base, stopName: stopName(handoverStop), ...(manual ? { by: source, why } : {}) },
          });
        });
        this.#scans.inc({ result: 'handover_waiting' });
        return this.#result(false, 'alight', 'bus.handover.waiting', base, p.id);
      }
      this.db.transaction(() => {
        this.db.alight(trip.id, p.id, stop, now);
        this.#event({
          type: BUS_EVENTS.alighting,
          reason: manual ? 'bus.alighted.manual' : 'bus.alighted',
          source,
          subject: p.id,
          priority: PRIORITIES.gate,
          data: { tripId: trip.id, routeId: trip.routeId, direction: trip.direction, stopId: stop, ...base, ...(manual ? { by: source, why } : {}) },
        });
      });
      this.#scans.inc({ result: 'alighted' });
      return this.#result(true, 'alight', manual ? 'bus.alighted.manual' : 'bus.alighted', { ...base, ...(manual ? { by: source, why: why ?? '' } : {}) }, p.id);
    }
    if (kind === 'alight') return this.#refuse(trip, 'alight', 'bus.refused.not_on_board', base, p.id, source);
    // boarding
    const change = this.db.stopChange(p.id, trip.date, trip.direction);
    const assignment = this.db.assignmentOn(p.id, trip.direction, trip.date);
    if (change) {
      if (change.routeId !== trip.routeId || (trip.direction === 'morning' && stop !== null && stop !== change.stopId)) {
        const other = this.db.route(change.routeId);
        const expected = other?.stops.find((s) => s.id === change.stopId)?.name ?? change.stopId;
        return this.#refuse(trip, 'board', 'bus.refused.stop_changed', { ...base, expectedStop: change.routeId === trip.routeId ? expected : `${other?.name ?? change.routeId} ${expected}` }, p.id, source);
      }
    } else if (!assignment) {
      return this.#refuse(trip, 'board', 'bus.refused.not_assigned', base, p.id, source);
    } else if (assignment.routeId !== trip.routeId) {
      return this.#refuse(trip, 'board', 'bus.refused.wrong_bus', { ...base, expectedRoute: this.db.route(assignment.routeId)?.name ?? assignment.routeId }, p.id, source);
    }
    const dayStart = this.d.school.time.dateStart(trip.date);
    const leave = readLeaveOverlapping(this.d.store.db, p.id, Math.max(dayStart, trip.direction === 'afternoon' ? now : dayStart), dayStart + DAY);
    if (leave && !manual) return this.#refuse(trip, 'board', 'bus.refused.on_leave', { ...base, leaveId: leave.id }, p.id, source);
    if (!manual && this.config.refuseAbsent && trip.direction === 'afternoon' && readAbsent(this.d.store.db, p.id, p.gradeId, trip.date)) {
      return this.#refuse(trip, 'board', 'bus.refused.absent_today', base, p.id, source);
    }
    if (!manual && !change && assignment && trip.direction === 'morning' && stop !== null && stop !== assignment.stopId) {
      return this.#refuse(trip, 'board', 'bus.refused.wrong_stop', { ...base, expectedStop: stopName(assignment.stopId) }, p.id, source);
    }
    this.db.transaction(() => {
      this.db.board(trip.id, p.id, stop, now, manual);
      this.#event({
        type: BUS_EVENTS.boarding,
        reason: manual ? 'bus.boarded.manual' : 'bus.boarded',
        source,
        subject: p.id,
        priority: PRIORITIES.gate,
        data: { tripId: trip.id, routeId: trip.routeId, direction: trip.direction, stopId: stop, ...base, ...(manual ? { by: source, why } : {}) },
      });
    });
    this.#scans.inc({ result: 'boarded' });
    return this.#result(true, 'board', manual ? 'bus.boarded.manual' : 'bus.boarded', { ...base, ...(manual ? { by: source, why: why ?? '' } : {}) }, p.id);
  }

  /** Whether this child alights at this stop only into a pickup person's hands (the stop's flag or the child's assignment). */
  #handoverAt(trip: TripRow, personId: string, stopId: string | null): boolean {
    const route = this.db.route(trip.routeId);
    const stop = stopId ? route?.stops.find((s) => s.id === stopId) : undefined;
    if (stop?.depot) return false;
    if (stop?.handover) return true;
    return this.db.assignmentOn(personId, trip.direction, trip.date)?.handover === true;
  }

  // ---------------------------------------------------------------- pickup (handover)

  /**
   * The pickup step for a child waiting at a handover stop: the pickup person's signed pass
   * (from the door reader or the phone; `personId` null = the child the pass names) or the
   * one-time code from the guardian's app (protocol bus/pickup.ts). Refusals leave the
   * child on board and are events with a reason.
   */
  handover(personId: string | null, proof: { pass?: string; code?: string }, by: string): ScanResult {
    const trip = this.#requireTrip();
    const now = this.now();
    let childId = personId;
    let holder: PickupPersonRow | null = null;
    let method: 'pass' | 'code';
    if (proof.pass !== undefined) {
      method = 'pass';
      const v = verifyPickupPass(proof.pass, this.keyring);
      if (!v.ok) return this.#refuseHandover(trip, childId, v.reason === 'pickup.pass.malformed' ? 'bus.handover.bad_pass' : 'bus.handover.other_school', { detail: v.detail }, by);
      const cid = childId ?? v.pass.studentId;
      childId = cid;
      if (v.pass.studentId !== cid) {
        return this.#refuseHandover(trip, cid, 'bus.handover.wrong_child', { passStudent: this.#name(v.pass.studentId), passStudentId: v.pass.studentId }, by);
      }
      const waiting = this.#waitingRider(trip, cid);
      if (!waiting) return this.#refuseHandover(trip, cid, 'bus.handover.not_waiting', {}, by);
      const match = this.db.pickupPersons(cid).filter((p) => p.tag === v.pass.pickupTag);
      if (match.length !== 1) return this.#refuseHandover(trip, cid, 'bus.handover.unknown_pickup', {}, by);
      const p = match[0]!;
      if (v.pass.passVersion < p.passVersion) return this.#refuseHandover(trip, cid, 'bus.handover.pass_revoked', { pickupName: p.name, passVersion: v.pass.passVersion, currentVersion: p.passVersion }, by);
      if (!this.#pickupValid(p, now)) return this.#refuseHandover(trip, cid, 'bus.handover.pickup_not_valid', { pickupName: p.name }, by);
      holder = p;
    } else {
      method = 'code';
      if (childId === null) throw new BusError(400, 'request.invalid', { detail: 'personId' });
      const cid = childId;
      const rider = this.#waitingRider(trip, cid);
      if (!rider) return this.#refuseHandover(trip, cid, 'bus.handover.not_waiting', {}, by);
      if (rider.codeFailures >= MAX_CODE_FAILURES) return this.#refuseHandover(trip, cid, 'bus.handover.code_locked', {}, by);
      const code = (proof.code ?? '').replace(/\s/g, '');
      const candidates = this.db.pickupPersons(cid).filter((p) => p.hasCode && this.#pickupValid(p, now));
      if (candidates.length === 0) return this.#refuseHandover(trip, cid, 'bus.handover.no_codes', {}, by);
      let expired = false;
      for (const p of candidates) {
        const key = this.d.cloud.records.get('pickup_person', p.key)?.['codeKey'];
        if (typeof key !== 'string') continue;
        const r = checkPickupCode(key, cid, code, now);
        if (r === 'ok') {
          holder = p;
          break;
        }
        if (r === 'expired') expired = true;
      }
      if (!holder) {
        const failures = this.db.codeFailed(trip.id, cid);
        const left = Math.max(0, MAX_CODE_FAILURES - failures);
        return this.#refuseHandover(trip, cid, expired ? 'bus.handover.code_expired' : 'bus.handover.bad_code', { left }, by);
      }
    }
    const child = childId!;
    const rider = this.db.rider(trip.id, child)!;
    const route = this.db.route(trip.routeId);
    const stopId = rider.pickupStop ?? this.#atStop;
    const stopName = stopId ? (route?.stops.find((s) => s.id === stopId)?.name ?? stopId) : '-';
    const h = holder;
    this.db.transaction(() => {
      this.db.alight(trip.id, child, stopId, now);
      this.db.setPickup(trip.id, child, 'handed_over', stopId, now);
      this.db.addHandover({ id: uuidv7(), tripId: trip.id, personId: child, stopId, at: now, pickupKey: h.key, pickupName: h.name, relation: h.relation, method, by });
      this.#event({
        type: BUS_EVENTS.handover,
        reason: 'bus.handed_over',
        source: by,
        subject: child,
        priority: PRIORITIES.gate,
        data: { tripId: trip.id, routeId: trip.routeId, routeName: route?.name ?? trip.routeId, direction: trip.direction, stopId, stopName, personName: this.#name(child), pickupKey: h.key, pickupName: h.name, relation: h.relation, method, by, at: now },
      });
    });
    this.#scans.inc({ result: 'handed_over' });
    return this.#result(true, 'handover', 'bus.handed_over', { personName: this.#name(child), stopName, pickupName: h.name, relation: h.relation, method }, child);
  }

  /**
   * Nobody authorized came (or the bus left the stop): the child stays on board and goes
   * back to school; guardians and the school are told through the cloud (safety lane).
   */
  handoverFailed(personId: string, why: string | null, by: string): ScanResult {
    const trip = this.#requireTrip();
    const rider = this.#waitingRider(trip, personId);
    if (!rider) return this.#refuseHandover(trip, personId, 'bus.handover.not_waiting', {}, by);
    return this.#fail(trip, rider, why, by);
  }

  #fail(trip: TripRow, rider: RiderRow, why: string | null, by: string): ScanResult {
    const now = this.now();
    const route = this.db.route(trip.routeId);
    const stopId = rider.pickupStop;
    const stopName = stopId ? (route?.stops.find((s) => s.id === stopId)?.name ?? stopId) : '-';
    const params = { personName: this.#name(rider.personId), stopName };
    const current = this.db.trip(trip.id);
    this.db.transaction(() => {
      this.db.setPickup(trip.id, rider.personId, 'returned', stopId, now);
      // The child rides back to school: the end-of-trip check is due there, not at this
      // (last) stop, so its timer starts again when the bus reaches a depot stop.
      if (current && current.lastStopAt !== null && current.checkedAt === null && current.checkAlarmAt === null) this.db.setTrip(trip.id, { lastStopAt: null });
      this.#event({
        type: BUS_EVENTS.handover,
        reason: 'bus.handover.failed',
        severity: 'warning',
        priority: PRIORITIES.safety,
        source: by,
        subject: rider.personId,
        data: {
          tripId: trip.id,
          routeId: trip.routeId,
          routeName: route?.name ?? trip.routeId,
          direction: trip.direction,
          stopId,
          ...params,
          pickupPersons: this.db.pickupPersons(rider.personId).map((p) => p.name),
          plate: this.config.vehicle.plate ?? null,
          by,
          why,
        },
      });
    });
    this.#scans.inc({ result: 'handover_failed' });
    return this.#result(true, 'handover', 'bus.handover.failed', params, rider.personId);
  }

  #waitingRider(trip: TripRow, personId: string): RiderRow | null {
    const r = this.db.rider(trip.id, personId);
    return r && r.onBoard && r.pickupState === 'waiting' ? r : null;
  }

  /**
   * A printable sheet of signed pickup passes (接送证), one per authorized pickup person of
   * the chosen children (or the chosen records; everyone when neither is given), signed
   * with the school's issuer key configured on this box (bus.pickupPassKey).
   */
  async pickupPassSheet(filter: { studentIds?: readonly string[]; keys?: readonly string[] }): Promise<{ pdf: Buffer; passes: number }> {
    const keyFile = this.config.pickupPassKey;
    if (!keyFile) throw new BusError(409, 'bus.passes.no_key');
    let people = this.db.allPickupPersons();
    if (filter.keys?.length) {
      for (const k of filter.keys) if (!people.some((p) => p.key === k)) throw new BusError(404, 'bus.passes.unknown', { key: k });
      people = people.filter((p) => filter.keys!.includes(p.key));
    }
    if (filter.studentIds?.length) people = people.filter((p) => filter.studentIds!.includes(p.studentId));
    if (people.length === 0) throw new BusError(404, 'bus.passes.none');
    let issuer;
    try {
      issuer = await loadIssuerKey(isAbsolute(keyFile) ? keyFile : resolve(this.d.dataDir, keyFile));
    } catch (err) {
      if (!(err instanceof CardToolError)) throw err;
      throw new BusError(409, 'bus.passes.bad_key', { detail: translate('zh-CN', err.code, err.params) });
    }
    const { pickupPassSheetPdf } = await import('./pass-sheet.js');
    const pdf = await pickupPassSheetPdf(
      people.map((p) => ({
        key: p.key,
        pickupName: p.name,
        relation: p.relation,
        childName: this.#name(p.studentId),
        className: null,
        passVersion: p.passVersion,
        validFrom: p.validFrom,
        validUntil: p.validUntil,
        pass: encodePickupPass({ studentId: p.studentId, recordKey: p.key, passVersion: p.passVersion }, issuer.privateKey, issuer.kid),
      })),
      this.d.site.name,
    );
    return { pdf, passes: people.length };
  }

  #name(personId: string): string {
    return readCardHolder(this.d.store.db, personId)?.name ?? personId;
  }

  #refuseHandover(trip: TripRow, personId: string | null, reason: string, params: Record<string, string | number>, source: string): ScanResult {
    this.#scans.inc({ result: reason.replace(/^bus\.handover\./, 'handover_') });
    const all = { personName: personId ? this.#name(personId) : '-', ...params };
    this.#event({
      type: BUS_EVENTS.handover,
      reason,
      severity: reason === 'bus.handover.other_school' || reason === 'bus.handover.pass_revoked' || reason === 'bus.handover.code_locked' ? 'warning' : 'notice',
      priority: PRIORITIES.gate,
      source,
      subject: personId,
      data: { tripId: trip.id, routeId: trip.routeId, stopId: this.#atStop, refused: true, ...all },
    });
    return this.#result(false, 'handover', reason, all, personId);
  }

  #expectedStop(trip: TripRow, personId: string): { routeId: string; stopId: string } | undefined {
    return this.db.stopChange(personId, trip.date, trip.direction) ?? this.db.assignmentOn(personId, trip.direction, trip.date);
  }

  #refuse(trip: TripRow | null, kind: 'board' | 'alight' | 'check', reason: string, params: Record<string, string | number>, personId: string | null, source: string): ScanResult {
    this.#scans.inc({ result: reason.replace(/^bus\.refused\./, '') });
    const severity: Severity = reason === 'bus.refused.other_school' || reason === 'bus.refused.card_revoked' ? 'warning' : 'notice';
    this.#event({
      type: kind === 'alight' ? BUS_EVENTS.alighting : BUS_EVENTS.boarding,
      reason,
      severity,
      priority: PRIORITIES.gate,
      source,
      subject: personId,
      data: { tripId: trip?.id ?? null, routeId: trip?.routeId ?? null, stopId: this.#atStop, refused: true, ...params },
    });
    return this.#result(false, kind, reason, params, personId);
  }

  #result(ok: boolean, kind: ScanResult['kind'], reason: string, params: Record<string, string | number>, personId: string | null): ScanResult {
    return { ok, kind, reason, params, personId, text: bilingual(`reason.${reason}`, params) };
  }

  #event(e: NewEvent): void {
    this.d.appendEvent(e);
  }

  // ---------------------------------------------------------------- positions

  /** A GPS fix: stored thinned, geofences, overspeed. */
  position(f: GpsFix): void {
    this.#lastFix = f;
    if (this.#fixLost) {
      this.#fixLost = false;
      this.#event({ type: BUS_EVENTS.gps, reason: 'bus.gps.fix_regained', source: 'gps', data: { lat: f.lat, lon: f.lon } });
    }
    const trip = this.db.currentTrip() ?? null;
    const p: StoredPoint = { at: f.time, lat: f.lat, lon: f.lon, course: f.course };
    if (keepPoint(this.#lastStored, p, this.config.positions)) {
      const speedKmh = Math.round(f.speedKmh * 10) / 10;
      this.db.addPosition({ tripId: trip?.id ?? null, at: f.time, lat: f.lat, lon: f.lon, speedKmh, course: f.course });
      this.#lastStored = p;
      if (trip) this.#queuePosition(trip, { at: f.time, lat: f.lat, lon: f.lon, speedKmh: Math.min(250, speedKmh), heading: f.course ?? null });
    }
    this.#overspeed(f, trip);
    if (trip) this.#geofence(f, trip);
  }

  /**
   * While a trip runs, its thinned fixes go up in one `bus.position` event every
   * POSITION_UPLOAD_MS (not one event per fix): the cloud's live view for the guardians of
   * the children on this trip. Outside trips nothing is sent (nobody may watch the bus).
   */
  #queuePosition(trip: TripRow, fix: BusPositionEventData['fixes'][number]): void {
    if (this.#unsent && this.#unsent.tripId !== trip.id) this.flushPositions();
    this.#unsent ??= { tripId: trip.id, fixes: [] };
    this.#unsent.fixes.push(fix);
    const due = this.#sentAt + POSITION_UPLOAD_MS - this.now();
    if (due <= 0 || this.#unsent.fixes.length >= 600) this.flushPositions();
    // Not yet 5 s since the last upload: this fix goes up when they are over, not with the
    // next stored fix (up to 5 s later: the parents' live view would lag for nothing).
    else this.#flushTimer ??= this.d.time.after(due, () => {
      this.#flushTimer = null;
      this.flushPositions();
    });
  }

  /** Sends the fixes gathered so far (at trip close, stop, or when the upload interval is due). */
  flushPositions(): void {
    this.#flushTimer?.();
    this.#flushTimer = null;
    const u = this.#unsent;
    this.#unsent = null;
    this.#sentAt = this.now();
    if (!u || u.fixes.length === 0) return;
    const plan = this.db.trip(u.tripId);
    const planRow = plan ? this.db.tripPlan(plan.routeId, plan.date, plan.direction) : undefined;
    const data: BusPositionEventData = {
      ...(this.config.vehicle.plate ? { plate: this.config.vehicle.plate } : {}),
      ...(planRow?.vehicleId ? { vehicleId: planRow.vehicleId } : {}),
      tripId: u.tripId,
      fixes: u.fixes,
    };
    this.#event({ type: BUS_POSITION_EVENT, reason: 'bus.position', priority: PRIORITIES.normal, source: 'gps', data: { ...data, count: u.fixes.length } });
  }

  get lastFix(): GpsFix | null {
    return this.#lastFix;
  }

  get atStop(): string | null {
    return this.#atStop;
  }

  #overspeed(f: GpsFix, trip: TripRow | null): void {
    const o = this.#over;
    const limit = (trip && this.db.route(trip.routeId)?.overspeedKmh) ?? this.config.overspeedKmh;
    const hold = this.config.overspeedSeconds * 1000;
    if (f.speedKmh > limit) {
      o.under = 0;
      if (o.since === 0) {
        o.since = f.time;
        o.max = 0;
      }
      o.max = Math.max(o.max, f.speedKmh);
      if (!o.active && f.time - o.since >= hold - 1) {
        o.active = true;
        this.#event({
          type: BUS_EVENTS.overspeed,
          reason: 'bus.overspeed.started',
          severity: 'warning',
          priority: PRIORITIES.safety,
          source: 'gps',
          data: { tripId: trip?.id ?? null, speedKmh: Math.round(f.speedKmh), limitKmh: limit, lat: f.lat, lon: f.lon },
        });
      }
      return;
    }
    if (!o.active) {
      o.since = 0;
      return;
    }
    if (o.under === 0) o.under = f.time;
    if (f.time - o.under >= hold - 1) {
      this.#event({ type: BUS_EVENTS.overspeed, reason: 'bus.overspeed.ended', source: 'gps', data: { tripId: trip?.id ?? null, maxKmh: Math.round(o.max), limitKmh: limit, seconds: Math.round((o.under - o.since) / 1000) } });
      this.#over = { since: 0, max: 0, active: false, under: 0 };
    }
  }

  #geofence(f: GpsFix, trip: TripRow): void {
    const route = this.db.route(trip.routeId);
    if (!route) return;
    const stops = stopsInOrder(route, trip.direction);
    if (this.#atStop) {
      const s = stops.find((x) => x.id === this.#atStop);
      // hysteresis: leave at 1.5 × radius so GPS noise at the kerb does not flap
      if (!s || distanceM(s.lat, s.lon, f.lat, f.lon) > s.radiusM * 1.5) {
        const left = this.#atStop;
        this.#atStop = null;
        this.db.transaction(() => {
          this.db.depart(trip.id, left, f.time);
          this.#event({ type: BUS_EVENTS.stop, reason: 'bus.stop.departed', source: 'gps', data: { tripId: trip.id, stopId: left, stopName: s?.name ?? left, routeId: trip.routeId } });
        });
        // Children still waiting for a pickup person when the bus leaves stay on board and go back.
        for (const r of this.db.riders(trip.id)) if (r.onBoard && r.pickupState === 'waiting') this.#fail(trip, r, 'bus left the stop', 'gps');
      } else return;
    }
    let best: { s: BusStop; d: number } | null = null;
    for (const s of stops) {
      const d = distanceM(s.lat, s.lon, f.lat, f.lon);
      if (d <= s.radiusM && (!best || d < best.d)) best = { s, d };
    }
    if (!best) return;
    const s = best.s;
    this.#atStop = s.id;
    const last = stops.at(-1)!;
    const scheduled = trip.direction === 'morning' ? s.morningAt : s.afternoonAt;
    this.db.transaction(() => {
      this.db.arrive(trip.id, s.id, f.time);
      const current = this.db.trip(trip.id);
      // With a child riding back to school (nobody collected them) the check is due at the depot.
      const returning = this.db.riders(trip.id).some((r) => r.onBoard && r.pickupState === 'returned');
      if ((returning ? s.depot : s.id === last.id) && current?.lastStopAt === null) this.db.setTrip(trip.id, { lastStopAt: f.time });
      this.#event({ type: BUS_EVENTS.stop, reason: 'bus.stop.arrived', source: 'gps', data: { tripId: trip.id, stopId: s.id, stopName: s.name, routeId: trip.routeId, scheduledAt: scheduled ?? null, last: s.id === last.id } });
    });
  }

  /** Marks the last stop reached by hand (no GPS fix at the depot). */
  reachedLastStop(by: string): TripRow {
    const trip = this.#requireTrip();
    if (trip.lastStopAt === null) {
      const at = this.now();
      const route = this.db.route(trip.routeId);
      const last = route ? stopsInOrder(route, trip.direction).at(-1)! : null;
      this.db.transaction(() => {
        this.db.setTrip(trip.id, { lastStopAt: at });
        if (last) this.db.arrive(trip.id, last.id, at);
        this.#event({ type: BUS_EVENTS.stop, reason: 'bus.stop.arrived', source: by, data: { tripId: trip.id, stopId: last?.id ?? null, stopName: last?.name ?? '-', routeId: trip.routeId, last: true, manual: true } });
      });
      if (last) this.#atStop = last.id;
    }
    return this.db.trip(trip.id)!;
  }

  /** Every 5 s: the missed-check alarm, GPS fix lost. */
  #tick(): void {
    const now = this.now();
    const trip = this.db.currentTrip();
    if (trip && trip.lastStopAt !== null && trip.checkedAt === null && trip.checkAlarmAt === null && now - trip.lastStopAt >= this.config.checkMinutes * 60_000) {
      const aboard = this.db.riders(trip.id).filter((r) => r.onBoard);
      this.db.transaction(() => {
        this.db.setTrip(trip.id, { checkAlarmAt: now });
        this.#event({
          type: BUS_EVENTS.check,
          reason: 'bus.check.missed',
          severity: 'critical',
          priority: PRIORITIES.safety,
          source: 'bus',
          data: {
            tripId: trip.id,
            routeId: trip.routeId,
            routeName: this.db.route(trip.routeId)?.name ?? trip.routeId,
            minutes: this.config.checkMinutes,
            lastStopAt: trip.lastStopAt,
            aboard: aboard.map((r) => r.personId),
            plate: this.config.vehicle.plate ?? null,
          },
        });
      });
    }
    if (this.gps && !this.#fixLost && this.#lastFix && this.gps.tracker.stale()) {
      this.#fixLost = true;
      this.#event({ type: BUS_EVENTS.gps, reason: 'bus.gps.fix_lost', severity: 'notice', source: 'gps', data: { lastAt: this.#lastFix.time } });
    }
  }

  /** Runs the periodic checks now (tests on fake time use the time service instead). */
  tick(): void {
    this.#tick();
  }
}
