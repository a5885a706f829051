import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import { childOf, childrenOf } from './messages-common.js';
import './messages-texts.js';

export const MessageBodySchema = z.string().trim().min(1).max(2000);
export const GuardianMessageSchema = z.strictObject({ schoolId: z.string().max(64), studentKey: z.string().max(128), teacherId: z.string().max(64), body: MessageBodySchema });
export const ReplySchema = z.strictObject({ body: MessageBodySchema });
export const ClassTeachersSchema = z.strictObject({ teachers: z.array(z.strictObject({ accountId: z.string().max(64), subject: z.string().trim().min(1).max(32) })).max(40) });
export const TimetableSchema = z.strictObject({
  periods: z.array(z.strictObject({ weekday: z.number().int().min(1).max(7), period: z.number().int().min(1).max(14), subject: z.string().trim().min(1).max(32) })).max(7 * 14),
});
export const RulesSchema = z.strictObject({ body: z.string().max(20_000) });

export interface ThreadMessage {
  id: number;
  sender: 'guardian' | 'staff';
  body: string;
  createdAt: number;
  readAt: number | null;
}

interface TeacherRow {
  account_id: string;
  name: string;
  head: boolean;
  subjects: string[] | null;
}

/**
 * One-to-one messages (家校留言) between a guardian and a teacher of the child (its head
 * teacher or a subject teacher of its class), and the class information the app shows a
 * guardian: teachers and subjects, timetable, school rules. A guardian sees teachers by
 * name and subject only; a teacher sees the guardian by name and relation, never another
 * guardian's phone number, and no guardian ever sees another's.
 */
export class DirectMessages {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Teachers of a class: head teachers (roles) and subject teachers (class information). */
  async teachersOf(q: Queryable, schoolId: string, classId: string): Promise<{ accountId: string; name: string; headTeacher: boolean; subjects: string[] }[]> {
    const r = await q.query<TeacherRow>(
      `SELECT a.id AS account_id, a.display_name AS name,
              EXISTS (SELECT 1 FROM staff_roles r WHERE r.account_id = a.id AND r.role = 'head_teacher' AND r.class_id = $2) AS head,
              (SELECT array_agg(t.subject ORDER BY t.subject) FROM hs_class_teachers t WHERE t.school_id = $1 AND t.class_id = $2 AND t.account_id = a.id) AS subjects
       FROM staff_accounts a
       WHERE a.school_id = $1 AND NOT a.disabled
         AND (EXISTS (SELECT 1 FROM staff_roles r WHERE r.account_id = a.id AND r.role = 'head_teacher' AND r.class_id = $2)
              OR EXISTS (SELECT 1 FROM hs_class_teachers t WHERE t.school_id = $1 AND t.class_id = $2 AND t.account_id = a.id))
       ORDER BY head DESC, a.display_name, a.id`,
      [schoolId, classId],
    );
    return r.rows.map((x) => ({ accountId: x.account_id, name: x.name, headTeacher: x.head, subjects: x.subjects ?? [] }));
  }

  /** Per child of the guardian: the class's teachers and subjects, timetable, and the school's rules. */
  async classInfo(phone: string) {
    const kids = await childrenOf(this.db, phone);
    const out = [];
    for (const c of kids) {
      const timetable = await this.db.query<{ weekday: number; period: number; subject: string }>(
        'SELECT weekday, period, subject FROM hs_timetable WHERE school_id = $1 AND class_id = $2 ORDER BY weekday, period',
        [c.schoolId, c.classId],
      );
      const rules = await this.db.query<{ body: string }>('SELECT body FROM hs_school_rules WHERE school_id = $1', [c.schoolId]);
      out.push({
        schoolId: c.schoolId,
        studentKey: c.studentKey,
        name: c.name,
        classId: c.classId,
        teachers: c.classId ? await this.teachersOf(this.db, c.schoolId, c.classId) : [],
        timetable: timetable.rows.map((x) => ({ weekday: Number(x.weekday), period: Number(x.period), subject: x.subject })),
        rules: rules.rows[0]?.body ?? '',
      });
    }
    return out;
  }

