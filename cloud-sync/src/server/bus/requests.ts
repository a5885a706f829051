import { z } from 'zod';
import { BUS_DIRECTIONS } from '@campus/protocol/bus/api';
import { BUS_RECORD_SCHEMAS } from '@campus/protocol/bus/records';
import { PhoneSchema } from '@campus/protocol/phone';
import type { Database, Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import './messages.js';

/**
 * A guardian's bus requests (校车申请) and the transport manager's decisions. A guardian
 * asks, for their own child only, for a stop (or a stop change) in one direction from a
 * date, or names a person who may collect the child (name, phone, relation, photo). The
 * transport manager accepts (the cloud writes the bus_assignment / bus_stop_change /
 * pickup_person record through the change feed to the bus boxes), accepts with changes
 * (another stop or date, with a reason) or rejects (with a reason). Decided once; every
 * decision is audited by the staff router.
 */

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date YYYY-MM-DD');
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);
const key = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
/** Photos travel as data URLs from the phone's camera or album, shrunk by the app (a face at 320 px is ~20 KB JPEG); at most 40 KB decoded, inside the parent API's 64 KB body. */
export const MAX_PHOTO_BYTES = 40 * 1024;
const PHOTO_URL = /^data:(image\/(?:jpeg|png|webp));base64,([A-Za-z0-9+/]+={0,2})$/;
export const MAX_PENDING_PER_CHILD = 10;

const Common = { schoolId: z.string().min(1).max(64), studentKey: key, note: z.string().trim().max(200).default('') };
export const BusStopRequestSchema = z.strictObject({
  kind: z.literal('stop'),
  ...Common,
  direction: z.enum(BUS_DIRECTIONS),
  from: date.describe('First school day it applies'),
  /** Only that day (a bus_stop_change) instead of from that day on (a bus_assignment). */
  oneDay: z.boolean().default(false),
  routeId: id,
  stopId: id,
});
export const BusPickupRequestSchema = z.strictObject({
  kind: z.literal('pickup_person'),
  ...Common,
  name: z.string().trim().min(1).max(64),
  relation: z.string().trim().min(1).max(32),
  phone: PhoneSchema.optional(),
  photo: z.string().max(64 * 1024).optional().describe('data:image/jpeg;base64,…'),
});
export const BusRequestSchema = z.discriminatedUnion('kind', [BusStopRequestSchema, BusPickupRequestSchema]);
export type BusRequestInput = z.infer<typeof BusRequestSchema>;

export const BusDecisionSchema = z.strictObject({
  decision: z.enum(['accept', 'change', 'reject']),
  /** Why (required to change or reject); shown to the guardian. */
  note: z.string().trim().max(200).default(''),
  /** A change: the stop (and route, date) the manager gives instead. */
  routeId: id.optional(),
  stopId: id.optional(),
  from: date.optional(),
});
export type BusDecision = z.infer<typeof BusDecisionSchema>;

export const BUS_REQUEST_STATUSES = ['pending', 'accepted', 'changed', 'rejected', 'cancelled'] as const;
export type BusRequestStatus = (typeof BUS_REQUEST_STATUSES)[number];

export interface BusRequestView {
  id: string;
  schoolId: string;
  studentKey: string;
  studentName: string;
  kind: 'stop' | 'pickup_person';
  applicantName: string;
  /** stop: direction, from, oneDay, routeId, stopId (+ names); pickup_person: name, relation, phone, photoId. */
  detail: Record<string, unknown>;
  note: string;
  status: BusRequestStatus;
  decidedByName: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
  /** The record the decision wrote (kind, key) and, for a stop, where the child now rides. */
  outcome: { kind: string; key: string; routeId?: string; routeName?: string; stopId?: string; stopName?: string; from?: string; direction?: string } | null;
  createdAt: number;
}

