import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import type { Database } from '../db/database.js';
import { AccountInputSchema, type AccountHome, type StaffAccounts } from '../staff/accounts.js';
import { redact, type StaffAudit } from '../staff/audit.js';
import { DistrictInputSchema, DistrictSchoolsSchema, type Districts } from './districts.js';
import { CampusInputSchema, EdgeInputSchema, SchoolInputSchema, type Tenancy } from './tenancy.js';

/** The first admin of a school or district: an account whose roles the admin token cannot choose. */
export const FirstAdminSchema = AccountInputSchema.omit({ roles: true, classes: true });
const RotateSchema = z.object({ revokeOthers: z.boolean().default(false) }).default({ revokeOthers: false });

/** `Authorization: Bearer <admin token>`, compared in constant time. */
export function adminGuard(token: string) {
  const want = createHash('sha256').update(token).digest();
  return (req: Request, _res: Response, next: NextFunction) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const got = createHash('sha256').update(m?.[1] ?? '').digest();
    if (!m || !timingSafeEqual(want, got)) return next(new HttpError(401, 'sync.error.unauthenticated'));
    next();
  };
}

export interface AdminStaffDeps {
  accounts: StaffAccounts;
  audit: StaffAudit;
  districts: Districts;
  onError: (err: Error) => void;
}

/**
 * Admin API — provisioning only: schools, campuses, edges with credentials and key
 * rotation, districts, and the first admin account of a school or district. Every later
 * account is made by that admin in the console; the records a school owns are written by
 * its staff in the console or by its own systems with a `records:write` API key, never
 * with this token.
 */
