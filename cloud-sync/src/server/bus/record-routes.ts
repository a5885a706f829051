import { z } from 'zod';
import { BUS_RECORD_KINDS, BUS_RECORD_SCHEMAS } from '@campus/protocol/bus/records';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { StaffRouter } from '../staff/access.js';
import { DeleteRecordQuery, PutRecordBody, RecordListQuery, versionedRecords } from '../staff/record-routes.js';
import type { StaffRole } from '../staff/roles.js';
import type { BusAlarms } from './alarms.js';
import { parseBusRecord } from './validate.js';
import { fleetView, withMapCoords, type BusMapTiles } from './fleet.js';
import type { BusReports } from './reports.js';
import { BUS_REQUEST_STATUSES, BusDecisionSchema, type BusRequestDesk } from './requests.js';

type BusKind = (typeof BUS_RECORD_KINDS)[number];
/** The bus model is the transport manager's (校车管理员); the school admin may do everything. */
export const BUS_STAFF: readonly StaffRole[] = ['school_admin', 'transport_manager'];

const ListParams = z.object({ schoolId: z.string().max(64), kind: z.enum(BUS_RECORD_KINDS) });
const OneParams = ListParams.extend({ key: RecordKeySchema });

/** Terminal phone numbers compare without leading zeros (a 2013 header pads to 12 digits, 2019 to 20). */
export const normalizePhone = (p: string): string => p.replace(/^0+/, '');

async function one(q: Queryable, schoolId: string, kind: string, key: string): Promise<Record<string, unknown> | null> {
  const r = await q.query<{ data: Record<string, unknown> }>('SELECT data FROM records WHERE school_id = $1 AND kind = $2 AND key = $3 AND NOT deleted', [schoolId, kind, key]);
  return r.rows[0]?.data ?? null;
}

async function firstUser(q: Queryable, schoolId: string, kinds: string[], field: string, value: string): Promise<string | null> {
  const r = await q.query<{ kind: string; key: string }>(
    `SELECT kind, key FROM records WHERE school_id = $1 AND kind = ANY($2::text[]) AND NOT deleted AND data->>'${field}' = $3 ORDER BY kind, key LIMIT 1`,
    [schoolId, kinds, value],
  );
  const x = r.rows[0];
  return x ? `${x.kind} ${x.key}` : null;
}

async function mustBeStudent(q: Queryable, schoolId: string, personId: string): Promise<void> {
  const p = await one(q, schoolId, 'person', personId);
  const roles = (p?.roles ?? []) as unknown[];
  if (!p || !roles.includes('student')) throw new HttpError(400, 'bus.error.unknown_student', { personId });
}

async function mustBeStop(q: Queryable, schoolId: string, routeId: string, stopId: string): Promise<void> {
  const route = await one(q, schoolId, 'bus_route', routeId);
  if (!route) throw new HttpError(400, 'bus.error.unknown_route', { routeId });
  const stops = (route.stops ?? []) as { id: string }[];
  if (!stops.some((s) => s.id === stopId)) throw new HttpError(400, 'bus.error.unknown_stop', { routeId, stopId });
}

async function mustExist(q: Queryable, schoolId: string, kind: 'bus_vehicle' | 'bus_route', key: string): Promise<void> {
  if (await one(q, schoolId, kind, key)) return;
  throw kind === 'bus_vehicle' ? new HttpError(400, 'bus.error.unknown_vehicle', { vehicleId: key }) : new HttpError(400, 'bus.error.unknown_route', { routeId: key });
}

