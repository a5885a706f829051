import type { Queryable } from '../db/database.js';
import type { ChildDataHolder } from './pipl.js';
import { HttpError } from '../http/errors.js';
import type { Principal } from '../staff/staff-auth.js';
import './messages-texts.js';

/** A child of a signed-in guardian, as the guardianship records link them. */
export interface GuardedChild {
  schoolId: string;
  studentKey: string;
  name: string;
  classId: string;
  guardianName: string;
  relation: string;
}

/** Every child the phone number is a guardian of (all schools), by the school's records. */
export async function childrenOf(q: Queryable, phone: string): Promise<GuardedChild[]> {
  const r = await q.query<{ school_id: string; key: string; name: string | null; class_id: string | null; guardian_name: string | null; relation: string | null }>(
    `SELECT st.school_id, st.key, st.data->>'name' AS name, st.data->>'classId' AS class_id, p.data->>'name' AS guardian_name, g.data->>'relation' AS relation
     FROM records p
     JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
     JOIN records st ON st.school_id = p.school_id AND st.kind = 'person' AND NOT st.deleted AND st.key = g.data->>'studentId'
     WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1
     ORDER BY st.school_id, st.key`,
    [phone],
  );
  return r.rows.map((x) => ({ schoolId: x.school_id, studentKey: x.key, name: x.name ?? x.key, classId: x.class_id ?? '', guardianName: x.guardian_name ?? '', relation: x.relation ?? '' }));
}

/** The guardian's child, or a 404 that does not say whether the child exists. */
export async function childOf(q: Queryable, phone: string, schoolId: string, studentKey: string): Promise<GuardedChild> {
  const c = (await childrenOf(q, phone)).find((x) => x.schoolId === schoolId && x.studentKey === studentKey);
  if (!c) throw new HttpError(404, 'home.error.not_your_child');
  return c;
}

/** The school admin and the office act for every class of the school. */
export const isSchoolWide = (p: Principal): boolean => p.roles.includes('school_admin') || p.roles.includes('office');

/** Classes the staff member teaches: led as head teacher, or named as a subject teacher in the class information. */
export async function taughtClasses(q: Queryable, p: Principal, schoolId: string): Promise<string[]> {
  const r = await q.query<{ class_id: string }>('SELECT DISTINCT class_id FROM hs_class_teachers WHERE school_id = $1 AND account_id = $2', [schoolId, p.accountId]);
  return [...new Set([...p.classes, ...r.rows.map((x) => x.class_id)])];
}

/** Refuses a staff member who neither leads nor teaches the class (the admin and the office may act for any class). */
export async function requireClassTeacher(q: Queryable, p: Principal, schoolId: string, classId: string): Promise<void> {
  if (isSchoolWide(p)) return;
  if (!(await taughtClasses(q, p, schoolId)).includes(classId)) throw new HttpError(403, 'home.msg.error.not_class_teacher', { classId });
}

/** Reads a raw request body up to `limit` bytes; a longer one is refused (413) before it is all read. */
export async function readBody(req: NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined> }, limit: number, name: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooLarge = () => new HttpError(413, 'home.msg.error.too_large', { name, limitMb: Math.round((limit / 1024 / 1024) * 10) / 10 });
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > limit) throw tooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** `Content-Disposition` with the UTF-8 file name (RFC 6266 / 5987) and an ASCII fallback. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Removes a child from home-school messages (PIPL deletion of the child's data): the
 * conversations about the child and their messages, the child's form answers, and the
 * child's name from notice receipts (a receipt that was only for this child goes). For
 * the deletion flow of the child's data to call in its transaction; returns what it removed.
 */
export async function purgeChildMessages(q: Queryable, schoolId: string, studentKey: string): Promise<{ threads: number; answers: number; receipts: number }> {
  const threads = await q.query('DELETE FROM hs_threads WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
  const answers = await q.query('DELETE FROM hs_form_answers a USING hs_forms f WHERE a.form_id = f.id AND f.school_id = $1 AND a.student_key = $2', [schoolId, studentKey]);
  const gone = await q.query(
    `DELETE FROM hs_notice_recipients r USING hs_notices n WHERE r.notice_id = n.id AND n.school_id = $1 AND r.student_keys = ARRAY[$2::text]`,
    [schoolId, studentKey],
  );
  const kept = await q.query(
    `UPDATE hs_notice_recipients r SET student_keys = array_remove(r.student_keys, $2::text),
            students = coalesce((SELECT string_agg(coalesce(st.data->>'name', st.key) || '（' || coalesce(st.data->>'classId', '') || '）', '、' ORDER BY st.key)
                                 FROM records st WHERE st.school_id = $1 AND st.kind = 'person' AND st.key = ANY(array_remove(r.student_keys, $2::text))), '')
     FROM hs_notices n WHERE r.notice_id = n.id AND n.school_id = $1 AND $2::text = ANY(r.student_keys)`,
    [schoolId, studentKey],
  );
  if (gone.rowCount)
    await q.query(
      `UPDATE hs_notices n SET recipients = (SELECT count(*) FROM hs_notice_recipients r WHERE r.notice_id = n.id)
       WHERE n.school_id = $1 AND n.published_at IS NOT NULL AND n.recipients <> (SELECT count(*) FROM hs_notice_recipients r WHERE r.notice_id = n.id)`,
      [schoolId],
    );
  return { threads: threads.rowCount ?? 0, answers: answers.rowCount ?? 0, receipts: (gone.rowCount ?? 0) + (kept.rowCount ?? 0) };
}

/**
 * The messages' part of a child's PIPL export and erasure (homeschool/pipl.ts): the
 * one-to-one threads about the child with their messages, the child's form answers and
 * the announcements that reached the child's guardians (with when each was read).
 */
export const MESSAGE_DATA_HOLDER: ChildDataHolder = {
  name: 'messages',
  async export(q, schoolId, studentKey) {
    const threads = await q.query(
      `SELECT t.id, t.guardian_name AS "guardianName", t.created_at AS "createdAt",
              COALESCE((SELECT json_agg(json_build_object('sender', m.sender, 'body', m.body, 'createdAt', m.created_at, 'readAt', m.read_at) ORDER BY m.id)
                        FROM hs_thread_messages m WHERE m.thread_id = t.id), '[]') AS messages
       FROM hs_threads t WHERE t.school_id = $1 AND t.student_key = $2 ORDER BY t.created_at`,
      [schoolId, studentKey],
    );
    const answers = await q.query(
      `SELECT f.id AS "formId", f.title, a.answers, a.answered_at AS "answeredAt", a.guardian_name AS "guardianName"
       FROM hs_form_answers a JOIN hs_forms f ON f.id = a.form_id WHERE f.school_id = $1 AND a.student_key = $2 ORDER BY a.answered_at`,
      [schoolId, studentKey],
    );
    const notices = await q.query(
      `SELECT n.id, n.title, r.guardian_name AS "guardianName", r.read_at AS "readAt", r.reminded_at AS "remindedAt"
       FROM hs_notice_recipients r JOIN hs_notices n ON n.id = r.notice_id WHERE n.school_id = $1 AND $2::text = ANY(r.student_keys) ORDER BY n.id`,
      [schoolId, studentKey],
    );
    return { threads: threads.rows, formAnswers: answers.rows, notices: notices.rows };
  },
  async erase(q, schoolId, studentKey) {
    const r = await purgeChildMessages(q, schoolId, studentKey);
    return r.threads + r.answers + r.receipts;
  },
};