interface Row {
  id: string;
  school_id: string;
  student_key: string;
  student_name: string | null;
  kind: 'stop' | 'pickup_person';
  applicant_phone: string;
  applicant_name: string;
  detail: Record<string, unknown>;
  note: string;
  status: BusRequestStatus;
  decided_by_name: string | null;
  decided_at: number | null;
  decision_note: string | null;
  outcome: BusRequestView['outcome'];
  created_at: number;
}
const SELECT = `SELECT r.id, r.school_id, r.student_key, s.data->>'name' AS student_name, r.kind, r.applicant_phone, r.applicant_name, r.detail, r.note, r.status,
  r.decided_by_name, r.decided_at, r.decision_note, r.outcome, r.created_at
  FROM bus_requests r LEFT JOIN records s ON s.school_id = r.school_id AND s.kind = 'person' AND s.key = r.student_key AND NOT s.deleted`;
const view = (x: Row): BusRequestView => ({
  id: x.id,
  schoolId: x.school_id,
  studentKey: x.student_key,
  studentName: x.student_name ?? x.student_key,
  kind: x.kind,
  applicantName: x.applicant_name,
  detail: x.detail,
  note: x.note,
  status: x.status,
  decidedByName: x.decided_by_name,
  decidedAt: x.decided_at === null ? null : Number(x.decided_at),
  decisionNote: x.decision_note,
  outcome: x.outcome,
  createdAt: Number(x.created_at),
});

const localDate = (at: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** A photo's bytes from its data URL, checked by its first bytes (not by what it claims to be). */
export function parsePhoto(dataUrl: string): { mime: string; bytes: Buffer } {
  const m = PHOTO_URL.exec(dataUrl);
  if (!m) throw new HttpError(400, 'bus.error.photo_format');
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length > MAX_PHOTO_BYTES) throw new HttpError(400, 'bus.error.photo_size', { kb: MAX_PHOTO_BYTES / 1024 });
  const jpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const webp = bytes.length > 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
  const mime = jpeg ? 'image/jpeg' : png ? 'image/png' : webp ? 'image/webp' : null;
  if (!mime) throw new HttpError(400, 'bus.error.photo_format');
  return { mime, bytes };
}

type RouteData = { name: string; stops: { id: string; name: string; morningAt?: string; afternoonAt?: string; depot?: boolean }[] };

