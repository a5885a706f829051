import type { Request, Response } from 'express';
import { z } from 'zod';
import { PhoneSchema } from '@campus/protocol/phone';
import { LeaveRecordSchema, RecordKeySchema } from '@campus/protocol/sync/records';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { Queryable } from '../db/database.js';
import { liveTopic, type LiveHub } from '../live/hub.js';
import { streamLive } from '../live/sse.js';
import { AccountInputSchema, AccountPatchSchema, PasswordSchema, UsernameSchema, type AccountHome, type StaffAccounts } from './accounts.js';
import { STAFF_COOKIE, type StaffRouter } from './access.js';
import type { StaffAudit } from './audit.js';
import { verifyPassword } from './passwords.js';
import { ClassIdSchema, type StaffRole } from './roles.js';
import type { IssuedSession, Principal, StaffAuth } from './staff-auth.js';

export const StaffSignInSchema = z.union([
  z.strictObject({ username: UsernameSchema, password: z.string().min(1).max(256) }),
  z.strictObject({ phone: PhoneSchema, code: z.string().regex(/^\d{6}$/) }),
]);
const CodeRequestSchema = z.strictObject({ phone: PhoneSchema });
const OwnPasswordSchema = z.strictObject({ currentPassword: z.string().max(256).optional(), newPassword: PasswordSchema });
const ResetPasswordSchema = z.strictObject({ password: PasswordSchema });
const AccountParams = z.object({ accountId: z.string().max(64) });
const ClassParams = z.object({ schoolId: z.string().max(64), classId: ClassIdSchema });
const LeaveParams = ClassParams.extend({ leaveKey: RecordKeySchema });
const LeaveBodySchema = z.strictObject({ personId: RecordKeySchema, from: z.number().int().nonnegative(), until: z.number().int().nonnegative(), reason: z.string().max(200).optional() });
const AuditQuerySchema = z.object({
  before: z.coerce.number().int().positive().default(Number.MAX_SAFE_INTEGER),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().max(64).optional(),
  actorId: z.string().max(64).optional(),
});

/** Account admins of the account's own home: a school's admin, or a district's admin. */
const ACCOUNT_ADMINS: readonly StaffRole[] = ['school_admin', 'district_admin'];
/** Who sees a school's edges (no personal data): the school's admin and IT, the district. */
const EDGE_WATCHERS: readonly StaffRole[] = ['school_admin', 'it', 'district_admin', 'district_viewer'];
/** Who handles a class's roster and leaves: the school's admin and office, and the class's head teacher. */
const CLASS_STAFF: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher'];

export interface StaffRouteDeps {
  auth: StaffAuth;
  accounts: StaffAccounts;
  audit: StaffAudit;
  records: RecordStore;
  secureCookies: boolean;
  sessionTtlMs: number;
  /** Live views across cloud processes (the edge-health stream). */
  live: LiveHub;
}

/** A school's edges as the console's edge-health view shows them (GET and its live stream). */
export async function edgeHealth(q: Queryable, schoolId: string) {
  const r = await q.query<{
    id: string; name: string; campus: string | null; site: string | null; disabled: boolean; last_seen_at: number | null; feed_cursor: number; feed_cursor_at: number | null;
    report_backlog: number | null; report_clock_trusted: boolean | null; report_version: string | null; report_at: number | null;
  }>(
    `SELECT e.id, e.name, c.name AS campus, c.site, e.disabled, e.last_seen_at, e.feed_cursor, e.feed_cursor_at, e.report_backlog, e.report_clock_trusted, e.report_version, e.report_at
     FROM edges e LEFT JOIN campuses c ON c.id = e.campus_id
     WHERE e.school_id = $1 ORDER BY e.created_at, e.id`,
    [schoolId],
  );
  const schoolCursor = (await q.query<{ change_seq: number }>('SELECT change_seq FROM schools WHERE id = $1', [schoolId])).rows[0]?.change_seq ?? 0;
  return {
    cursor: schoolCursor,
    edges: r.rows.map((e) => ({
      id: e.id,
      name: e.name,
      campus: e.campus,
      site: e.site,
      disabled: e.disabled,
      lastSeenAt: e.last_seen_at,
      applied: { cursor: e.feed_cursor, at: e.feed_cursor_at, behind: Math.max(0, schoolCursor - e.feed_cursor) },
      // What the edge last said of itself on a feed request (null until an edge that reports has asked).
      status: e.report_at === null ? null : { backlog: e.report_backlog, clockTrusted: e.report_clock_trusted, version: e.report_version, at: e.report_at },
    })),
  };
}

