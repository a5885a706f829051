import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { OneTimeCodes, OTP_TTL_MS } from '../auth/one-time-codes.js';
import type { Database } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import { translate } from '@campus/protocol';
import type { GuardianAuth } from '../parent/guardian-auth.js';
import { PhoneSchema } from '@campus/protocol/phone';
import { STAFF_COOKIE, type StaffRouter } from '../staff/access.js';
import { ClassIdSchema, type StaffRole } from '../staff/roles.js';
import type { StaffAuth } from '../staff/staff-auth.js';
import type { LeaveDesk} from './leaves.js';
import { DecisionSchema, GuardianApplicationSchema, StaffRecordSchema } from './leaves.js';
import { RollCall, RollCallSchema } from './rollcall.js';
import { VisitApplicationSchema, VisitDecisionSchema, type VisitDesk } from './visits.js';
import './messages.js';

const SchoolParams = z.object({ schoolId: z.string().max(64) });
const RequestParams = SchoolParams.extend({ requestId: z.string().regex(/^lr_[A-Za-z0-9_-]{1,40}$/) });
const ClassParams = SchoolParams.extend({ classId: ClassIdSchema });
const AbsenceParams = SchoolParams.extend({ accountId: z.string().max(64) });
const ListQuery = z.object({ status: z.enum(['pending', 'approved', 'rejected', 'cancelled']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const StatsQuery = z.object({ from: z.coerce.number().int().nonnegative(), until: z.coerce.number().int().positive() });
const DeputyBody = z.strictObject({ accountId: z.string().max(64).nullable() });
const AbsenceBody = z.strictObject({ from: z.number().int().nonnegative(), until: z.number().int().nonnegative() });
const AppSignInSchema = z.strictObject({ phone: PhoneSchema, code: z.string().regex(/^\d{6}$/) });
const AppCodeSchema = z.strictObject({ phone: PhoneSchema });
const IdParams = z.object({ requestId: z.string().max(64) });
const VisitParams = SchoolParams.extend({ requestId: z.string().regex(/^vr_[A-Za-z0-9_-]{1,40}$/) });
const VisitListQuery = z.object({ status: z.enum(['pending', 'approved', 'rejected']).optional() });
const PlaceNo = z.number().int().min(1).max(255);
const PlacesBody = z.strictObject({ gates: z.array(PlaceNo).max(7).default([]), zones: z.array(PlaceNo).max(7).default([]) });

/** Who sees and records leaves: head teachers (their classes), deputies and teachers (record), office (all, record), admin. */
const LEAVE_READERS: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher', 'teacher'];
/** Who decides: the head teacher of the class, a deputy (any teacher while the head teacher is away), the admin. */
const LEAVE_DECIDERS: readonly StaffRole[] = ['school_admin', 'head_teacher', 'teacher'];
const CLASS_MANAGERS: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher'];
const STAFF_MANAGERS: readonly StaffRole[] = ['school_admin', 'office'];
/** Roll call: the head teacher of the class, any teacher taking a lesson there, the admin. */
const ROLL_TAKERS: readonly StaffRole[] = ['school_admin', 'head_teacher', 'teacher'];

export interface HomeSchoolDeps {
  db: Database;
  records: RecordStore;
  guardianAuth: GuardianAuth;
  staffAuth: StaffAuth;
  sendCode: (phone: string, text: string, code: string) => Promise<void>;
  secureCookies: boolean;
  sessionTtlMs: number;
  now: () => number;
}

/**
 * The home-school app's own API under /api/home: one sign-in for every identity of a phone
 * number (guardian session token and staff session cookie from one code), and the
 * guardian's leave applications (`/guardian/…`, bearer token of the parent app).
 */
export function homeRoutes(desk: LeaveDesk, visits: VisitDesk, deps: HomeSchoolDeps): Router {
  const r = express.Router();
  // The parent app's code table: a code from either sign-in screen works once, for every identity.
  const codes = new OneTimeCodes(deps.db, 'otp_codes', 'parent.error.too_soon', deps.now);
  const known = async (phone: string) => {
    const q = await deps.db.query<{ guardian: boolean; staff: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM records WHERE kind = 'person' AND NOT deleted AND data->>'phone' = $1) AS guardian,
              EXISTS (SELECT 1 FROM staff_accounts WHERE phone = $1 AND NOT disabled) AS staff`,
      [phone],
    );
    return q.rows[0]!;
  };

  r.post('/code', async (req, res) => {
    const { phone } = AppCodeSchema.parse(req.body);
    const k = await known(phone);
    if (k.guardian || k.staff) {
      const code = await codes.issue(phone);
      await deps.sendCode(phone, translate('zh-CN', 'notice.otp', { code, minutes: OTP_TTL_MS / 60_000 }), code);
    }
    // The same answer either way: the API does not reveal who is registered.
    res.status(202).json({ sent: true });
  });

  r.post('/session', async (req: Request, res: Response) => {
    const { phone, code } = AppSignInSchema.parse(req.body);
    const address = req.ip ?? null;
    const k = await known(phone);
    if (!(await codes.consume(phone, code))) {
      if (k.staff) await deps.staffAuth.verifiedPhoneFailed(phone, address);
      throw new HttpError(401, 'parent.signin.failed');
    }
    const guardian = k.guardian ? await deps.guardianAuth.openSession(phone) : null;
    const staff = k.staff ? await deps.staffAuth.signInVerifiedPhone(phone, address) : null;
    if (staff) res.cookie(STAFF_COOKIE, staff.token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies || req.secure, path: '/', maxAge: deps.sessionTtlMs });
    res.status(201).json({ guardian, staff: staff ? { csrfToken: staff.csrfToken, expiresAt: staff.expiresAt } : null });
  });

  const g = express.Router();
  g.use(deps.guardianAuth.middleware());
  g.get('/requests', async (_req, res) => {
    res.json({ requests: await desk.forGuardian(res.locals.phone as string) });
  });
  g.post('/requests', async (req, res) => {
    const input = GuardianApplicationSchema.parse(req.body);
    res.status(201).json(await desk.apply(res.locals.phone as string, input));
  });
  g.post('/requests/:requestId/cancel', async (req, res) => {
    const { requestId } = IdParams.parse(req.params);
    res.json(await desk.cancel(res.locals.phone as string, requestId));
  });
  g.get('/alerts', async (_req, res) => {
    res.json({ alerts: await desk.alerts('guardian', res.locals.phone as string) });
  });
  g.get('/visits', async (_req, res) => {
    res.json({ visits: await visits.forApplicant(res.locals.phone as string) });
  });
  g.post('/visits', async (req, res) => {
    res.status(201).json(await visits.apply(res.locals.phone as string, VisitApplicationSchema.parse(req.body)));
  });
  r.use('/guardian', g);
  return r;
}

/** The staff side of home-school, declared on the staff router (scope, roles, audit, access matrix). */
export function homeStaffRoutes(api: StaffRouter, desk: LeaveDesk, visits: VisitDesk, deps: Pick<HomeSchoolDeps, 'records' | 'guardianAuth' | 'now'>): void {
  api.add({
    method: 'get',
    path: '/schools/:schoolId/visit-requests',
    summary: 'Visit applications: office and admin see all, a teacher those who visit them',
    scope: 'school',
    roles: LEAVE_READERS,
    params: SchoolParams,
    query: VisitListQuery,
    handler: async ({ principal, params, query, q }) => ({ visits: await visits.forStaff(q, principal, params.schoolId, query.status) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/visit-requests/:requestId/decision',
    summary: 'Approve (visitor_pass record to the edges, signed pass QR for the applicant) or reject a visit; the host teacher or the office, once',
    scope: 'school',
    roles: LEAVE_READERS,
    audit: 'home.visit.decide',
    params: VisitParams,
    body: VisitDecisionSchema,
    handler: async ({ principal, params, body, q, afterCommit }) => {
      const out = await visits.decide(q, principal, params.schoolId, params.requestId, body);
      if (out.cursor !== null) afterCommit(() => deps.records.changed(params.schoolId));
      return { cursor: out.cursor, request: { ...out.request, credential: out.request.credential ? '[issued]' : null } };
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/visits/pass-key',
    summary: "The cloud's visitor-pass public key: install on each edge as issuer-<kid>.pub with access.keyKinds {<kid>: [\"visitor\"]}",
    scope: 'school',
    roles: ['school_admin', 'it'],
    params: SchoolParams,
    handler: async ({ q }) => {
      const k = await visits.passKey(q);
      return { kid: k.kid, publicKeyPem: k.publicKeyPem, keyKinds: { [k.kid]: ['visitor'] } };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/visits/places',
    summary: 'Gate and zone numbers (as the edges number them) a cloud visitor pass opens',
    scope: 'school',
    roles: ['school_admin', 'it'],
    audit: 'home.visit.places',
    params: SchoolParams,
    body: PlacesBody,
    handler: async ({ params, body, q }) => {
      await visits.setPlaces(q, params.schoolId, body);
      return body;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/leave-requests',
    summary: 'Leave applications of the classes the caller decides for (office: all), newest first, with the matched gate exit and return',
    scope: 'school',
    roles: LEAVE_READERS,
    params: SchoolParams,
    query: ListQuery,
    handler: async ({ principal, params, query, q }) => ({ requests: await desk.forStaff(q, principal, params.schoolId, query.status, query.limit) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/leave-requests',
    summary: 'Record a leave directly (e.g. illness in class): approved at once, its leave record goes to the edges',
    scope: 'school',
    roles: LEAVE_READERS,
    audit: 'home.leave.record',
    params: SchoolParams,
    body: StaffRecordSchema,
    status: 201,
    handler: async ({ principal, params, body, q, audited, afterCommit }) => {
      const out = await desk.record(q, principal, params.schoolId, body);
      audited(out.request.id, { studentKey: body.studentKey, kind: body.kind, from: body.from, until: body.until, reasonKind: body.reasonKind });
      afterCommit(() => deps.records.changed(params.schoolId));
      return out;
    },
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/leave-requests/:requestId/decision',
    summary: 'Approve or reject a pending application (head teacher of the class, its deputy while the head teacher is away, or the admin); decided once',
    scope: 'school',
    roles: LEAVE_DECIDERS,
    audit: 'home.leave.decide',
    params: RequestParams,
    body: DecisionSchema,
    handler: async ({ principal, params, body, q, afterCommit }) => {
      const out = await desk.decide(q, principal, params.schoolId, params.requestId, body);
      if (out.cursor !== null) afterCommit(() => deps.records.changed(params.schoolId));
      return out;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/leave-stats',
    summary: 'Approved leaves overlapping [from, until) per class and reason (head teachers: their classes)',
    scope: 'school',
    roles: ['school_admin', 'office', 'head_teacher'],
    params: SchoolParams,
    query: StatsQuery,
    handler: async ({ principal, params, query, q }) => {
      const classes = principal.roles.includes('school_admin') || principal.roles.includes('office') ? null : principal.classes;
      return { counts: await desk.stats(q, params.schoolId, classes, query.from, query.until) };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/deputy',
    summary: "Name the class's deputy (decides leaves while every head teacher of the class is marked away); null clears it",
    scope: 'class',
    roles: CLASS_MANAGERS,
    audit: 'home.deputy.set',
    params: ClassParams,
    body: DeputyBody,
    handler: async ({ params, body, q }) => {
      await desk.setDeputy(q, params.schoolId, params.classId, body.accountId);
      return { classId: params.classId, accountId: body.accountId };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/staff-absences/:accountId',
    summary: 'Mark a staff member away from `from` until `until` (until ≤ from clears it)',
    scope: 'school',
    roles: STAFF_MANAGERS,
    audit: 'home.absence.set',
    params: AbsenceParams,
    body: AbsenceBody,
    handler: async ({ params, body, q }) => {
      await desk.setAbsence(q, params.schoolId, params.accountId, body.from, body.until);
      return { accountId: params.accountId, from: body.from, until: body.until };
    },
  });
  const roll = new RollCall(deps.now);
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/roll-call',
    summary: "Today's roll of a class: each student's gate status from the uploaded events (arrived, late, absent, on leave) and the teacher's marks",
    scope: 'class',
    roles: ROLL_TAKERS,
    params: ClassParams,
    handler: ({ params, q }) => roll.list(q, params.schoolId, params.classId),
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/roll-call',
    summary: 'Mark who is in the room (the listed students present, the others not); gate and room mismatches are flagged to the head teachers at once',
    scope: 'class',
    roles: ROLL_TAKERS,
    audit: 'home.rollcall.mark',
    params: ClassParams,
    body: RollCallSchema,
    handler: ({ principal, params, body, q }) => roll.mark(q, principal, params.schoolId, params.classId, body.present),
  });
  api.add({
    method: 'get',
    path: '/home/alerts',
    summary: "The signed-in staff member's home-school alerts (a child not back when the leave ended), newest first",
    scope: 'self',
    handler: async ({ principal }) => ({ alerts: await desk.alerts('staff', principal.accountId) }),
  });
  api.add({
    method: 'post',
    path: '/home/guardian-session',
    summary: "Switch to the guardian role without signing in again: a parent-app session for the phone of the account's person, when that person is a guardian",
    scope: 'self',
    audit: 'home.guardian_session',
    status: 201,
    handler: async ({ principal, q, audited }) => {
      const r = await q.query<{ phone: string | null }>(
        `SELECT p.data->>'phone' AS phone FROM staff_accounts a JOIN records p ON p.school_id = a.school_id AND p.kind = 'person' AND p.key = a.person_key AND NOT p.deleted
         WHERE a.id = $1 AND EXISTS (SELECT 1 FROM records g WHERE g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key)`,
        [principal.accountId],
      );
      const phone = r.rows[0]?.phone;
      if (!phone) throw new HttpError(404, 'home.error.no_guardian');
      audited(principal.accountId, {});
      return deps.guardianAuth.openSession(phone, q);
    },
  });
}