/** Checks a bus record against the others it names (inside the write's transaction, after the school lock). */
async function checkReferences(q: Queryable, schoolId: string, kind: BusKind, key: string, data: Record<string, unknown>): Promise<void> {
  switch (kind) {
    case 'bus_vehicle': {
      const phone = data.terminalPhone as string | undefined;
      if (phone) {
        // Across all schools: the JT/T 808 server finds a vehicle by its terminal's number alone.
        const r = await q.query<{ school_id: string; key: string }>(
          `SELECT school_id, key FROM records WHERE kind = 'bus_vehicle' AND NOT deleted AND ltrim(data->>'terminalPhone', '0') = $1 AND NOT (school_id = $2 AND key = $3) LIMIT 1`,
          [normalizePhone(phone), schoolId, key],
        );
        if (r.rows[0]) throw new HttpError(409, 'bus.error.terminal_taken', { terminalPhone: phone, other: r.rows[0].school_id === schoolId ? r.rows[0].key : '(another school)' });
      }
      const plate = await q.query<{ key: string }>(`SELECT key FROM records WHERE school_id = $1 AND kind = 'bus_vehicle' AND NOT deleted AND data->>'plate' = $2 AND key <> $3 LIMIT 1`, [schoolId, data.plate, key]);
      if (plate.rows[0]) throw new HttpError(409, 'bus.error.plate_taken', { plate: String(data.plate), other: plate.rows[0].key });
      return;
    }
    case 'bus_route': {
      if (data.vehicleId) await mustExist(q, schoolId, 'bus_vehicle', String(data.vehicleId));
      // A stop that assignments or stop changes still use cannot disappear from the route.
      const ids = new Set(((data.stops ?? []) as { id: string }[]).map((s) => s.id));
      const users = await q.query<{ kind: string; key: string; stop: string }>(
        `SELECT kind, key, data->>'stopId' AS stop FROM records WHERE school_id = $1 AND kind IN ('bus_assignment', 'bus_stop_change') AND NOT deleted AND data->>'routeId' = $2`,
        [schoolId, key],
      );
      const orphan = users.rows.find((u) => !ids.has(u.stop));
      if (orphan) throw new HttpError(409, 'bus.error.in_use', { kind: 'stop', key: orphan.stop, by: `${orphan.kind} ${orphan.key}` });
      return;
    }
    case 'bus_assignment':
    case 'bus_stop_change':
      await mustBeStudent(q, schoolId, String(data.personId));
      await mustBeStop(q, schoolId, String(data.routeId), String(data.stopId));
      return;
    case 'pickup_person':
      await mustBeStudent(q, schoolId, String(data.studentId));
      return;
    case 'bus_trip':
      await mustExist(q, schoolId, 'bus_route', String(data.routeId));
      await mustExist(q, schoolId, 'bus_vehicle', String(data.vehicleId));
      return;
  }
}

/** What still names a record that is about to be deleted. */
async function usedBy(q: Queryable, schoolId: string, kind: BusKind, key: string): Promise<string | null> {
  if (kind === 'bus_vehicle') return firstUser(q, schoolId, ['bus_route', 'bus_trip'], 'vehicleId', key);
  if (kind === 'bus_route') return firstUser(q, schoolId, ['bus_assignment', 'bus_stop_change', 'bus_trip'], 'routeId', key);
  return null;
}

export interface BusRecordRouteHooks {
  /** After a committed write of a bus record (the JT/T 808 terminal registry reloads). */
  changed?(schoolId: string, kind: BusKind): void;
}

/**
 * The school bus model in the console: vehicles, routes with stops, assignments, one-day
 * stop changes, pickup persons and trip plans, edited by the transport manager (and the
 * school admin) with versions like the roster (409 with the current record on a
 * concurrent edit). Bad data and dangling references are refused with zh-CN/English
 * messages before anything is written; writes go to the change feed for the bus boxes.
 */