  async send(phone: string, input: z.infer<typeof GuardianMessageSchema>): Promise<{ threadId: string; message: ThreadMessage }> {
    const child = await childOf(this.db, phone, input.schoolId, input.studentKey);
    const teachers = child.classId ? await this.teachersOf(this.db, child.schoolId, child.classId) : [];
    if (!teachers.some((x) => x.accountId === input.teacherId)) throw new HttpError(404, 'home.msg.error.not_your_teacher');
    return this.db.transaction(async (tx) => {
      const t = this.now();
      const th = await tx.query<{ id: string }>(
        `INSERT INTO hs_threads (id, school_id, student_key, teacher_account, guardian_phone, guardian_name, created_at, last_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (school_id, student_key, teacher_account, guardian_phone) DO UPDATE SET last_at = EXCLUDED.last_at RETURNING id`,
        [newId('th'), child.schoolId, child.studentKey, input.teacherId, phone, child.guardianName || child.relation, t],
      );
      const threadId = th.rows[0]!.id;
      return { threadId, message: await this.append(tx, threadId, 'guardian', input.body, t) };
    });
  }

  async threadsOfGuardian(phone: string) {
    const r = await this.db.query<{ id: string; school_id: string; student_key: string; student_name: string | null; teacher_account: string; teacher_name: string; last_at: number; unread: number; last_body: string | null }>(
      `SELECT t.id, t.school_id, t.student_key, st.data->>'name' AS student_name, t.teacher_account, a.display_name AS teacher_name, t.last_at,
              (SELECT count(*)::int FROM hs_thread_messages m WHERE m.thread_id = t.id AND m.sender = 'staff' AND m.read_at IS NULL) AS unread,
              (SELECT m.body FROM hs_thread_messages m WHERE m.thread_id = t.id ORDER BY m.id DESC LIMIT 1) AS last_body
       FROM hs_threads t JOIN staff_accounts a ON a.id = t.teacher_account
       LEFT JOIN records st ON st.school_id = t.school_id AND st.kind = 'person' AND st.key = t.student_key
       WHERE t.guardian_phone = $1 ORDER BY t.last_at DESC, t.id LIMIT 100`,
      [phone],
    );
    // Only threads about a child the number is still a guardian of.
    const kids = new Set((await childrenOf(this.db, phone)).map((c) => `${c.schoolId}/${c.studentKey}`));
    return r.rows
      .filter((x) => kids.has(`${x.school_id}/${x.student_key}`))
      .map((x) => ({ id: x.id, schoolId: x.school_id, studentKey: x.student_key, studentName: x.student_name ?? x.student_key, teacherId: x.teacher_account, teacherName: x.teacher_name, lastAt: Number(x.last_at), unread: Number(x.unread), lastBody: x.last_body ?? '' }));
  }

  /** A guardian's thread: its messages; the teacher's are marked read. */
  async guardianThread(phone: string, threadId: string) {
    const th = (await this.threadsOfGuardian(phone)).find((x) => x.id === threadId);
    if (!th) throw new HttpError(404, 'home.msg.error.thread_not_found');
    await this.db.query(`UPDATE hs_thread_messages SET read_at = $2 WHERE thread_id = $1 AND sender = 'staff' AND read_at IS NULL`, [threadId, this.now()]);
    return { ...th, unread: 0, messages: await this.messages(this.db, threadId) };
  }

  async threadsOfTeacher(q: Queryable, p: Principal) {
    const r = await q.query<{ id: string; school_id: string; student_key: string; student_name: string | null; class_id: string | null; guardian_name: string; relation: string | null; last_at: number; unread: number; last_body: string | null }>(
      `SELECT t.id, t.school_id, t.student_key, st.data->>'name' AS student_name, st.data->>'classId' AS class_id, t.guardian_name,
              (SELECT g.data->>'relation' FROM records g JOIN records gp ON gp.school_id = g.school_id AND gp.kind = 'person' AND gp.key = g.data->>'guardianId' AND gp.data->>'phone' = t.guardian_phone
                WHERE g.school_id = t.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'studentId' = t.student_key LIMIT 1) AS relation,
              t.last_at,
              (SELECT count(*)::int FROM hs_thread_messages m WHERE m.thread_id = t.id AND m.sender = 'guardian' AND m.read_at IS NULL) AS unread,
              (SELECT m.body FROM hs_thread_messages m WHERE m.thread_id = t.id ORDER BY m.id DESC LIMIT 1) AS last_body
       FROM hs_threads t LEFT JOIN records st ON st.school_id = t.school_id AND st.kind = 'person' AND st.key = t.student_key
       WHERE t.teacher_account = $1 ORDER BY t.last_at DESC, t.id LIMIT 200`,
      [p.accountId],
    );
    return r.rows.map((x) => ({
      id: x.id,
      schoolId: x.school_id,
      studentKey: x.student_key,
      studentName: x.student_name ?? x.student_key,
      classId: x.class_id ?? '',
      guardianName: x.guardian_name,
      relation: x.relation ?? '',
      lastAt: Number(x.last_at),
      unread: Number(x.unread),
      lastBody: x.last_body ?? '',
    }));
  }