export function adminRoutes(token: string, tenancy: Tenancy, db: Database, staff: AdminStaffDeps): Router {
  const r = express.Router();
  r.use(adminGuard(token));

  /**
   * Audits an admin-token write once it has succeeded, in the school's log (actor
   * "admin-token"). `what` says which school and target, and what to keep of the body:
   * never record contents (personal data), only kinds, keys and counts.
   */
  const audited =
    (action: string, what: (req: Request, res: Response) => Promise<{ schoolId: string | null; districtId?: string | null; target: string | null; detail?: Record<string, unknown> }>) =>
    (req: Request, res: Response, next: NextFunction) => {
      res.on('finish', () => {
        if (res.statusCode >= 400) return;
        what(req, res)
          .then((w) => staff.audit.append(db, { schoolId: w.schoolId, districtId: w.districtId ?? null, actorId: null, actorName: 'admin-token', action, target: w.target, detail: w.detail ?? {}, address: req.ip ?? null }))
          .catch((err: Error) => staff.onError(err));
      });
      next();
    };
  const schoolOfEdge = async (edgeId: string) => (await db.query<{ school_id: string }>('SELECT school_id FROM edges WHERE id = $1', [edgeId])).rows[0]?.school_id ?? null;
  const p = (req: Request, name: string) => String(req.params[name]);

  /** Creates the home's first admin; refused once an enabled admin exists. Audited as the admin token. */
  const firstAdmin = async (home: AccountHome, body: unknown, address: string | null) => {
    const input = FirstAdminSchema.parse(body);
    return db.transaction(async (tx) => {
      // Serialise first-admin creation per home: two concurrent calls cannot both pass the check.
      const lock = 'schoolId' in home ? await tx.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [home.schoolId]) : await tx.query('SELECT 1 FROM districts WHERE id = $1 FOR UPDATE', [home.districtId]);
      if (!lock.rows.length) throw new HttpError(404, 'sync.error.not_found');
      if ((await staff.accounts.enabledAdmins(tx, home)) > 0) throw new HttpError(409, 'staff.error.first_admin_exists');
      const role = 'schoolId' in home ? 'school_admin' : 'district_admin';
      const account = await staff.accounts.create(tx, home, { ...input, roles: [role] });
      await staff.audit.append(tx, {
        schoolId: 'schoolId' in home ? home.schoolId : null,
        districtId: 'districtId' in home ? home.districtId : null,
        actorId: null,
        actorName: 'admin-token',
        action: 'staff.account.create_first_admin',
        target: account.id,
        detail: redact({ ...input, roles: [role] }) as Record<string, unknown>,
        address,
      });
      return account;
    });
  };
  r.post('/schools/:schoolId/accounts', async (req, res) => {
    res.status(201).json(await firstAdmin({ schoolId: String(req.params.schoolId) }, req.body, req.ip ?? null));
  });
  r.get('/districts', async (_req, res) => {
    res.json({ districts: await staff.districts.list() });
  });
  r.post('/districts', audited('admin.district.create', async (_req, res) => ({ schoolId: null, districtId: res.locals.created as string, target: res.locals.created as string })), async (req, res) => {
    const d = await staff.districts.create(DistrictInputSchema.parse(req.body));
    res.locals.created = d.id;
    res.status(201).json(d);
  });
  r.put('/districts/:districtId/schools', audited('admin.district.schools', async (req) => ({ schoolId: null, districtId: p(req, 'districtId'), target: p(req, 'districtId'), detail: { schoolIds: (req.body as { schoolIds?: unknown })?.schoolIds ?? null } })), async (req, res) => {
    res.json(await staff.districts.setSchools(String(req.params.districtId), DistrictSchoolsSchema.parse(req.body).schoolIds));
  });
  r.post('/districts/:districtId/accounts', async (req, res) => {
    res.status(201).json(await firstAdmin({ districtId: String(req.params.districtId) }, req.body, req.ip ?? null));
  });

  r.get('/schools', async (_req, res) => {
    res.json({ schools: await tenancy.listSchools() });
  });
  r.post('/schools', audited('admin.school.create', async (_req, res) => ({ schoolId: res.locals.created as string, target: res.locals.created as string })), async (req, res) => {
    const school = await tenancy.createSchool(SchoolInputSchema.parse(req.body));
    res.locals.created = school.id;
    res.status(201).json(school);
  });
  r.post('/schools/:schoolId/campuses', audited('admin.campus.create', async (req, res) => ({ schoolId: p(req, 'schoolId'), target: res.locals.created as string, detail: { site: (req.body as { site?: unknown })?.site ?? null } })), async (req, res) => {
    const campus = await tenancy.createCampus(String(req.params.schoolId), CampusInputSchema.parse(req.body));
    res.locals.created = campus.id;
    res.status(201).json(campus);
  });
  r.get('/schools/:schoolId/edges', async (req, res) => {
    await tenancy.school(String(req.params.schoolId));
    res.json({ edges: await tenancy.listEdges(String(req.params.schoolId)) });
  });
  r.post('/schools/:schoolId/edges', audited('admin.edge.create', async (req, res) => ({ schoolId: p(req, 'schoolId'), target: res.locals.created as string })), async (req, res) => {
    const edge = await tenancy.createEdge(String(req.params.schoolId), EdgeInputSchema.parse(req.body));
    res.locals.created = edge.edgeId;
    res.status(201).json(edge);
  });
  r.post('/edges/:edgeId/keys', audited('admin.edge.key_issue', async (req) => ({ schoolId: await schoolOfEdge(p(req, 'edgeId')), target: p(req, 'edgeId'), detail: { revokeOthers: (req.body as { revokeOthers?: unknown })?.revokeOthers ?? false } })), async (req, res) => {
    const { revokeOthers } = RotateSchema.parse(req.body ?? {});
    res.status(201).json(await tenancy.issueKey(String(req.params.edgeId), { revokeOthers }));
  });
  r.delete('/edges/:edgeId/keys/:keyId', audited('admin.edge.key_revoke', async (req) => ({ schoolId: await schoolOfEdge(p(req, 'edgeId')), target: p(req, 'edgeId'), detail: { keyId: p(req, 'keyId') } })), async (req, res) => {
    await tenancy.revokeKey(String(req.params.edgeId), String(req.params.keyId));
    res.status(204).end();
  });
  r.put('/edges/:edgeId/disabled', audited('admin.edge.disabled', async (req) => ({ schoolId: await schoolOfEdge(p(req, 'edgeId')), target: p(req, 'edgeId'), detail: { disabled: (req.body as { disabled?: unknown })?.disabled ?? null } })), async (req, res) => {
    const { disabled } = z.object({ disabled: z.boolean() }).parse(req.body);
    await tenancy.setEdgeDisabled(String(req.params.edgeId), disabled);
    res.json({ disabled });
  });

  r.get('/schools/:schoolId/stats', async (req, res) => {
    const s = await db.query<{ events: number; last: number | null }>('SELECT count(*) AS events, max(received_at) AS last FROM events WHERE school_id = $1', [String(req.params.schoolId)]);
    res.json(s.rows[0]);
  });
  return r;
}