export function busRecordRoutes(api: StaffRouter, records: RecordStore, hooks: BusRecordRouteHooks = {}): void {
  const { list, current, put, remove } = versionedRecords(records);
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus/:kind',
    summary: 'Bus records of one kind (bus_vehicle, bus_route, bus_assignment, bus_stop_change, pickup_person, bus_trip) with versions',
    scope: 'school',
    roles: BUS_STAFF,
    params: ListParams,
    query: RecordListQuery,
    handler: ({ params, query, q }) => list(q, params.schoolId, params.kind, query.after, query.limit),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-people',
    summary: "The school's students and staff to pick in the bus forms (a child's assignment, a trip's driver and attendant): key, name, class and roles only — never phones; guardians are not listed",
    scope: 'school',
    roles: BUS_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    handler: async ({ params, q }) => {
      const r = await q.query<{ key: string; name: string; class_id: string | null; roles: string[] }>(
        `SELECT key, data->>'name' AS name, data->>'classId' AS class_id, ARRAY(SELECT jsonb_array_elements_text(data->'roles')) AS roles
         FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND coalesce(data->>'active', 'true') <> 'false'
           AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(data->'roles') AS role WHERE role <> 'guardian')
         ORDER BY key LIMIT 20000`,
        [params.schoolId],
      );
      return { people: r.rows.map((x) => ({ key: x.key, name: x.name, classId: x.class_id, roles: x.roles })) };
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus/:kind/:key',
    summary: 'One bus record with its version',
    scope: 'school',
    roles: BUS_STAFF,
    params: OneParams,
    handler: async ({ params, q }) => {
      const r = await current(q, params.schoolId, params.kind, params.key, false);
      if (!r) throw new HttpError(404, 'staff.error.not_found');
      return r;
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/bus/:kind/:key',
    summary: 'Create (version null) or change (version = the one read) a bus record; references are checked; 409 with the current record when changed meanwhile',
    scope: 'school',
    roles: BUS_STAFF,
    audit: 'bus.record.put',
    params: OneParams,
    body: PutRecordBody,
    handler: async ({ params, body, q, audited, afterCommit }) => {
      const data = parseBusRecord(params.kind, BUS_RECORD_SCHEMAS[params.kind], body.data) as Record<string, unknown>;
      await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [params.schoolId]);
      await checkReferences(q, params.schoolId, params.kind, params.key, data);
      const out = await put(q, params.schoolId, params.kind, params.key, { data, version: body.version });
      audited(`${params.kind}/${params.key}`, { kind: params.kind, key: params.key, from: out.before?.version ?? null, to: out.record.version, fields: Object.keys(body.data) });
      afterCommit(() => {
        records.changed(params.schoolId);
        hooks.changed?.(params.schoolId, params.kind);
      });
      return { cursor: out.cursor, record: out.record };
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/bus/:kind/:key',
    summary: 'Delete a bus record (a tombstone in the feed); `?version=` must be the current one; refused while other bus records name it',
    scope: 'school',
    roles: BUS_STAFF,
    audit: 'bus.record.delete',
    params: OneParams,
    query: DeleteRecordQuery,
    handler: async ({ params, query, q, audited, afterCommit }) => {
      await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [params.schoolId]);
      if (!(await current(q, params.schoolId, params.kind, params.key, false))) throw new HttpError(404, 'staff.error.not_found');
      const by = await usedBy(q, params.schoolId, params.kind, params.key);
      if (by) throw new HttpError(409, 'bus.error.in_use', { kind: params.kind, key: params.key, by });
      const out = await remove(q, params.schoolId, params.kind, params.key, query.version);
      audited(`${params.kind}/${params.key}`, { kind: params.kind, key: params.key, version: query.version });
      afterCommit(() => {
        records.changed(params.schoolId);
        hooks.changed?.(params.schoolId, params.kind);
      });
      return out;
    },
  });
}

/** Who sees and acknowledges the bus's safety alarms: the attendant (a teacher's account), the transport manager, the school admin. */
export const BUS_ALARM_STAFF: readonly StaffRole[] = ['school_admin', 'transport_manager', 'head_teacher', 'teacher'];
const AlarmParams = z.object({ schoolId: z.string().max(64), alarmId: z.uuid() });

export function busAlarmRoutes(api: StaffRouter, alarms: BusAlarms): void {
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-alarms',
    summary: 'School bus safety alarms (missed end-of-trip check, failed handover), newest first, with each escalation step',
    scope: 'school',
    roles: BUS_ALARM_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    handler: async ({ params, q }) => ({ alarms: await alarms.list(q, params.schoolId) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/bus-alarms/:alarmId/ack',
    summary: 'Acknowledge a bus alarm: its escalation stops',
    scope: 'school',
    roles: BUS_ALARM_STAFF,
    audit: 'bus.alarm.ack',
    params: AlarmParams,
    handler: async ({ params, q, principal, audited }) => {
      const a = await alarms.acknowledge(q, params.schoolId, params.alarmId, principal.username);
      if (!a) throw new HttpError(404, 'bus.error.alarm_unknown');
      audited(`bus_alarm/${params.alarmId}`, { level: a.level });
      return { alarm: a };
    },
  });
}

