import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import { PERSON_ID_RE, encodeCredential, toCredentialMinute } from '@campus/protocol/credentials/index';
import { RecordKeySchema, VisitorPassRecordSchema } from '@campus/protocol/sync/records';
import type { Database, Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import './messages.js';

/** The cloud's pass numbers; an edge gives out its own from 1,000,000 up (access.visitorPassIds). */
export const CLOUD_PASS_IDS = { first: 1, last: 999_999 } as const;
export const MAX_VISIT_DAYS = 7;
/** Key id of the cloud's visitor-pass key: an edge trusts it as issuer-Q1.pub, restricted to visitor passes (access.keyKinds {"Q1": ["visitor"]}). */
export const CLOUD_PASS_KID = 'Q1';

const ms = z.number().int().nonnegative();
/** A person key as the edges know it (the same mapping as the edge's cloud projection: as is, or upper-cased). */
const edgePersonId = (key: string): string | null => (PERSON_ID_RE.test(key) ? key : PERSON_ID_RE.test(key.toUpperCase()) ? key.toUpperCase() : null);
export const VisitApplicationSchema = z.strictObject({
  schoolId: z.string().max(64),
  /** The teacher visited (a person of the school). */
  hostKey: RecordKeySchema,
  purpose: z.string().trim().min(1).max(100),
  from: ms,
  until: ms,
});
export const VisitDecisionSchema = z.strictObject({ approve: z.boolean(), note: z.string().trim().max(200).default('') });

export interface VisitRequest {
  id: string;
  schoolId: string;
  visitorName: string;
  hostKey: string;
  hostName: string;
  purpose: string;
  from: number;
  until: number;
  status: 'pending' | 'approved' | 'rejected';
  decidedByName: string | null;
  decisionNote: string | null;
  passNo: number | null;
  /** The signed QR text the gates verify (same codec and checks as a pass issued at the edge). */
  credential: string | null;
  createdAt: number;
}

interface Row {
  id: string;
  school_id: string;
  visitor_name: string;
  host_key: string;
  host_name: string | null;
  purpose: string;
  from_at: number;
  until_at: number;
  status: VisitRequest['status'];
  decided_by_name: string | null;
  decision_note: string | null;
  pass_no: number | null;
  credential: string | null;
  created_at: number;
}
const SELECT = `SELECT v.id, v.school_id, v.visitor_name, v.host_key, h.data->>'name' AS host_name, v.purpose, v.from_at, v.until_at, v.status, v.decided_by_name, v.decision_note, v.pass_no, v.credential, v.created_at
  FROM hs_visit_requests v LEFT JOIN records h ON h.school_id = v.school_id AND h.kind = 'person' AND h.key = v.host_key`;
const view = (x: Row): VisitRequest => ({
  id: x.id,
  schoolId: x.school_id,
  visitorName: x.visitor_name,
  hostKey: x.host_key,
  hostName: x.host_name ?? x.host_key,
  purpose: x.purpose,
  from: Number(x.from_at),
  until: Number(x.until_at),
  status: x.status,
  decidedByName: x.decided_by_name,
  decisionNote: x.decision_note,
  passNo: x.pass_no === null ? null : Number(x.pass_no),
  credential: x.credential,
  createdAt: Number(x.created_at),
});

/**
 * Entry and visit applications (入校申请/访客): a guardian applies to visit a teacher; the
 * host teacher or the office approves once. Approval writes the `visitor_pass` record
 * (change feed → every edge) and signs the pass QR with the cloud's pass key, in the
 * credential format the gates verify offline; the applicant shows it at the gate.
 */
export class VisitDesk {
  constructor(
    private readonly db: Database,
    private readonly records: RecordStore,
    private readonly now: () => number = Date.now,
  ) {}

  async apply(phone: string, input: z.infer<typeof VisitApplicationSchema>): Promise<VisitRequest> {
    const me = (await this.db.query<{ name: string }>(`SELECT data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->>'phone' = $2 LIMIT 1`, [input.schoolId, phone])).rows[0];
    // Not a person of that school and no such school look the same.
    if (!me) throw new HttpError(404, 'home.error.request_not_found');
    const host = (await this.db.query(`SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND (data->'roles' ? 'teacher' OR data->'roles' ? 'staff')`, [input.schoolId, input.hostKey])).rows[0];
    if (!host || !edgePersonId(input.hostKey)) throw new HttpError(400, 'home.error.host_unknown', { hostKey: input.hostKey });
    if (input.until <= input.from) throw new HttpError(400, 'home.error.leave_time');
    if (input.until - input.from > MAX_VISIT_DAYS * 86_400_000) throw new HttpError(400, 'home.error.visit_too_long', { days: MAX_VISIT_DAYS });
    if (input.until <= this.now()) throw new HttpError(400, 'home.error.leave_past');
    const id = newId('vr');
    await this.db.query(
      `INSERT INTO hs_visit_requests (id, school_id, applicant_phone, visitor_name, host_key, purpose, from_at, until_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)`,
      [id, input.schoolId, phone, me.name, input.hostKey, input.purpose, input.from, input.until, this.now()],
    );
    return (await this.get(this.db, input.schoolId, id))!;
  }

  async forApplicant(phone: string): Promise<VisitRequest[]> {
    const r = await this.db.query<Row>(`${SELECT} WHERE v.applicant_phone = $1 ORDER BY v.created_at DESC, v.id LIMIT 50`, [phone]);
    return r.rows.map(view);
  }

  /** Office and admin: every application of the school; a teacher: those who visit them. */
  async forStaff(q: Queryable, p: Principal, schoolId: string, status: string | undefined): Promise<VisitRequest[]> {
    const all = p.roles.includes('school_admin') || p.roles.includes('office');
    if (!all && !p.personKey) return [];
    const r = await q.query<Row>(
      `${SELECT} WHERE v.school_id = $1 AND ($2::text IS NULL OR v.status = $2) AND ($3::text IS NULL OR v.host_key = $3) ORDER BY v.from_at, v.id LIMIT 200`,
      [schoolId, status ?? null, all ? null : p.personKey],
    );
    return r.rows.map(view);
  }

  async decide(q: Queryable, p: Principal, schoolId: string, id: string, d: z.infer<typeof VisitDecisionSchema>): Promise<{ request: VisitRequest; cursor: number | null }> {
    // The school row first: pass numbers of one school are drawn one at a time.
    await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [schoolId]);
    const cur = (await q.query<Row & { applicant_phone: string }>(`${SELECT.replace('SELECT v.id', 'SELECT v.applicant_phone, v.id')} WHERE v.school_id = $1 AND v.id = $2`, [schoolId, id])).rows[0];
    if (!cur) throw new HttpError(404, 'home.error.request_not_found');
    const office = p.roles.includes('school_admin') || p.roles.includes('office');
    if (!office && p.personKey !== cur.host_key) throw new HttpError(403, 'home.error.not_host');
    if (cur.status !== 'pending') throw new HttpError(409, 'home.error.already_decided', { status: bilingual(`home.status.${cur.status}`)['zh-CN'] });
    let cursor: number | null = null;
    let passNo: number | null = null;
    let credential: string | null = null;
    if (d.approve) {
      const top = (await q.query<{ n: number | null }>('SELECT max(pass_no) AS n FROM hs_visit_requests WHERE school_id = $1', [schoolId])).rows[0]?.n;
      passNo = Number(top ?? 0) + 1;
      if (passNo > CLOUD_PASS_IDS.last) throw new HttpError(409, 'home.error.pass_ids_exhausted');
      const places = await this.places(q, schoolId);
      const key = await this.passKey(q);
      const validFrom = toCredentialMinute(Number(cur.from_at), 'floor');
      const validUntil = toCredentialMinute(Number(cur.until_at), 'ceil');
      credential = encodeCredential({ kind: 'visitor', passId: passNo, validFrom, validUntil, oneUse: false, hostPersonId: edgePersonId(cur.host_key)!, gates: places.gates, zones: places.zones }, key.privateKeyPem, key.kid);
      const record = VisitorPassRecordSchema.parse({ name: cur.visitor_name, phone: cur.applicant_phone, host: cur.host_key, validFrom, validUntil, ...(places.gates.length ? { gates: places.gates.map(String) } : {}) });
      cursor = await this.records.writeIn(q, schoolId, [{ kind: 'visitor_pass', key: String(passNo), data: record }]);
    }
    await q.query(
      `UPDATE hs_visit_requests SET status = $3, decided_by = $4, decided_by_name = $5, decided_at = $6, decision_note = $7, pass_no = $8, credential = $9 WHERE school_id = $1 AND id = $2`,
      [schoolId, id, d.approve ? 'approved' : 'rejected', p.accountId, p.displayName, this.now(), d.note, passNo, credential],
    );
    return { request: (await this.get(q, schoolId, id))!, cursor };
  }

  /** The cloud's pass key (created on first use); its public half is installed on the edges as issuer-Q1.pub. */
  async passKey(q: Queryable = this.db): Promise<{ kid: string; privateKeyPem: string; publicKeyPem: string }> {
    const read = async () => (await q.query<{ value: { kid: string; privateKeyPem: string; publicKeyPem: string } }>(`SELECT value FROM settings WHERE key = 'visitor_pass_key'`)).rows[0]?.value;
    const have = await read();
    if (have) return have;
    const { privateKey } = generateKeyPairSync('ed25519');
    const value = { kid: CLOUD_PASS_KID, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKeyPem: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString() };
    await q.query(`INSERT INTO settings (key, value) VALUES ('visitor_pass_key', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(value)]);
    return (await read())!;
  }

  /** The gates and zones (numbers, as the edges number them) a cloud pass opens; default: zone 1 (the campus). */
  async places(q: Queryable, schoolId: string): Promise<{ gates: number[]; zones: number[] }> {
    const v = (await q.query<{ value: { gates: number[]; zones: number[] } }>('SELECT value FROM settings WHERE key = $1', [`visit_places:${schoolId}`])).rows[0]?.value;
    return v ?? { gates: [], zones: [1] };
  }

  async setPlaces(q: Queryable, schoolId: string, places: { gates: number[]; zones: number[] }): Promise<void> {
    if (places.gates.length + places.zones.length === 0) throw new HttpError(400, 'home.error.no_places');
    await q.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [`visit_places:${schoolId}`, JSON.stringify(places)]);
  }

  private async get(q: Queryable, schoolId: string, id: string): Promise<VisitRequest | null> {
    const r = await q.query<Row>(`${SELECT} WHERE v.school_id = $1 AND v.id = $2`, [schoolId, id]);
    return r.rows[0] ? view(r.rows[0]) : null;
  }
}