export class BusRequestDesk {
  constructor(
    private readonly db: Database,
    private readonly records: RecordStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The guardian's person in that school, when the phone is a guardian of that child; else null (no child and not yours look the same). */
  private async guardianOf(q: Queryable, phone: string, schoolId: string, studentKey: string): Promise<{ key: string; name: string } | null> {
    const r = await q.query<{ key: string; name: string }>(
      `SELECT p.key, p.data->>'name' AS name FROM records p
       JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
       JOIN records s ON s.school_id = p.school_id AND s.kind = 'person' AND s.key = g.data->>'studentId' AND NOT s.deleted
       WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = $2 AND s.key = $3 LIMIT 1`,
      [phone, schoolId, studentKey],
    );
    return r.rows[0] ?? null;
  }

  private async route(q: Queryable, schoolId: string, routeId: string): Promise<RouteData | null> {
    return (await q.query<{ data: RouteData }>(`SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_route' AND key = $2 AND NOT deleted`, [schoolId, routeId])).rows[0]?.data ?? null;
  }

  private async stopOf(q: Queryable, schoolId: string, routeId: string, stopId: string): Promise<{ routeName: string; stopName: string }> {
    const route = await this.route(q, schoolId, routeId);
    if (!route) throw new HttpError(400, 'bus.error.unknown_route', { routeId });
    const stop = route.stops.find((s) => s.id === stopId);
    if (!stop) throw new HttpError(400, 'bus.error.unknown_stop', { routeId, stopId });
    if (stop.depot) throw new HttpError(400, 'bus.error.depot_stop', { stop: stop.name });
    return { routeName: route.name, stopName: stop.name };
  }

  private async today(q: Queryable, schoolId: string): Promise<string> {
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    return localDate(this.now(), tz);
  }

  /** What the guardian may choose from: the school's routes and their stops (names and times, no positions), and the child's current stops. */
  async options(phone: string, schoolId: string, studentKey: string): Promise<{ routes: { id: string; name: string; stops: { id: string; name: string; morningAt: string | null; afternoonAt: string | null }[] }[]; current: { direction: string; routeId: string; stopId: string; from: string }[] }> {
    if (!(await this.guardianOf(this.db, phone, schoolId, studentKey))) throw new HttpError(404, 'bus.error.not_your_child');
    const routes = await this.db.query<{ key: string; data: RouteData }>(`SELECT key, data FROM records WHERE school_id = $1 AND kind = 'bus_route' AND NOT deleted ORDER BY key`, [schoolId]);
    const today = await this.today(this.db, schoolId);
    const current: { direction: string; routeId: string; stopId: string; from: string }[] = [];
    for (const direction of BUS_DIRECTIONS) {
      const a = await this.db.query<{ data: { routeId: string; stopId: string; from: string } }>(
        `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_assignment' AND NOT deleted AND data->>'personId' = $2 AND data->>'direction' = $3 AND data->>'from' <= $4 ORDER BY data->>'from' DESC LIMIT 1`,
        [schoolId, studentKey, direction, today],
      );
      if (a.rows[0]) current.push({ direction, routeId: a.rows[0].data.routeId, stopId: a.rows[0].data.stopId, from: a.rows[0].data.from });
    }
    return {
      routes: routes.rows.map((r) => ({
        id: r.key,
        name: r.data.name,
        stops: r.data.stops.filter((s) => !s.depot).map((s) => ({ id: s.id, name: s.name, morningAt: s.morningAt ?? null, afternoonAt: s.afternoonAt ?? null })),
      })),
      current,
    };
  }

  async apply(phone: string, input: BusRequestInput): Promise<BusRequestView> {
    return this.db.transaction(async (q) => {
      const me = await this.guardianOf(q, phone, input.schoolId, input.studentKey);
      if (!me) throw new HttpError(404, 'bus.error.not_your_child');
      // One guardian at a time per child: the pending count below is then exact.
      await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [input.schoolId]);
      const pending = (await q.query<{ n: string }>(`SELECT count(*) AS n FROM bus_requests WHERE school_id = $1 AND student_key = $2 AND status = 'pending'`, [input.schoolId, input.studentKey])).rows[0]!;
      if (Number(pending.n) >= MAX_PENDING_PER_CHILD) throw new HttpError(409, 'bus.error.too_many_pending', { max: MAX_PENDING_PER_CHILD });
      const rid = newId('br');
      let detail: Record<string, unknown>;
      if (input.kind === 'stop') {
        const names = await this.stopOf(q, input.schoolId, input.routeId, input.stopId);
        if (input.from < (await this.today(q, input.schoolId))) throw new HttpError(400, 'bus.error.date_past', { date: input.from });
        detail = { direction: input.direction, from: input.from, oneDay: input.oneDay, routeId: input.routeId, stopId: input.stopId, ...names };
      } else {
        let photoId: string | null = null;
        if (input.photo) {
          const p = parsePhoto(input.photo);
          photoId = newId('bp');
          await q.query('INSERT INTO bus_photos (school_id, id, mime, data_b64, created_at) VALUES ($1, $2, $3, $4, $5)', [input.schoolId, photoId, p.mime, p.bytes.toString('base64'), this.now()]);
        }
        detail = { name: input.name, relation: input.relation, phone: input.phone ?? null, photoId };
      }
      await q.query(
        `INSERT INTO bus_requests (id, school_id, student_key, kind, applicant_phone, applicant_key, applicant_name, detail, note, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)`,
        [rid, input.schoolId, input.studentKey, input.kind, phone, me.key, me.name, JSON.stringify(detail), input.note, this.now()],
      );
      return (await this.get(q, input.schoolId, rid))!;
    });
  }

  /** A guardian's requests for all their children, newest first (their own and the other guardians' of the same child). */
  async forGuardian(phone: string): Promise<BusRequestView[]> {
    const r = await this.db.query<Row>(
      `${SELECT} WHERE EXISTS (SELECT 1 FROM records p JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
         WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = r.school_id AND g.data->>'studentId' = r.student_key)
       ORDER BY r.created_at DESC, r.id LIMIT 100`,
      [phone],
    );
    return r.rows.map(view);
  }

