import type { Queryable } from '../db/database.js';
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
