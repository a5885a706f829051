import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { GuardianAuth } from '../parent/guardian-auth.js';
import { STAFF_COOKIE, type StaffRouter } from '../staff/access.js';
import { ClassIdSchema, type StaffRole } from '../staff/roles.js';
import { AnswerInputSchema, FormDesk, FormInputSchema } from './forms.js';
import { contentDisposition, readBody, requireClassTeacher } from './messages-common.js';
import { ClassTeachersSchema, DirectMessages, GuardianMessageSchema, ReplySchema, RulesSchema, TimetableSchema } from './messages-direct.js';
import { FILE_MAX_BYTES, FileQuerySchema, IMAGE_MAX_BYTES, NoticeBoard, NoticeInputSchema } from './messages-notices.js';
import './messages-texts.js';

const SchoolParams = z.object({ schoolId: z.string().max(64) });
const NoticeId = z.string().regex(/^nt_[A-Za-z0-9_-]{1,40}$/);
const FileId = z.string().regex(/^nf_[A-Za-z0-9_-]{1,40}$/);
const NoticeParams = SchoolParams.extend({ noticeId: NoticeId });
const FileParams = NoticeParams.extend({ fileId: FileId });
const ClassParams = SchoolParams.extend({ classId: ClassIdSchema });
const FormParams = ClassParams.extend({ formId: z.string().regex(/^fm_[A-Za-z0-9_-]{1,40}$/) });
const ThreadParams = z.object({ threadId: z.string().regex(/^th_[A-Za-z0-9_-]{1,40}$/) });

/** Who posts announcements: the office and admin (any audience), head teachers and teachers (their classes). */
const NOTICE_AUTHORS: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher', 'teacher'];
const CLASS_INFO_EDITORS: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher'];
const FORM_AUTHORS: readonly StaffRole[] = ['school_admin', 'office', 'head_teacher', 'teacher'];

export interface HomeMessagesDeps {
  db: Database;
  guardianAuth: GuardianAuth;
  now: () => number;
}

/** The desks behind the routes (one set per cloud process). */
export function homeMessageDesks(deps: HomeMessagesDeps) {
  return { notices: new NoticeBoard(deps.db, deps.now), direct: new DirectMessages(deps.db, deps.now), forms: new FormDesk(deps.db, deps.now) };
}
export type HomeMessageDesks = ReturnType<typeof homeMessageDesks>;

const UPLOAD_PATH = /^\/schools\/[^/]+\/home\/notices\/nt_[A-Za-z0-9_-]{1,40}\/files$/;

/**
 * Reads an upload's bytes (POST …/home/notices/:noticeId/files) before the staff router
 * runs the route, so that a slow upload never holds a database transaction open. Only for
 * requests that carry a staff session cookie (the router then checks it as always); the
 * size limit is the kind's, refused with the file's name.
 */
export function noticeUploadBody() {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !UPLOAD_PATH.test(req.path) || !req.headers.cookie?.includes(`${STAFF_COOKIE}=`)) return next();
    const q = FileQuerySchema.safeParse(req.query);
    if (!q.success) return next();
    readBody(req, q.data.kind === 'image' ? IMAGE_MAX_BYTES : FILE_MAX_BYTES, q.data.name).then((b) => {
      req.body = b;
      next();
    }, next);
  };
}

/** A stored file to the client: its detected type, never sniffed, never run (sandboxed), images inline and the rest as downloads. */
function sendFile(res: Response, f: { kind: string; name: string; mime: string; sha256: string; content: Buffer }, cache: string): void {
  res.setHeader('Content-Type', f.mime);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Disposition', contentDisposition(f.kind === 'image' ? 'inline' : 'attachment', f.name));
  res.setHeader('Cache-Control', cache);
  res.setHeader('ETag', `"${f.sha256}"`);
  res.status(200).end(f.content);
}

/**
 * The guardian side under /api/home/guardian (bearer token of the app): announcements and
 * their files (opening one records the read receipt), one-to-one messages with the child's
 * teachers, class information, forms to answer per child.
 */
export function homeMessageRoutes(desks: HomeMessageDesks, deps: HomeMessagesDeps): Router {
  const r = express.Router();
  const auth = deps.guardianAuth.middleware();
  const phone = (res: Response) => res.locals.phone as string;
  r.get('/guardian/notices', auth, async (_req, res) => {
    res.json({ notices: await desks.notices.forGuardian(phone(res)) });
  });
  r.get('/guardian/notices/:noticeId', auth, async (req, res) => {
    res.json(await desks.notices.open(phone(res), NoticeId.parse(req.params.noticeId)));
  });
  r.get('/guardian/notices/:noticeId/files/:fileId', auth, async (req, res) => {
    sendFile(res, await desks.notices.guardianFile(phone(res), NoticeId.parse(req.params.noticeId), FileId.parse(req.params.fileId)), 'private, max-age=86400');
  });
  r.get('/guardian/class-info', auth, async (_req, res) => {
    res.json({ children: await desks.direct.classInfo(phone(res)) });
  });
  r.get('/guardian/threads', auth, async (_req, res) => {
    res.json({ threads: await desks.direct.threadsOfGuardian(phone(res)) });
  });
  r.get('/guardian/threads/:threadId', auth, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await desks.direct.guardianThread(phone(res), ThreadParams.parse(req.params).threadId));
  });
  r.post('/guardian/messages', auth, async (req, res) => {
    res.status(201).json(await desks.direct.send(phone(res), GuardianMessageSchema.parse(req.body)));
  });
  r.get('/guardian/forms', auth, async (_req, res) => {
    res.json({ forms: await desks.forms.forGuardian(phone(res)) });
  });
  r.post('/guardian/forms/:formId/answers', auth, async (req, res) => {
    const formId = z.string().regex(/^fm_[A-Za-z0-9_-]{1,40}$/).parse(req.params.formId);
    res.status(201).json(await desks.forms.answer(phone(res), formId, AnswerInputSchema.parse(req.body)));
  });
  return r;
}