  async cancel(phone: string, requestId: string): Promise<BusRequestView> {
    return this.db.transaction(async (q) => {
      const cur = (await q.query<Row>(`${SELECT} WHERE r.id = $1 FOR UPDATE OF r`, [requestId])).rows[0];
      if (!cur || cur.applicant_phone !== phone) throw new HttpError(404, 'bus.error.request_not_found');
      if (cur.status !== 'pending') throw new HttpError(409, 'bus.error.already_decided', { status: cur.status });
      await q.query(`UPDATE bus_requests SET status = 'cancelled', decided_at = $2 WHERE id = $1`, [requestId, this.now()]);
      return (await this.get(q, cur.school_id, requestId))!;
    });
  }

  async forStaff(q: Queryable, schoolId: string, status: BusRequestStatus | undefined): Promise<BusRequestView[]> {
    const r = await q.query<Row>(`${SELECT} WHERE r.school_id = $1 AND ($2::text IS NULL OR r.status = $2) ORDER BY (r.status = 'pending') DESC, r.created_at DESC, r.id LIMIT 500`, [schoolId, status ?? null]);
    return r.rows.map(view);
  }

  async photo(q: Queryable, schoolId: string, photoId: string): Promise<{ mime: string; data: string } | null> {
    const r = await q.query<{ mime: string; data_b64: string }>('SELECT mime, data_b64 FROM bus_photos WHERE school_id = $1 AND id = $2', [schoolId, photoId]);
    return r.rows[0] ? { mime: r.rows[0].mime, data: r.rows[0].data_b64 } : null;
  }

