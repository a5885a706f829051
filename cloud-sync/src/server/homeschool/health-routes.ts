import express, { type Router } from 'express';
import { z } from 'zod';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Database } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { GuardianAuth } from '../parent/guardian-auth.js';
import type { StaffRouter } from '../staff/access.js';
import { ClassIdSchema, type StaffRole } from '../staff/roles.js';
import { ChecksSchema, DeclarationSchema, HealthDesk, HealthPolicySchema } from './health.js';
import { GuardianMedicalSchema, MedicalDesk, MedicalNotesSchema, MedicalReadSchema, StudentParams, guardianOf } from './medical.js';
import { ChildData, EraseSchema } from './pipl.js';
import type { CloudSeal } from './seal.js';
import { visitPassQrSvg } from './visit-qr.js';

const SchoolParams = z.object({ schoolId: z.string().max(64) });
const ClassParams = SchoolParams.extend({ classId: ClassIdSchema });
const ChildParams = z.object({ schoolId: z.string().max(64), studentKey: RecordKeySchema });

/** Morning check: the head teacher of the class, teachers, the nurse. */
const CHECKERS: readonly StaffRole[] = ['school_admin', 'head_teacher', 'teacher', 'nurse'];
/** Roll-ups: the health office (nurse), the admin and office; head teachers for their classes. */
const HEALTH_OFFICE: readonly StaffRole[] = ['school_admin', 'office', 'nurse', 'head_teacher'];

export interface HealthDeps {
  db: Database;
  records: RecordStore;
  guardianAuth: GuardianAuth;
  seal: CloudSeal;
  now: () => number;
}

/**
 * Health, medical notes and PIPL in the home-school app: the staff routes (declared on
 * the staff router: scope, roles, audit, access matrix) and the guardian routes (mounted
 * under /api/home/guardian, bearer token of the parent app).
 */