const homeOf = (p: Principal): AccountHome => (p.schoolId ? { schoolId: p.schoolId } : { districtId: p.districtId! });

/** The staff API under /api/staff: session, accounts, audit, and the first class-scoped school routes. */
export function staffRoutes(api: StaffRouter, deps: StaffRouteDeps): void {
  const { auth, accounts, audit, records } = deps;

  const me = async (q: Queryable, accountId: string, home: AccountHome, csrfToken: string) => {
    const account = await accounts.require(q, home, accountId);
    const schools = await q.query<{ id: string; name: string; timezone: string }>(
      `SELECT s.id, s.name, s.timezone FROM schools s
       WHERE s.id = $1 OR s.id IN (SELECT school_id FROM district_schools WHERE district_id = $2) ORDER BY s.name, s.id`,
      [account.schoolId, account.districtId],
    );
    return { account, schools: schools.rows, csrfToken };
  };
  // Secure when the cloud serves TLS itself, or a TLS-terminating proxy on loopback says the request was https.
  const setCookie = (req: Request, res: Response, s: IssuedSession) =>
    res.cookie(STAFF_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', secure: deps.secureCookies || req.secure, path: '/', maxAge: deps.sessionTtlMs });

  // ---- session ----
  api.add({
    method: 'post',
    path: '/session/code',
    summary: 'Send a sign-in code by SMS to a staff phone number (same answer for unknown numbers)',
    scope: 'public',
    body: CodeRequestSchema,
    status: 202,
    handler: async ({ body }) => {
      await auth.requestCode(body.phone);
      return { sent: true };
    },
  });
  api.add({
    method: 'post',
    path: '/session',
    summary: 'Sign in with username and password, or phone and code; sets the HttpOnly session cookie and returns the CSRF token',
    scope: 'public',
    body: StaffSignInSchema,
    status: 201,
    handler: async ({ req, res, body, q }) => {
      const address = req.ip ?? null;
      const s = 'password' in body ? await auth.signInWithPassword(body.username, body.password, address) : await auth.signInWithCode(body.phone, body.code, address);
      setCookie(req, res, s);
      const p = await auth.principal(s.token);
      return { ...(await me(q, s.accountId, homeOf(p!), s.csrfToken)), expiresAt: s.expiresAt };
    },
  });
  api.add({
    method: 'get',
    path: '/session',
    summary: 'The signed-in account, its schools and the CSRF token',
    scope: 'self',
    handler: ({ principal, q }) => me(q, principal.accountId, homeOf(principal), principal.csrfToken),
  });
  api.add({
    method: 'delete',
    path: '/session',
    summary: 'Sign out',
    scope: 'self',
    audit: 'staff.signout',
    handler: async ({ principal, req, res, q, audited }) => {
      await auth.signOut(q, principal.tokenHash);
      audited(principal.accountId);
      res.clearCookie(STAFF_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies || req.secure });
      return undefined;
    },
  });
  api.add({
    method: 'put',
    path: '/session/password',
    summary: 'Change the own password (the current one is required when set); other sessions end',
    scope: 'self',
    audit: 'staff.password.change',
    body: OwnPasswordSchema,
    handler: async ({ principal, body, q, audited }) => {
      const row = (await q.query<{ password_hash: string | null }>('SELECT password_hash FROM staff_accounts WHERE id = $1', [principal.accountId])).rows[0];
      if (row?.password_hash && !(body.currentPassword && (await verifyPassword(body.currentPassword, row.password_hash)))) throw new HttpError(403, 'staff.error.password_wrong');
      await accounts.setPassword(q, homeOf(principal), principal.accountId, body.newPassword, { keepSession: principal.tokenHash });
      audited(principal.accountId, {});
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/schools',
    summary: 'Schools the account reaches: its own, or its district\'s',
    scope: 'self',
    handler: async ({ principal, q }) => {
      const r = await q.query('SELECT id, name, timezone FROM schools WHERE id = ANY($1::text[]) ORDER BY name, id', [principal.schools]);
      return { schools: r.rows };
    },
  });

  // ---- accounts of the own school or district ----
  api.add({
    method: 'get',
    path: '/accounts',
    summary: 'Accounts of the own school (school admin) or district (district admin)',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    handler: async ({ principal, q }) => ({ accounts: await accounts.list(q, homeOf(principal)) }),
  });
  api.add({
    method: 'post',
    path: '/accounts',
    summary: 'Create an account with roles (head teachers with their classes), linked to a person record of the school',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    audit: 'staff.account.create',
    body: AccountInputSchema,
    status: 201,
    handler: async ({ principal, body, q, audited }) => {
      const a = await accounts.create(q, homeOf(principal), body);
      audited(a.id, { username: a.username, roles: a.roles, classes: a.classes, personKey: a.personKey, phone: a.phone });
      return a;
    },
  });
  api.add({
    method: 'get',
    path: '/accounts/:accountId',
    summary: 'One account',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    params: AccountParams,
    handler: ({ principal, params, q }) => accounts.require(q, homeOf(principal), params.accountId),
  });
  api.add({
    method: 'patch',
    path: '/accounts/:accountId',
    summary: 'Change roles, classes, name, person link, phone or disabled; `version` must be the current one (else 409 with the current account)',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    audit: 'staff.account.update',
    params: AccountParams,
    body: AccountPatchSchema,
    handler: async ({ principal, params, body, q, audited }) => {
      if (params.accountId === principal.accountId) {
        const adminRole = principal.schoolId ? 'school_admin' : 'district_admin';
        if (body.disabled || (body.roles && !body.roles.includes(adminRole))) throw new HttpError(400, 'staff.error.self');
      }
      const { before, after } = await accounts.update(q, homeOf(principal), params.accountId, body);
      const { version: _v, ...changes } = body;
      audited(after.id, { username: after.username, changes, before: pick(before, Object.keys(changes)) });
      return after;
    },
  });
  api.add({
    method: 'put',
    path: '/accounts/:accountId/password',
    summary: 'Set a new password for an account; clears a lockout and ends its sessions',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    audit: 'staff.account.password_reset',
    params: AccountParams,
    body: ResetPasswordSchema,
    handler: async ({ principal, params, body, q }) => {
      await accounts.setPassword(q, homeOf(principal), params.accountId, body.password, params.accountId === principal.accountId ? { keepSession: principal.tokenHash } : {});
      return undefined;
    },
  });
  api.add({
    method: 'delete',
    path: '/accounts/:accountId',
    summary: 'Delete an account (its sessions end; audit rows keep its name)',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    audit: 'staff.account.delete',
    params: AccountParams,
    handler: async ({ principal, params, q, audited }) => {
      if (params.accountId === principal.accountId) throw new HttpError(400, 'staff.error.self');
      const a = await accounts.remove(q, homeOf(principal), params.accountId);
      audited(a.id, { username: a.username, roles: a.roles });
      return undefined;
    },
  });

  // ---- audit ----
  api.add({
    method: 'get',
    path: '/audit',
    summary: 'Audit log of the own school (school admin) or district (district admin), newest first',
    scope: 'home',
    roles: ACCOUNT_ADMINS,
    query: AuditQuerySchema,
    handler: async ({ principal, query, q }) => {
      const entries = await audit.list(q, principal.schoolId ? { schoolId: principal.schoolId } : { districtId: principal.districtId! }, query);
      return { entries, next: entries.length === query.limit ? entries.at(-1)!.id : null };
    },
  });

  // ---- a school's edges ----
  api.add({
    method: 'get',
    path: '/schools/:schoolId/edges',
    summary: "A school's edges: last contact, how far each has applied the change feed (a write's cursor ≤ applied.cursor: it is on that edge), and its own report (upload backlog, clock trusted, version)",
    scope: 'school',
    roles: EDGE_WATCHERS,
    params: z.object({ schoolId: z.string().max(64) }),
    handler: ({ params, q }) => edgeHealth(q, params.schoolId),
  });

  {
    const hub = deps.live;
    api.add({
      method: 'get',
      path: '/schools/:schoolId/edges/live',
      summary: "The school's edges as server-sent events (text/event-stream): `update` with the same body as GET /schools/{schoolId}/edges on connect and whenever an edge reports or a write changes the feed, in any cloud process",
      scope: 'school',
      roles: EDGE_WATCHERS,
      params: z.object({ schoolId: z.string().max(64) }),
      handler: async ({ params, req, res, q }) => {
        await streamLive(req, res, { hub, topics: [liveTopic.edges(params.schoolId), liveTopic.records(params.schoolId)], render: () => edgeHealth(q, params.schoolId) });
      },
    });
  }

  // ---- a class of a school: roster and leaves ----
  const studentOf = async (q: Queryable, schoolId: string, classId: string, personKey: string) => {
    const r = await q.query(
      `SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->>'classId' = $3 AND data->'roles' ? 'student'`,
      [schoolId, personKey, classId],
    );
    if (!r.rows.length) throw new HttpError(404, 'staff.error.student_not_in_class', { classId, personKey });
  };
  /** A leave key already used for a student of another class is not this class's to overwrite. */
  const leaveOfClass = async (q: Queryable, schoolId: string, classId: string, leaveKey: string, mustExist: boolean) => {
    const r = await q.query<{ person_id: string }>(`SELECT data->>'personId' AS person_id FROM records WHERE school_id = $1 AND kind = 'leave' AND key = $2 AND NOT deleted`, [schoolId, leaveKey]);
    const existing = r.rows[0];
    if (!existing) {
      if (mustExist) throw new HttpError(404, 'staff.error.not_found');
      return null;
    }
    await studentOf(q, schoolId, classId, existing.person_id).catch(() => {
      throw new HttpError(404, 'staff.error.not_found');
    });
    return existing.person_id;
  };

  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/students',
    summary: 'Students of a class with their leaves still running',
    scope: 'class',
    roles: CLASS_STAFF,
    params: ClassParams,
    handler: async ({ params, q }) => {
      const r = await q.query<{ key: string; name: string; leaves: unknown[] }>(
        `SELECT p.key, p.data->>'name' AS name,
                COALESCE((SELECT json_agg(json_build_object('key', l.key, 'from', (l.data->>'from')::bigint, 'until', (l.data->>'until')::bigint, 'reason', l.data->>'reason') ORDER BY l.key)
                          FROM records l WHERE l.school_id = p.school_id AND l.kind = 'leave' AND NOT l.deleted AND l.data->>'personId' = p.key AND (l.data->>'until')::bigint > $3), '[]'::json) AS leaves
         FROM records p WHERE p.school_id = $1 AND p.kind = 'person' AND NOT p.deleted AND p.data->>'classId' = $2 AND p.data->'roles' ? 'student'
         ORDER BY p.data->>'name', p.key`,
        [params.schoolId, params.classId, Date.now()],
      );
      return { students: r.rows };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/leaves/:leaveKey',
    summary: 'Grant or change a leave for a student of the class; it reaches the edges through the change feed',
    scope: 'class',
    roles: CLASS_STAFF,
    audit: 'record.leave.put',
    params: LeaveParams,
    body: LeaveBodySchema,
    handler: async ({ principal, params, body, q, afterCommit }) => {
      if (body.until <= body.from) throw new HttpError(400, 'staff.error.leave_time');
      await studentOf(q, params.schoolId, params.classId, body.personId);
      await leaveOfClass(q, params.schoolId, params.classId, params.leaveKey, false);
      const leave = LeaveRecordSchema.parse({ ...body, approvedBy: principal.personKey ?? principal.username });
      const cursor = await records.writeIn(q, params.schoolId, [{ kind: 'leave', key: params.leaveKey, data: leave }]);
      afterCommit(() => records.changed(params.schoolId));
      return { cursor, leave: { key: params.leaveKey, ...leave } };
    },
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/classes/:classId/leaves/:leaveKey',
    summary: 'Cancel a leave of a student of the class',
    scope: 'class',
    roles: CLASS_STAFF,
    audit: 'record.leave.delete',
    params: LeaveParams,
    handler: async ({ params, q, afterCommit, audited }) => {
      const personId = await leaveOfClass(q, params.schoolId, params.classId, params.leaveKey, true);
      const cursor = await records.writeIn(q, params.schoolId, [{ kind: 'leave', key: params.leaveKey, delete: true }]);
      afterCommit(() => records.changed(params.schoolId));
      audited(params.leaveKey, { personId });
      return { cursor };
    },
  });
}

function pick(a: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).filter(([k]) => keys.includes(k)));
}
