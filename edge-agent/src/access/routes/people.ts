import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'express';
import { z } from 'zod';
import {
  ACCESS_EVENTS,
  ClassesAnswerSchema,
  GuardianLinkSchema,
  PeopleAnswerSchema,
  PersonAnswerSchema,
  PersonDetailAnswerSchema,
  RosterImportReportSchema,
  NewPersonSchema,
  PatchPersonSchema,
  PeopleQuerySchema,
  RegisterCardSchema,
  RevokeCardSchema,
  RosterImportSchema,
} from '@campus/protocol/access/index';
import { PersonIdSchema } from '@campus/protocol/credentials/index';
import { NoContent, rawBody, type ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import { importRosterTable } from '../roster/import.js';
import { readRosterTable } from '../roster/read.js';
import type { AccessService } from '../service.js';
import { personDetail, personView } from '../views.js';
import { ADMIN, GUARD, PersonParam, ready, type AccessRouteDeps } from './shared.js';

const MAX_PHOTO_BYTES = 512 * 1024;

/** Stores a person's checked photo, sealed at rest (a copied data folder does not give children's photos away). */
export function storePhoto(s: AccessService, id: string, bytes: Buffer, ext: 'jpg' | 'png'): void {
  for (const e of ['jpg', 'png']) rmSync(join(s.photosDir, `${id}.${e}`), { force: true });
  writeFileSync(join(s.photosDir, `${id}.${ext}`), s.vault.sealFile(bytes), { mode: 0o600 });
  s.people.setPhoto(id, true);
}

function photoPath(s: AccessService, id: string): { path: string; type: string } | null {
  for (const [ext, type] of [
    ['jpg', 'image/jpeg'],
    ['png', 'image/png'],
  ] as const) {
    const path = join(s.photosDir, `${id}.${ext}`);
    if (existsSync(path)) return { path, type };
  }
  return null;
}

/** The router audits the request body after the handler: keep file contents out of the audit log. */
function omitFromAudit(req: Request, bytes: number): void {
  (req.body as { contentBase64: string }).contentBase64 = `[${bytes} bytes]`;
}

function checkClass(s: AccessService, classId: number | null | undefined): void {
  if (classId !== null && classId !== undefined && !s.people.class(classId)) throw new ApiError(404, 'access.unknown_class', { classId });
}

function checkDormitory(s: AccessService, zone: string | null | undefined): void {
  if (zone === null || zone === undefined) return;
  if (s.zones.get(zone)?.kind !== 'dormitory') throw new ApiError(400, 'access.not_dormitory', { zone });
}

/**
 * Who looked at whose photo is audited (children's photos are personal data), once per
 * user and person an hour: the gate view shows the photo on every scan.
 */
class PhotoViews {
  readonly #last = new Map<string, number>();
  seen(user: string, personId: string, record: () => void, now = Date.now()): void {
    const key = `${user}\u0000${personId}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last < 3600_000) return;
    if (this.#last.size > 50_000) this.#last.clear();
    this.#last.set(key, now);
    record();
  }
}

export function peopleRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  const photoViews = new PhotoViews();
  api.add({
    method: 'get',
    path: '/api/access/people',
    summary: 'People on the roster (students, guardians, teachers, staff), filtered and paged',
    tag: 'access',
    access: GUARD,
    query: PeopleQuerySchema,
    response: PeopleAnswerSchema,
    handler: ({ query }) => {
      const s = ready(deps);
      const q = query.q?.toLowerCase();
      const matches = [...s.people.all()].filter(
        (p) =>
          (!q || p.id.toLowerCase().includes(q) || p.name.toLowerCase().includes(q)) &&
          (query.classId === undefined || p.classId === query.classId) &&
          (!query.role || p.roles.includes(query.role)) &&
          (query.active === undefined || p.active === (query.active === 'true')),
      );
      matches.sort((a, b) => a.id.localeCompare(b.id));
      return { total: matches.length, people: matches.slice(query.offset, query.offset + query.limit).map((p) => personView(s, p)) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/access/people/:id',
    summary: 'One person with guardians, wards, cards and recent leaves',
    tag: 'access',
    access: GUARD,
    params: PersonParam,
    response: PersonDetailAnswerSchema,
    handler: ({ params }) => {
      const s = ready(deps);
      const p = s.people.get(params.id);
      if (!p) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      return { person: personDetail(s, p) };
    },
  });

  api.add({
    method: 'post',
    owner: { cloud: 'people' },
    path: '/api/access/people',
    summary: 'Add a person',
    tag: 'access',
    access: ADMIN,
    body: NewPersonSchema,
    audit: 'access.person.create',
    status: 201,
    response: PersonAnswerSchema,
    handler: ({ body }) => {
      const s = ready(deps);
      if (s.people.get(body.id)) throw new ApiError(409, 'access.person_exists', { personId: body.id });
      checkClass(s, body.classId);
      checkDormitory(s, body.dormitoryZone);
      return { person: personView(s, s.people.create(body)) };
    },
  });

  api.add({
    method: 'patch',
    owner: { cloud: 'people' },
    path: '/api/access/people/:id',
    summary: 'Change a person (name, roles, class, boarder, active ...)',
    tag: 'access',
    access: ADMIN,
    params: PersonParam,
    body: PatchPersonSchema,
    audit: 'access.person.update',
    response: PersonAnswerSchema,
    handler: ({ params, body }) => {
      const s = ready(deps);
      checkClass(s, body.classId);
      checkDormitory(s, body.dormitoryZone);
      const p = s.people.update(params.id, body);
      if (!p) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      return { person: personView(s, p) };
    },
  });

  api.add({
    method: 'put',
    owner: { cloud: 'people' },
    path: '/api/access/people/:id/guardians/:guardianId',
    summary: 'Link a guardian to a student (relation, may pick up, receives notices)',
    tag: 'access',
    access: ADMIN,
    params: z.strictObject({ id: PersonIdSchema, guardianId: PersonIdSchema }),
    body: GuardianLinkSchema,
    audit: 'access.guardian.set',
    response: PersonDetailAnswerSchema,
    handler: ({ params, body }) => {
      const s = ready(deps);
      const student = s.people.get(params.id);
      const guardian = s.people.get(params.guardianId);
      if (!student) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      if (!guardian) throw new ApiError(404, 'access.unknown_person', { personId: params.guardianId });
      if (!student.roles.includes('student')) throw new ApiError(400, 'access.not_student', { personId: params.id });
      if (!guardian.roles.includes('guardian')) s.people.update(guardian.id, { roles: [...guardian.roles, 'guardian'] });
      s.people.setGuardian({ studentId: student.id, guardianId: guardian.id, ...body });
      return { person: personDetail(s, s.people.get(student.id)!) };
    },
  });

  api.add({
    method: 'delete',
    owner: { cloud: 'people' },
    path: '/api/access/people/:id/guardians/:guardianId',
    summary: 'Remove a guardian link',
    tag: 'access',
    access: ADMIN,
    params: z.strictObject({ id: PersonIdSchema, guardianId: PersonIdSchema }),
    audit: 'access.guardian.remove',
    response: NoContent,
    handler: ({ params }) => {
      const s = ready(deps);
      if (!s.people.removeGuardian(params.id, params.guardianId)) throw new ApiError(404, 'not_found', { what: `${params.id} ← ${params.guardianId}` });
      return undefined;
    },
  });

  api.add({
    method: 'post',
    owner: { cloud: 'people' },
    path: '/api/access/people/:id/cards/revoke',
    summary: 'Revoke the card in hand (lost, stolen): refused at every gate from now on',
    tag: 'access',
    access: GUARD,
    params: PersonParam,
    body: RevokeCardSchema,
    audit: 'access.card.revoke',
    response: PersonAnswerSchema,
    handler: ({ params, body, user }) => {
      const s = ready(deps);
      const p = s.people.revokeCard(params.id, body.why);
      if (!p) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      s.append({
        type: ACCESS_EVENTS.card,
        reason: 'access.card.revoked',
        severity: 'notice',
        source: `user:${user!.username}`,
        subject: p.id,
        data: { personId: p.id, personName: p.name, minCardVersion: p.minCardVersion, why: body.why },
      });
      return { person: personView(s, p) };
    },
  });

  api.add({
    method: 'post',
    owner: { cloud: 'people' },
    path: '/api/access/people/:id/cards',
    summary: 'Register a card issued elsewhere (CLI or cloud) as the one in hand',
    tag: 'access',
    access: ADMIN,
    params: PersonParam,
    body: RegisterCardSchema,
    audit: 'access.card.register',
    response: PersonAnswerSchema,
    handler: ({ params, body }) => {
      const s = ready(deps);
      const cur = s.people.get(params.id);
      if (!cur) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      if (body.version < cur.minCardVersion) throw new ApiError(409, 'access.card_version_below_floor', { version: body.version, minCardVersion: cur.minCardVersion });
      return { person: personView(s, s.people.registerCard(params.id, body.version)!) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/access/people/:id/photo',
    summary: 'The person’s photo (JPEG or PNG), for the gate view',
    tag: 'access',
    access: GUARD,
    params: PersonParam,
    response: rawBody('image/*'),
    handler: ({ params, res, req, user }) => {
      const s = ready(deps);
      const photo = photoPath(s, params.id);
      if (!photo) throw new ApiError(404, 'access.no_photo', { personId: params.id });
      res.setHeader('Cache-Control', 'private, max-age=300');
      photoViews.seen(user!.username, params.id, () => s.audit({ actor: user!.username, action: 'access.photo.view', target: params.id, address: req.ip ?? null }));
      res.type(photo.type).send(s.vault.unsealFile(readFileSync(photo.path)));
      return undefined;
    },
  });

  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/access/people/:id/photo',
    summary: 'Set the person’s photo (base64 JPEG or PNG, at most 512 KB)',
    tag: 'access',
    access: ADMIN,
    params: PersonParam,
    body: z.strictObject({ contentBase64: z.string().min(1).max(Math.ceil((MAX_PHOTO_BYTES * 4) / 3) + 4) }),
    audit: 'access.photo.set',
    response: NoContent,
    handler: ({ params, body, req }) => {
      const s = ready(deps);
      if (!s.people.get(params.id)) throw new ApiError(404, 'access.unknown_person', { personId: params.id });
      const bytes = Buffer.from(body.contentBase64, 'base64');
      omitFromAudit(req, bytes.length);
      const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
      const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      if ((!jpeg && !png) || bytes.length > MAX_PHOTO_BYTES) throw new ApiError(400, 'access.bad_photo', { maxKb: MAX_PHOTO_BYTES / 1024 });
      storePhoto(s, params.id, bytes, jpeg ? 'jpg' : 'png');
      return undefined;
    },
  });

  api.add({
    method: 'post',
    owner: { cloud: 'people' },
    path: '/api/access/roster/import',
    summary: 'Import a roster (CSV or XLSX, base64): a row-level report in Chinese; nothing is imported unless every row is valid',
    tag: 'access',
    access: ADMIN,
    body: RosterImportSchema,
    audit: 'access.roster.import',
    response: RosterImportReportSchema.optional().describe('The report (answered with 422 and the same report when a row is invalid)'),
    handler: async ({ body, user, res, req }) => {
      ready(deps);
      const bytes = Buffer.from(body.contentBase64, 'base64');
      omitFromAudit(req, bytes.length);
      // Read (a spreadsheet loads exceljs) before touching the database; the write itself is one transaction.
      const table = await readRosterTable(body.fileName, bytes);
      const s = ready(deps);
      const report = importRosterTable(s.db, s.people, table, { dormitories: s.dormitories() }, { dryRun: body.dryRun });
      if (report.imported) {
        s.append({
          type: ACCESS_EVENTS.roster,
          reason: 'access.roster.imported',
          source: `user:${user!.username}`,
          data: { fileName: body.fileName, total: report.total, created: report.created, updated: report.updated, guardianLinks: report.guardianLinks },
        });
      }
      if (report.ok) return report;
      res.status(422).json(report);
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/access/classes',
    summary: 'Grades with their classes and student counts',
    tag: 'access',
    access: GUARD,
    response: ClassesAnswerSchema,
    handler: () => {
      const s = ready(deps);
      const students = new Map<number, number>();
      for (const p of s.people.all()) if (p.classId !== null && p.active && p.roles.includes('student')) students.set(p.classId, (students.get(p.classId) ?? 0) + 1);
      const classes = s.people.classes();
      return {
        grades: s.people.grades().map((g) => ({
          id: g.id,
          name: g.name,
          classes: classes.filter((c) => c.gradeId === g.id).map((c) => ({ id: c.id, name: c.name, students: students.get(c.id) ?? 0 })),
        })),
      };
    },
  });
}