  async teacherThread(q: Queryable, p: Principal, threadId: string) {
    const th = (await this.threadsOfTeacher(q, p)).find((x) => x.id === threadId);
    if (!th) throw new HttpError(404, 'home.msg.error.thread_not_found');
    await q.query(`UPDATE hs_thread_messages SET read_at = $2 WHERE thread_id = $1 AND sender = 'guardian' AND read_at IS NULL`, [threadId, this.now()]);
    return { ...th, unread: 0, messages: await this.messages(q, threadId) };
  }

  async reply(q: Queryable, p: Principal, threadId: string, body: string): Promise<ThreadMessage> {
    const r = await q.query('UPDATE hs_threads SET last_at = $3 WHERE id = $1 AND teacher_account = $2', [threadId, p.accountId, this.now()]);
    if (!r.rowCount) throw new HttpError(404, 'home.msg.error.thread_not_found');
    return this.append(q, threadId, 'staff', body, this.now());
  }

  // ---- class information (staff) ----

  async setTeachers(q: Queryable, schoolId: string, classId: string, teachers: z.infer<typeof ClassTeachersSchema>['teachers']): Promise<void> {
    for (const t of teachers) {
      const a = await q.query('SELECT 1 FROM staff_accounts WHERE id = $1 AND school_id = $2', [t.accountId, schoolId]);
      if (!a.rows.length) throw new HttpError(404, 'home.msg.error.teacher_unknown', { accountId: t.accountId });
    }
    await q.query('DELETE FROM hs_class_teachers WHERE school_id = $1 AND class_id = $2', [schoolId, classId]);
    for (const t of teachers) await q.query('INSERT INTO hs_class_teachers (school_id, class_id, account_id, subject) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [schoolId, classId, t.accountId, t.subject]);
  }

  async setTimetable(q: Queryable, schoolId: string, classId: string, periods: z.infer<typeof TimetableSchema>['periods']): Promise<void> {
    await q.query('DELETE FROM hs_timetable WHERE school_id = $1 AND class_id = $2', [schoolId, classId]);
    for (const x of periods)
      await q.query('INSERT INTO hs_timetable (school_id, class_id, weekday, period, subject) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (school_id, class_id, weekday, period) DO UPDATE SET subject = EXCLUDED.subject', [
        schoolId,
        classId,
        x.weekday,
        x.period,
        x.subject,
      ]);
  }

  async setRules(q: Queryable, schoolId: string, body: string): Promise<void> {
    await q.query('INSERT INTO hs_school_rules (school_id, body, updated_at) VALUES ($1, $2, $3) ON CONFLICT (school_id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at', [schoolId, body, this.now()]);
  }

  private async append(q: Queryable, threadId: string, sender: 'guardian' | 'staff', body: string, t: number): Promise<ThreadMessage> {
    const r = await q.query<{ id: number }>('INSERT INTO hs_thread_messages (thread_id, sender, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [threadId, sender, body, t]);
    return { id: Number(r.rows[0]!.id), sender, body, createdAt: t, readAt: null };
  }

  private async messages(q: Queryable, threadId: string): Promise<ThreadMessage[]> {
    const r = await q.query<{ id: number; sender: 'guardian' | 'staff'; body: string; created_at: number; read_at: number | null }>(
      'SELECT id, sender, body, created_at, read_at FROM hs_thread_messages WHERE thread_id = $1 ORDER BY id',
      [threadId],
    );
    return r.rows.map((x) => ({ id: Number(x.id), sender: x.sender, body: x.body, createdAt: Number(x.created_at), readAt: x.read_at === null ? null : Number(x.read_at) }));
  }
}