const RequestParams = z.object({ schoolId: z.string().max(64), requestId: z.string().regex(/^br_[A-Za-z0-9_-]{1,40}$/) });
const PhotoParams = z.object({ schoolId: z.string().max(64), photoId: z.string().regex(/^bp_[A-Za-z0-9_-]{1,40}$/) });
const RequestListQuery = z.object({ status: z.enum(BUS_REQUEST_STATUSES).optional() });

/** The transport manager's side of guardians' bus requests: the list, the photos, the decision (audited). */
export function busRequestRoutes(api: StaffRouter, desk: BusRequestDesk, records: RecordStore): void {
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-requests',
    summary: "Guardians' bus requests (a stop or stop change; a pickup person), pending first",
    scope: 'school',
    roles: BUS_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    query: RequestListQuery,
    handler: async ({ params, query, q }) => ({ requests: await desk.forStaff(q, params.schoolId, query.status) }),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-photos/:photoId',
    summary: "A pickup person's photo (base64 with its type)",
    scope: 'school',
    roles: BUS_STAFF,
    params: PhotoParams,
    handler: async ({ params, q }) => {
      const p = await desk.photo(q, params.schoolId, params.photoId);
      if (!p) throw new HttpError(404, 'bus.error.photo_unknown');
      return p;
    },
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/bus-requests/:requestId/decision',
    summary: 'Accept (writes the assignment, stop change or pickup person to the change feed), change (another stop or date, with a reason) or reject (with a reason) a pending request; once',
    scope: 'school',
    roles: BUS_STAFF,
    audit: 'bus.request.decide',
    params: RequestParams,
    body: BusDecisionSchema,
    handler: async ({ principal, params, body, q, audited, afterCommit }) => {
      const out = await desk.decide(q, principal, params.schoolId, params.requestId, body);
      audited(`bus_request/${params.requestId}`, { decision: body.decision, note: body.note, status: out.request.status, studentKey: out.request.studentKey, kind: out.request.kind, outcome: out.request.outcome });
      if (out.cursor !== null) afterCommit(() => records.changed(params.schoolId));
      return out;
    },
  });
}

const ReportRange = z.object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const TripParams = z.object({ schoolId: z.string().max(64), tripId: z.string().min(1).max(128) });

/** The transport manager's live view of all buses and the trip reports (list, detail, Excel). */
export function busFleetRoutes(api: StaffRouter, deps: { reports: BusReports; map: BusMapTiles | null; now: () => number }): void {
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-fleet',
    summary: "Every route's stops and each running trip's bus along it (last stop reached, fraction to the next, latest WGS-84 position), idle vehicles, and the map tiles when configured",
    scope: 'school',
    roles: BUS_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    handler: async ({ params, q }) => ({ ...withMapCoords(await fleetView(q, params.schoolId, deps.now()), deps.map), map: deps.map }),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-reports',
    summary: 'Trip reports over a date range (school dates, at most 92 days): boarded vs expected, late stops, overspeed, end-of-trip check',
    scope: 'school',
    roles: BUS_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    query: ReportRange,
    handler: async ({ params, query, q }) => ({ trips: await deps.reports.list(q, params.schoolId, query.from, query.until) }),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-reports/:tripId',
    summary: 'One trip: scheduled vs actual time at each stop, rides, refusals, overspeed, check time',
    scope: 'school',
    roles: BUS_STAFF,
    params: TripParams,
    handler: async ({ params, q }) => {
      const r = await deps.reports.trip(q, params.schoolId, params.tripId);
      if (!r) throw new HttpError(404, 'bus.error.trip_unknown');
      return { trip: r };
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/bus-report-export',
    summary: 'The trip reports of a date range as an Excel workbook (trips, stops)',
    scope: 'school',
    roles: BUS_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    query: ReportRange,
    handler: async ({ params, query, q, res }) => {
      const body = await deps.reports.export(q, params.schoolId, query.from, query.until);
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="bus-trips-${query.from}-${query.until}.xlsx"`);
      res.status(200).send(body);
    },
  });
}
