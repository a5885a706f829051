import { z } from 'zod';
import { BUS_RECORD_KINDS } from '@campus/protocol/bus/records';
import { RECORD_KINDS, RECORD_SCHEMAS, RecordKeySchema, type RecordKind } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { StaffRouter } from './access.js';
import type { StaffRole } from './roles.js';
import { withoutCodeKey } from '../bus/pickup-codes.js';

/** Health records are written by the app's declarations and the health policy route, never edited as roster. */
const HEALTH_KINDS = ['health_declaration', 'health_policy'] as const;
type NotRoster = 'usb_policy' | (typeof BUS_RECORD_KINDS)[number] | (typeof HEALTH_KINDS)[number];
/** What the school office keeps in the console; USB policies are IT's, the bus model the transport manager's. */
export const ROSTER_KINDS = RECORD_KINDS.filter((k) => k !== 'usb_policy' && !(BUS_RECORD_KINDS as readonly string[]).includes(k) && !(HEALTH_KINDS as readonly string[]).includes(k)) as Exclude<RecordKind, NotRoster>[];
const ROSTER_STAFF: readonly StaffRole[] = ['school_admin', 'office'];
const USB_STAFF: readonly StaffRole[] = ['school_admin', 'it'];

const SchoolParams = z.object({ schoolId: z.string().max(64) });
const RosterListParams = SchoolParams.extend({ kind: z.enum(ROSTER_KINDS) });
const RosterParams = RosterListParams.extend({ key: RecordKeySchema });
const UsbParams = SchoolParams.extend({ key: RecordKeySchema });
const ListQuery = z.object({ after: z.string().max(128).default(''), limit: z.coerce.number().int().min(1).max(1000).default(200) });
/** `version`: the version the editor saw (null = the record must not exist yet). */
const PutBody = z.strictObject({ data: z.record(z.string(), z.unknown()), version: z.number().int().positive().nullable() });
const DeleteQuery = z.object({ version: z.coerce.number().int().positive() });

export interface VersionedRecord {
  key: string;
  data: Record<string, unknown>;
  /** The record's feed seq: it changes with every write, so it is the record's version. */
  version: number;
  changedAt: number;
}

/** Versioned reads and writes of cloud-owned records (shared by the roster, USB and bus routes). */
export function versionedRecords(records: RecordStore) {
  const current = async (q: Queryable, schoolId: string, kind: RecordKind, key: string, lock: boolean): Promise<VersionedRecord | null> => {
    const r = await q.query<{ data: Record<string, unknown>; seq: number; changed_at: number }>(
      `SELECT data, seq, changed_at FROM records WHERE school_id = $1 AND kind = $2 AND key = $3 AND NOT deleted${lock ? ' FOR UPDATE' : ''}`,
      [schoolId, kind, key],
    );
    const x = r.rows[0];
    // A pickup person's code key stays with the cloud and the boxes: staff never read it.
    return x ? withoutCodeKey(kind, { key, data: x.data, version: x.seq, changedAt: x.changed_at }) : null;
  };
  const list = async (q: Queryable, schoolId: string, kind: RecordKind, after: string, limit: number) => {
    const r = await q.query<{ key: string; data: Record<string, unknown>; seq: number; changed_at: number }>(
      'SELECT key, data, seq, changed_at FROM records WHERE school_id = $1 AND kind = $2 AND NOT deleted AND key > $3 ORDER BY key LIMIT $4',
      [schoolId, kind, after, limit],
    );
    const items = r.rows.map((x) => withoutCodeKey(kind, { key: x.key, data: x.data, version: x.seq, changedAt: x.changed_at }));
    return { records: items, next: items.length === limit ? items.at(-1)!.key : null };
  };
  const conflict = (yours: number | null, now: VersionedRecord | null) =>
    new HttpError(409, 'staff.error.conflict', { yours: yours ?? 0, current: now?.version ?? 0 }, undefined, { current: now });

  const put = async (q: Queryable, schoolId: string, kind: RecordKind, key: string, body: z.infer<typeof PutBody>) => {
    // The school row first: concurrent writes of one school queue here, so two creations of one key cannot both pass.
    await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [schoolId]);
    const now = await current(q, schoolId, kind, key, true);
    if ((now?.version ?? null) !== body.version) throw conflict(body.version, now);
    const cursor = await records.writeIn(q, schoolId, [{ kind, key, data: body.data }]);
    return { cursor, record: (await current(q, schoolId, kind, key, false))!, before: now };
  };
  const remove = async (q: Queryable, schoolId: string, kind: RecordKind, key: string, version: number) => {
    await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [schoolId]);
    const now = await current(q, schoolId, kind, key, true);
    if (!now) throw new HttpError(404, 'staff.error.not_found');
    if (now.version !== version) throw conflict(version, now);
    return { cursor: await records.writeIn(q, schoolId, [{ kind, key, delete: true }]) };
  };
  return { current, list, conflict, put, remove };
}
export type VersionedRecords = ReturnType<typeof versionedRecords>;
export const PutRecordBody = PutBody;
export const DeleteRecordQuery = DeleteQuery;
export const RecordListQuery = ListQuery;

/**
 * A timetable names a grade of the school (some person's class id starts with it: a typo
 * would set nobody's hours) and is the only one for its grade and weekday. Checked under
 * the school row's lock `put` takes, so two admins cannot both create one slot.
 */