/** The staff side, declared on the staff router (scope, roles, audit, access matrix). */
export function homeMessageStaffRoutes(api: StaffRouter, desks: HomeMessageDesks, deps: Pick<HomeMessagesDeps, 'db'>): void {
  const { notices, direct, forms } = desks;
  api.add({
    method: 'post',
    path: '/schools/:schoolId/home/notices',
    summary: 'Post an announcement to the school or a grade (office, admin) or a class (its teachers); publish: false keeps a draft to attach files to',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    audit: 'home.notice.create',
    params: SchoolParams,
    body: NoticeInputSchema,
    status: 201,
    handler: async ({ principal, params, body, q, audited }) => {
      const out = await notices.create(q, principal, params.schoolId, body);
      audited(out.notice.id, { scope: body.scope, target: body.target, title: body.title, recipients: out.recipients });
      return out;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/home/notices',
    summary: 'Announcements the caller manages (office, admin: all), newest first, with read counts and the reminder',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    params: SchoolParams,
    handler: async ({ principal, params, q }) => ({ notices: await notices.forStaff(q, principal, params.schoolId) }),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/home/notices/:noticeId/files',
    summary: `Attach an image (checked to be JPEG, PNG, GIF or WebP; ≤ ${IMAGE_MAX_BYTES / 1024 / 1024} MB) or a file (PDF, Office, text, ZIP; ≤ ${FILE_MAX_BYTES / 1024 / 1024} MB) to a draft: raw bytes, ?kind=image|file&name=`,
    scope: 'school',
    roles: NOTICE_AUTHORS,
    audit: 'home.notice.attach',
    params: NoticeParams,
    query: FileQuerySchema,
    status: 201,
    handler: async ({ principal, params, query, q, req, audited }) => {
      // The bytes were read before the transaction began (noticeUploadBody).
      const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const file = await notices.attach(q, principal, params.schoolId, params.noticeId, query.kind, query.name, content);
      audited(params.noticeId, { file: file.id, kind: file.kind, name: file.name, mime: file.mime, size: file.size });
      return file;
    },
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/home/notices/:noticeId/publish',
    summary: 'Publish a draft: its recipients (the guardians of the audience) are fixed now',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    audit: 'home.notice.publish',
    params: NoticeParams,
    handler: ({ principal, params, q }) => notices.publish(q, principal, params.schoolId, params.noticeId),
  });
  api.add({
    method: 'delete',
    path: '/schools/:schoolId/home/notices/:noticeId',
    summary: 'Withdraw a draft announcement (e.g. when one of its files was refused); a published one is kept',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    audit: 'home.notice.discard',
    params: NoticeParams,
    handler: ({ principal, params, q }) => notices.discard(q, principal, params.schoolId, params.noticeId),
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/home/notices/:noticeId/files/:fileId',
    summary: 'A file of an announcement the caller manages',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    params: FileParams,
    handler: async ({ principal, params, q, res }) => {
      sendFile(res, await notices.staffFile(q, principal, params.schoolId, params.noticeId, params.fileId), 'private, no-store');
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/home/notices/:noticeId/receipts',
    summary: 'Read receipts of an announcement: who has read (when) and who has not, by guardian name and child (no phone numbers)',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    params: NoticeParams,
    handler: ({ principal, params, q }) => notices.receipts(q, principal, params.schoolId, params.noticeId),
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/home/notices/:noticeId/remind',
    summary: 'Remind the guardians who have not read (an alert in their app); once per announcement',
    scope: 'school',
    roles: NOTICE_AUTHORS,
    audit: 'home.notice.remind',
    params: NoticeParams,
    handler: async ({ principal, params, q, audited }) => {
      const out = await notices.remind(q, principal, params.schoolId, params.noticeId);
      audited(params.noticeId, { reminded: out.reminded });
      return out;
    },
  });
  api.add({
    method: 'get',
    path: '/home/threads',
    summary: "The signed-in teacher's conversations with guardians, newest first (guardians by name and relation)",
    scope: 'self',
    handler: async ({ principal, q }) => ({ threads: await direct.threadsOfTeacher(q, principal) }),
  });
  api.add({
    method: 'get',
    path: '/home/threads/:threadId',
    summary: "A conversation of the signed-in teacher; the guardian's messages are marked read",
    scope: 'self',
    params: ThreadParams,
    handler: ({ principal, params, q }) => direct.teacherThread(q, principal, params.threadId),
  });
  api.add({
    method: 'post',
    path: '/home/threads/:threadId/messages',
    summary: 'Reply in a conversation of the signed-in teacher',
    scope: 'self',
    audit: 'home.message.reply',
    params: ThreadParams,
    body: ReplySchema,
    status: 201,
    handler: async ({ principal, params, body, q, audited }) => {
      const m = await direct.reply(q, principal, params.threadId, body.body);
      audited(params.threadId, { message: m.id, length: body.body.length });
      return m;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/info',
    summary: "A class's teachers and subjects, timetable, and the school's rules",
    scope: 'class',
    roles: NOTICE_AUTHORS,
    params: ClassParams,
    handler: async ({ params, q }) => {
      const t = await q.query<{ weekday: number; period: number; subject: string }>('SELECT weekday, period, subject FROM hs_timetable WHERE school_id = $1 AND class_id = $2 ORDER BY weekday, period', [
        params.schoolId,
        params.classId,
      ]);
      const rules = await q.query<{ body: string }>('SELECT body FROM hs_school_rules WHERE school_id = $1', [params.schoolId]);
      return {
        classId: params.classId,
        teachers: await direct.teachersOf(q, params.schoolId, params.classId),
        timetable: t.rows.map((x) => ({ weekday: Number(x.weekday), period: Number(x.period), subject: x.subject })),
        rules: rules.rows[0]?.body ?? '',
      };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/teachers',
    summary: "Set a class's subject teachers (account and subject); they may then post to the class and receive guardians' messages",
    scope: 'class',
    roles: CLASS_INFO_EDITORS,
    audit: 'home.class.teachers',
    params: ClassParams,
    body: ClassTeachersSchema,
    handler: async ({ params, body, q }) => {
      await direct.setTeachers(q, params.schoolId, params.classId, body.teachers);
      return { classId: params.classId, teachers: body.teachers };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/classes/:classId/timetable',
    summary: "Set a class's timetable (weekday 1-7, period, subject)",
    scope: 'class',
    roles: CLASS_INFO_EDITORS,
    audit: 'home.class.timetable',
    params: ClassParams,
    body: TimetableSchema,
    handler: async ({ params, body, q }) => {
      await direct.setTimetable(q, params.schoolId, params.classId, body.periods);
      return { classId: params.classId, periods: body.periods.length };
    },
  });
  api.add({
    method: 'put',
    path: '/schools/:schoolId/home/rules',
    summary: "Set the school's rules shown in the app (plain text)",
    scope: 'school',
    roles: ['school_admin', 'office'],
    audit: 'home.rules.set',
    params: SchoolParams,
    body: RulesSchema,
    handler: async ({ params, body, q, audited }) => {
      await direct.setRules(q, params.schoolId, body.body);
      audited(params.schoolId, { length: body.body.length });
      return { length: body.body.length };
    },
  });
  api.add({
    method: 'post',
    path: '/schools/:schoolId/classes/:classId/forms',
    summary: 'Create a 接龙-style form (sign-up, reply slip) for a class the caller teaches; guardians answer per child',
    scope: 'class',
    roles: FORM_AUTHORS,
    audit: 'home.form.create',
    params: ClassParams,
    body: FormInputSchema,
    status: 201,
    handler: async ({ principal, params, body, q, audited }) => {
      await requireClassTeacher(q, principal, params.schoolId, params.classId);
      const f = await forms.create(q, principal, params.schoolId, params.classId, body);
      audited(f.id, { classId: params.classId, title: body.title, fields: body.fields.length });
      return f;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/forms',
    summary: "A class's forms with the number answered, for its teachers",
    scope: 'class',
    roles: FORM_AUTHORS,
    params: ClassParams,
    handler: async ({ principal, params, q }) => {
      await requireClassTeacher(q, principal, params.schoolId, params.classId);
      return { forms: await forms.list(q, params.schoolId, params.classId) };
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/forms/:formId',
    summary: 'Answers of a form per child of the class, and who has not answered',
    scope: 'class',
    roles: FORM_AUTHORS,
    params: FormParams,
    handler: async ({ principal, params, q }) => {
      await requireClassTeacher(q, principal, params.schoolId, params.classId);
      return forms.answers(q, params.schoolId, params.classId, params.formId);
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/classes/:classId/forms/:formId/export',
    summary: 'Answers of a form as CSV (UTF-8, one row per child, the unanswered too)',
    scope: 'class',
    roles: FORM_AUTHORS,
    params: FormParams,
    handler: async ({ principal, params, q, res }) => {
      await requireClassTeacher(q, principal, params.schoolId, params.classId);
      const tz = (await deps.db.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [params.schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
      const out = await forms.exportCsv(q, params.schoolId, params.classId, params.formId, tz);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Disposition', contentDisposition('attachment', out.name));
      res.status(200).end(out.csv);
    },
  });
}