export function healthRoutes(api: StaffRouter, deps: HealthDeps): { guardian: Router; health: HealthDesk; medical: MedicalDesk; childData: ChildData } {
  const health = new HealthDesk(deps.db, deps.records, deps.now);
  const medical = new MedicalDesk(deps.db, deps.seal, deps.now);
  const childData = new ChildData(deps.records, health, medical, deps.now);

  // ---- staff: health ----
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/health',
    summary: "Today's morning check list of a class: each student's check and guardian declaration",
    scope: 'class',
    roles: CHECKERS,
    params: ClassParams,
    handler: ({ params, q }) => health.classList(q, params.schoolId, params.classId),
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/health-checks',
    summary: 'Record the morning check (temperature, symptoms) of students of the class; a student of another class refuses the whole batch',
    scope: 'class',
    roles: CHECKERS,
    audit: 'home.health.check',
    params: ClassParams,
    body: ChecksSchema,
    handler: async ({ principal, params, body, q, audited }) => {
      const out = await health.check(q, principal, params.schoolId, params.classId, body.checks);
      // Health facts stay out of the append-only audit: the ids and a count only.
      audited(params.classId, { students: body.checks.map((c) => c.studentKey) });
      return out;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/health/summary',
    summary: "Today's health roll-up per class and for the school (checked, declared, fever, unwell, unknown); head teachers: their classes",
    scope: 'school',
    roles: HEALTH_OFFICE,
    params: SchoolParams,
    handler: ({ principal, params, q }) => {
      const all = principal.roles.some((r) => r === 'school_admin' || r === 'office' || r === 'nurse');
      return health.summary(q, params.schoolId, all ? null : principal.classes);
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/health/undeclared',
    summary: 'Students without a guardian declaration today, and whether the school requires one',
    scope: 'school',
    roles: ['school_admin', 'office', 'nurse'],
    params: SchoolParams,
    handler: ({ params, q }) => health.undeclared(q, params.schoolId),
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/health/policy',
    summary: 'Epidemic switch: require a guardian declaration every school day (the gates remind the guard of children without one)',
    scope: 'school',
    roles: ['school_admin', 'nurse'],
    audit: 'home.health.policy',
    params: SchoolParams,
    body: HealthPolicySchema,
    handler: async ({ params, body, q, afterCommit }) => {
      const out = await health.setPolicy(q, params.schoolId, body.requireDeclaration);
      afterCommit(() => deps.records.changed(params.schoolId));
      return out;
    },
  });

  // ---- staff: medical notes ----
  api.add({
    method: 'put',
    path: '/schools/:schoolId/students/:studentKey/medical',
    summary: "The nurse enters a student's medical notes (sealed at rest)",
    scope: 'school',
    roles: ['nurse'],
    audit: 'home.medical.write',
    params: StudentParams,
    body: MedicalNotesSchema,
    handler: ({ principal, params, body, q, audited }) => {
      audited(params.studentKey, {});
      return medical.writeByStaff(q, principal, params.schoolId, params.studentKey, body);
    },
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/students/:studentKey/medical/read',
    summary: "Open a student's medical notes with a reason (nurse; head teacher and teachers of the class): refused without a reason, every read recorded for the guardian",
    scope: 'school',
    roles: ['nurse', 'head_teacher', 'teacher'],
    audit: 'home.medical.read',
    params: StudentParams,
    body: MedicalReadSchema,
    handler: ({ principal, params, body, q, audited }) => {
      audited(params.studentKey, {});
      return medical.readByStaff(q, principal, params.schoolId, params.studentKey, body.reason);
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/students/:studentKey/medical/reads',
    summary: "Who read a student's medical notes, when and why",
    scope: 'school',
    roles: ['school_admin', 'nurse'],
    params: StudentParams,
    handler: async ({ params, q }) => ({ reads: await medical.reads(q, params.schoolId, params.studentKey) }),
  });

  // ---- staff: PIPL ----
  api.add({
    method: 'post',
    path: '/schools/:schoolId/students/:studentKey/export',
    summary: 'PIPL: everything the cloud holds about a student, as one JSON document (school admin)',
    scope: 'school',
    roles: ['school_admin'],
    audit: 'home.pipl.export',
    params: StudentParams,
    handler: ({ params, q }) => childData.exportOf(q, params.schoolId, params.studentKey),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/students/:studentKey/erase',
    summary: "PIPL: erase a student's data everywhere in the cloud (records through the change feed to the edges too); confirm with the student's key",
    scope: 'school',
    roles: ['school_admin'],
    audit: 'home.pipl.erase',
    params: StudentParams,
    body: EraseSchema,
    handler: async ({ params, body, q, audited, afterCommit }) => {
      if (body.confirmKey !== params.studentKey) throw new HttpError(400, 'home.error.erase_confirm', { studentKey: params.studentKey });
      const erased = await childData.erase(q, params.schoolId, params.studentKey);
      audited(params.studentKey, { erased });
      afterCommit(() => deps.records.changed(params.schoolId));
      return { erased };
    },
  });

  // ---- guardian ----
  const g = express.Router();
  g.use(deps.guardianAuth.middleware());
  const phone = (res: express.Response) => res.locals.phone as string;
  g.get('/health', async (_req, res) => {
    res.json({ children: await health.forGuardian(phone(res)) });
  });
  g.post('/health/declarations', async (req, res) => {
    res.status(201).json(await health.declare(phone(res), DeclarationSchema.parse(req.body)));
  });
  g.get('/children/:schoolId/:studentKey/medical', async (req, res) => {
    const p = ChildParams.parse(req.params);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await medical.forGuardian(phone(res), p.schoolId, p.studentKey));
  });
  g.put('/children/:schoolId/:studentKey/medical', async (req, res) => {
    const p = ChildParams.parse(req.params);
    res.json(await medical.writeByGuardian(phone(res), p.schoolId, p.studentKey, GuardianMedicalSchema.parse(req.body)));
  });
  g.get('/children/:schoolId/:studentKey/medical/reads', async (req, res) => {
    const p = ChildParams.parse(req.params);
    res.json({ reads: await medical.readsForGuardian(phone(res), p.schoolId, p.studentKey) });
  });
  g.get('/children/:schoolId/:studentKey/export', async (req, res) => {
    const p = ChildParams.parse(req.params);
    if (!(await guardianOf(deps.db, phone(res), p.schoolId, p.studentKey))) throw new HttpError(404, 'home.error.not_your_child');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="child-data-${p.studentKey}.json"`);
    res.json(await childData.exportOf(deps.db, p.schoolId, p.studentKey));
  });
  g.get('/visits/:requestId/qr.svg', async (req, res) => {
    const { requestId } = z.object({ requestId: z.string().regex(/^vr_[A-Za-z0-9_-]{1,40}$/) }).parse(req.params);
    res.setHeader('Cache-Control', 'no-store');
    res.type('image/svg+xml').send(await visitPassQrSvg(deps.db, phone(res), requestId));
  });
  return { guardian: g, health, medical, childData };
}