async function checkTimetable(q: Queryable, schoolId: string, key: string, data: unknown): Promise<void> {
  const parsed = RECORD_SCHEMAS.timetable.safeParse(data);
  if (!parsed.success) return; // the feed's write refuses it with the schema's words
  const t = parsed.data;
  const grade = await q.query(
    `SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND (data->>'classId' = $2 OR left(data->>'classId', length($2) + 1) = $2 || '-') LIMIT 1`,
    [schoolId, t.grade],
  );
  if (!grade.rows.length) throw new HttpError(400, 'staff.error.grade_unknown', { grade: t.grade });
  const same = await q.query<{ key: string }>(
    `SELECT key FROM records WHERE school_id = $1 AND kind = 'timetable' AND NOT deleted AND key <> $2 AND data->>'grade' = $3 AND coalesce(data->>'weekday', '') = $4 LIMIT 1`,
    [schoolId, key, t.grade, t.weekday === null ? '' : String(t.weekday)],
  );
  if (same.rows[0]) throw new HttpError(400, 'staff.error.timetable_taken', { grade: t.grade, key: same.rows[0].key });
}

/**
 * Cloud-owned records edited in the console: people, guardianships, cards, leaves,
 * visitor passes, calendar days (school admin and office) and USB policies (school admin
 * and IT). Every write names the version it was based on; the later of two concurrent
 * edits is refused with 409 and the record as it now is, never silently lost. Writes go
 * to the change feed in the same transaction as their audit row and return the feed
 * cursor, which `/schools/:schoolId/edges` compares with what each edge has applied.
 */
export function recordRoutes(api: StaffRouter, records: RecordStore): void {
  const { list, current, put, remove } = versionedRecords(records);

  api.add({
    method: 'get',
    path: '/schools/:schoolId/roster/:kind',
    summary: 'Records of one kind (person, guardianship, card, leave, visitor_pass, calendar, timetable), by key, with versions',
    scope: 'school',
    roles: ROSTER_STAFF,
    params: RosterListParams,
    query: ListQuery,
    handler: ({ params, query, q }) => list(q, params.schoolId, params.kind, query.after, query.limit),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/roster/:kind/:key',
    summary: 'One record with its version',
    scope: 'school',
    roles: ROSTER_STAFF,
    params: RosterParams,
    handler: async ({ params, q }) => {
      const r = await current(q, params.schoolId, params.kind, params.key, false);
      if (!r) throw new HttpError(404, 'staff.error.not_found');
      return r;
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/roster/:kind/:key',
    summary: 'Create (version null) or change (version = the one read) a record; 409 with the current record when someone changed it meanwhile',
    scope: 'school',
    roles: ROSTER_STAFF,
    audit: 'record.put',
    params: RosterParams,
    body: PutBody,
    handler: async ({ params, body, q, audited, afterCommit }) => {
      if (params.kind === 'timetable') {
        await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [params.schoolId]);
        await checkTimetable(q, params.schoolId, params.key, body.data);
      }
      const out = await put(q, params.schoolId, params.kind, params.key, body);
      audited(`${params.kind}/${params.key}`, { kind: params.kind, key: params.key, from: out.before?.version ?? null, to: out.record.version, fields: Object.keys(body.data) });
      afterCommit(() => records.changed(params.schoolId));
      return { cursor: out.cursor, record: out.record };
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/roster/:kind/:key',
    summary: 'Delete a record (a tombstone in the feed); `?version=` must be the current one',
    scope: 'school',
    roles: ROSTER_STAFF,
    audit: 'record.delete',
    params: RosterParams,
    query: DeleteQuery,
    handler: async ({ params, query, q, audited, afterCommit }) => {
      const out = await remove(q, params.schoolId, params.kind, params.key, query.version);
      audited(`${params.kind}/${params.key}`, { kind: params.kind, key: params.key, version: query.version });
      afterCommit(() => records.changed(params.schoolId));
      return out;
    },
  });

  api.add({
    method: 'get',
    path: '/schools/:schoolId/usb-policies',
    summary: 'USB policies with versions',
    scope: 'school',
    roles: USB_STAFF,
    params: SchoolParams,
    query: ListQuery,
    handler: ({ params, query, q }) => list(q, params.schoolId, 'usb_policy', query.after, query.limit),
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/usb-policies/:key',
    summary: 'Create (version null) or change a USB policy; 409 with the current one when changed meanwhile',
    scope: 'school',
    roles: USB_STAFF,
    audit: 'record.put',
    params: UsbParams,
    body: PutBody,
    handler: async ({ params, body, q, audited, afterCommit }) => {
      const out = await put(q, params.schoolId, 'usb_policy', params.key, body);
      audited(`usb_policy/${params.key}`, { kind: 'usb_policy', key: params.key, from: out.before?.version ?? null, to: out.record.version, fields: Object.keys(body.data) });
      afterCommit(() => records.changed(params.schoolId));
      return { cursor: out.cursor, record: out.record };
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/usb-policies/:key',
    summary: 'Delete a USB policy; `?version=` must be the current one',
    scope: 'school',
    roles: USB_STAFF,
    audit: 'record.delete',
    params: UsbParams,
    query: DeleteQuery,
    handler: async ({ params, query, q, audited, afterCommit }) => {
      const out = await remove(q, params.schoolId, 'usb_policy', params.key, query.version);
      audited(`usb_policy/${params.key}`, { kind: 'usb_policy', key: params.key, version: query.version });
      afterCommit(() => records.changed(params.schoolId));
      return out;
    },
  });
}