  /**
   * Decides a pending request once, in the staff write's transaction: accept or change
   * writes the record (change feed → bus boxes) and remembers which; reject writes nothing.
   */
  async decide(q: Queryable, p: Principal, schoolId: string, requestId: string, d: BusDecision): Promise<{ request: BusRequestView; cursor: number | null }> {
    await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [schoolId]);
    const cur = (await q.query<Row & { applicant_key: string | null }>(`${SELECT.replace('SELECT r.id', 'SELECT r.applicant_key, r.id')} WHERE r.school_id = $1 AND r.id = $2`, [schoolId, requestId])).rows[0];
    if (!cur) throw new HttpError(404, 'bus.error.request_not_found');
    if (cur.status !== 'pending') throw new HttpError(409, 'bus.error.already_decided', { status: cur.status });
    if (d.decision !== 'accept' && d.note.length < 2) throw new HttpError(400, 'bus.error.reason_required');
    const student = (await q.query(`SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->'roles' ? 'student'`, [schoolId, cur.student_key])).rows[0];
    if (!student && d.decision !== 'reject') throw new HttpError(409, 'bus.error.unknown_student', { personId: cur.student_key });
    let cursor: number | null = null;
    let outcome: BusRequestView['outcome'] = null;
    if (d.decision !== 'reject') {
      if (cur.kind === 'stop') {
        const det = cur.detail as { direction: (typeof BUS_DIRECTIONS)[number]; from: string; oneDay: boolean; routeId: string; stopId: string };
        if (d.decision === 'change' && !d.stopId && !d.routeId && !d.from) throw new HttpError(400, 'bus.error.change_nothing');
        const routeId = d.routeId ?? det.routeId;
        const stopId = d.stopId ?? det.stopId;
        const from = d.from ?? det.from;
        const names = await this.stopOf(q, schoolId, routeId, stopId);
        if (from < (await this.today(q, schoolId))) throw new HttpError(400, 'bus.error.date_past', { date: from });
        let kind: 'bus_assignment' | 'bus_stop_change';
        let recKey: string;
        let data: Record<string, unknown>;
        if (det.oneDay) {
          kind = 'bus_stop_change';
          recKey = `${cur.student_key}.${det.direction}.${from}`;
          data = BUS_RECORD_SCHEMAS.bus_stop_change.parse({ personId: cur.student_key, date: from, direction: det.direction, routeId, stopId });
        } else {
          // The handover flag of the child's assignment in force carries over to the new one.
          const prev = (await q.query<{ data: { handover?: boolean } }>(
            `SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_assignment' AND NOT deleted AND data->>'personId' = $2 AND data->>'direction' = $3 AND data->>'from' <= $4 ORDER BY data->>'from' DESC LIMIT 1`,
            [schoolId, cur.student_key, det.direction, from],
          )).rows[0];
          kind = 'bus_assignment';
          recKey = `${cur.student_key}.${det.direction}.${from}`;
          data = BUS_RECORD_SCHEMAS.bus_assignment.parse({ personId: cur.student_key, routeId, stopId, direction: det.direction, from, handover: prev?.data.handover ?? false });
        }
        cursor = await this.records.writeIn(q, schoolId, [{ kind, key: recKey, data }]);
        outcome = { kind, key: recKey, routeId, routeName: names.routeName, stopId, stopName: names.stopName, from, direction: det.direction };
      } else {
        if (d.decision === 'change') throw new HttpError(400, 'bus.error.change_pickup');
        const det = cur.detail as { name: string; relation: string; phone: string | null; photoId: string | null };
        const recKey = `${cur.student_key}.${requestId.slice(3)}`;
        const data = BUS_RECORD_SCHEMAS.pickup_person.parse({
          studentId: cur.student_key,
          name: det.name,
          relation: det.relation,
          ...(det.phone ? { phone: det.phone } : {}),
          ...(det.photoId ? { photoId: det.photoId } : {}),
          validFrom: this.now(),
          ...(cur.applicant_key ? { authorizedBy: cur.applicant_key } : {}),
        });
        cursor = await this.records.writeIn(q, schoolId, [{ kind: 'pickup_person', key: recKey, data }]);
        outcome = { kind: 'pickup_person', key: recKey };
      }
    }
    const status: BusRequestStatus = d.decision === 'accept' ? 'accepted' : d.decision === 'change' ? 'changed' : 'rejected';
    await q.query(
      `UPDATE bus_requests SET status = $3, decided_by = $4, decided_by_name = $5, decided_at = $6, decision_note = $7, outcome = $8 WHERE school_id = $1 AND id = $2`,
      [schoolId, requestId, status, p.accountId, p.displayName, this.now(), d.note, outcome === null ? null : JSON.stringify(outcome)],
    );
    return { request: (await this.get(q, schoolId, requestId))!, cursor };
  }

  private async get(q: Queryable, schoolId: string, rid: string): Promise<BusRequestView | null> {
    const r = await q.query<Row>(`${SELECT} WHERE r.school_id = $1 AND r.id = $2`, [schoolId, rid]);
    return r.rows[0] ? view(r.rows[0]) : null;
  }
}

export const BUS_REQUEST_MIGRATION = {
  id: 16,
  name: 'school bus: guardians’ stop and pickup-person requests, their photos',
  sql: `
CREATE TABLE bus_requests (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  student_key text NOT NULL,
  -- stop | pickup_person
  kind text NOT NULL,
  applicant_phone text NOT NULL,
  applicant_key text,
  applicant_name text NOT NULL,
  detail jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  -- pending | accepted | changed | rejected | cancelled
  status text NOT NULL,
  decided_by text,
  decided_by_name text,
  decided_at bigint,
  decision_note text,
  -- The record an acceptance wrote (kind, key, where the child rides now).
  outcome jsonb,
  created_at bigint NOT NULL
);
CREATE INDEX bus_requests_school ON bus_requests (school_id, status, created_at DESC);
CREATE INDEX bus_requests_student ON bus_requests (school_id, student_key, status);
-- Pickup persons' photos (a face: read by the transport manager and shown to the attendant at the handover).
CREATE TABLE bus_photos (
  school_id text NOT NULL REFERENCES schools(id),
  id text NOT NULL,
  mime text NOT NULL,
  data_b64 text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (school_id, id)
);
`,
};
