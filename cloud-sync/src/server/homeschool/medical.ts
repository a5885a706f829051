import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import type { Principal } from '../staff/staff-auth.js';
import type { CloudSeal } from './seal.js';
import '../staff/messages.js';
import './health-messages.js';

const text = (max: number) => z.string().trim().max(max).default('');
export const BLOOD_TYPES = ['', 'A', 'B', 'AB', 'O', 'A-', 'B-', 'AB-', 'O-', 'unknown'] as const;

/** The notes themselves (特殊病史/过敏/血型/特殊需要/生活忌讳). */
export const MedicalNotesSchema = z.strictObject({
  history: text(1000),
  bloodType: z.enum(BLOOD_TYPES).default(''),
  allergies: text(500),
  specialNeeds: text(500),
  /** Things to avoid in daily life (food, activities). */
  taboos: text(500),
});
export type MedicalNotes = z.infer<typeof MedicalNotesSchema>;
/** A guardian enters the notes with consent recorded (PIPL: a child's health data). */
export const GuardianMedicalSchema = MedicalNotesSchema.extend({ consent: z.literal(true, { error: 'consent must be true' }) });
/** Reading needs a reason, recorded with the read. */
export const MedicalReadSchema = z.strictObject({ reason: z.string().trim().max(200).default('') });
export const StudentParams = z.object({ schoolId: z.string().max(64), studentKey: RecordKeySchema });

/** Roles that may open a child's notes (with a reason): the nurse (any child), the child's head teacher and class teachers. */
export const MEDICAL_READERS = ['nurse', 'head_teacher', 'teacher'] as const;
export const MEDICAL_WRITERS = ['nurse', 'school_admin'] as const;

export interface MedicalRead {
  readerName: string;
  readerRole: string;
  /** The role as people say it (班主任, 校医), zh-CN and en. */
  readerRoleText: { 'zh-CN': string; en: string };
  reason: string;
  readAt: number;
}

/**
 * Medical and special-needs notes: stored sealed (AES-256-GCM, `CloudSeal`), one row per
 * child. A guardian of the child reads and writes them (consent recorded); the nurse
 * writes them; the nurse and the teachers of the child's class read them only by
 * giving a reason, and every read is recorded where the guardian sees it ("who read my
 * child's notes, when, why").
 */
export class MedicalDesk {
  constructor(
    private readonly db: Database,
    private readonly seal: CloudSeal,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- guardian side ----

  async forGuardian(phone: string, schoolId: string, studentKey: string): Promise<{ notes: MedicalNotes | null; consentAt: number | null; updatedAt: number | null; enteredBy: string | null; reads: MedicalRead[] }> {
    await this.requireGuardian(phone, schoolId, studentKey);
    const row = await this.row(this.db, schoolId, studentKey);
    return {
      notes: row ? this.open(row.sealed) : null,
      consentAt: row?.consent_at == null ? null : Number(row.consent_at),
      updatedAt: row ? Number(row.updated_at) : null,
      enteredBy: row?.entered_by_name ?? null,
      reads: await this.reads(this.db, schoolId, studentKey),
    };
  }

  async writeByGuardian(phone: string, schoolId: string, studentKey: string, input: z.infer<typeof GuardianMedicalSchema>): Promise<{ updatedAt: number }> {
    const g = await this.requireGuardian(phone, schoolId, studentKey);
    const { consent: _consent, ...notes } = input;
    const t = this.now();
    await this.store(this.db, schoolId, studentKey, notes, { type: 'guardian', id: phone, name: g.name, consentAt: t });
    return { updatedAt: t };
  }

  async readsForGuardian(phone: string, schoolId: string, studentKey: string): Promise<MedicalRead[]> {
    await this.requireGuardian(phone, schoolId, studentKey);
    return this.reads(this.db, schoolId, studentKey);
  }

  // ---- staff side ----

  async writeByStaff(q: Queryable, p: Principal, schoolId: string, studentKey: string, notes: MedicalNotes): Promise<{ updatedAt: number }> {
    await this.student(q, schoolId, studentKey);
    const t = this.now();
    await this.store(q, schoolId, studentKey, notes, { type: 'staff', id: p.accountId, name: p.displayName, consentAt: null });
    return { updatedAt: t };
  }

  /**
   * Opens a child's notes for a staff member with a reason: refused without one, refused
   * for a teacher of another class; the read is recorded (in the caller's transaction,
   * with its staff audit row) before the notes are returned.
   */
  async readByStaff(q: Queryable, p: Principal, schoolId: string, studentKey: string, reason: string): Promise<{ notes: MedicalNotes | null; updatedAt: number | null }> {
    if (reason.length < 2) throw new HttpError(400, 'home.error.medical_reason');
    const st = await this.student(q, schoolId, studentKey);
    const role = await this.readerRole(q, p, schoolId, st.classId);
    if (!role) throw new HttpError(403, 'home.error.medical_not_your_class', { classId: st.classId ?? '' });
    await q.query(
      'INSERT INTO hs_medical_reads (school_id, student_key, reader_account, reader_name, reader_role, reason, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [schoolId, studentKey, p.accountId, p.displayName, role, reason, this.now()],
    );
    const row = await this.row(q, schoolId, studentKey);
    return { notes: row ? this.open(row.sealed) : null, updatedAt: row ? Number(row.updated_at) : null };
  }

  /** The reads of a child's notes (nurse, school admin, the guardian), newest first. */
  async reads(q: Queryable, schoolId: string, studentKey: string): Promise<MedicalRead[]> {
    const r = await q.query<{ reader_name: string; reader_role: string; reason: string; read_at: number }>(
      'SELECT reader_name, reader_role, reason, read_at FROM hs_medical_reads WHERE school_id = $1 AND student_key = $2 ORDER BY id DESC LIMIT 200',
      [schoolId, studentKey],
    );
    return r.rows.map((x) => ({ readerName: x.reader_name, readerRole: x.reader_role, readerRoleText: bilingual(`staff.role.${x.reader_role}`), reason: x.reason, readAt: Number(x.read_at) }));
  }

  /** The notes in clear, for the PIPL export of the child's data (caller checked who asks). */
  async exportOf(q: Queryable, schoolId: string, studentKey: string): Promise<{ notes: MedicalNotes | null; reads: MedicalRead[] }> {
    const row = await this.row(q, schoolId, studentKey);
    return { notes: row ? this.open(row.sealed) : null, reads: await this.reads(q, schoolId, studentKey) };
  }

  // ---- helpers ----

  /** Which role lets the principal read: nurse (any child of the school), head teacher of the class, a teacher whose person record is of the class. */
  private async readerRole(q: Queryable, p: Principal, schoolId: string, classId: string | null): Promise<string | null> {
    if (p.schoolId !== schoolId) return null;
    if (p.roles.includes('nurse')) return 'nurse';
    if (classId && p.roles.includes('head_teacher') && p.classes.includes(classId)) return 'head_teacher';
    if (classId && p.roles.includes('teacher') && p.personKey) {
      const r = await q.query(`SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->>'classId' = $3`, [schoolId, p.personKey, classId]);
      if (r.rows.length) return 'teacher';
    }
    return null;
  }

  private open(sealed: string): MedicalNotes {
    return MedicalNotesSchema.parse(JSON.parse(this.seal.unseal(sealed)));
  }

  private async store(q: Queryable, schoolId: string, studentKey: string, notes: MedicalNotes, by: { type: 'guardian' | 'staff'; id: string; name: string; consentAt: number | null }): Promise<void> {
    await q.query(
      `INSERT INTO hs_medical_notes (school_id, student_key, sealed, entered_by_type, entered_by, entered_by_name, consent_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (school_id, student_key) DO UPDATE SET sealed = EXCLUDED.sealed, entered_by_type = EXCLUDED.entered_by_type, entered_by = EXCLUDED.entered_by,
         entered_by_name = EXCLUDED.entered_by_name, consent_at = COALESCE(EXCLUDED.consent_at, hs_medical_notes.consent_at), updated_at = EXCLUDED.updated_at`,
      [schoolId, studentKey, this.seal.seal(JSON.stringify(notes)), by.type, by.id, by.name, by.consentAt, this.now()],
    );
  }

  private async row(q: Queryable, schoolId: string, studentKey: string) {
    return (await q.query<{ sealed: string; consent_at: number | null; updated_at: number; entered_by_name: string }>(
      'SELECT sealed, consent_at, updated_at, entered_by_name FROM hs_medical_notes WHERE school_id = $1 AND student_key = $2',
      [schoolId, studentKey],
    )).rows[0];
  }

  private async student(q: Queryable, schoolId: string, studentKey: string): Promise<{ classId: string | null }> {
    const r = await q.query<{ class_id: string | null }>(
      `SELECT data->>'classId' AS class_id FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->'roles' ? 'student'`,
      [schoolId, studentKey],
    );
    if (!r.rows[0]) throw new HttpError(404, 'home.error.not_student', { personKey: studentKey });
    return { classId: r.rows[0].class_id };
  }

  private async requireGuardian(phone: string, schoolId: string, studentKey: string): Promise<{ name: string }> {
    const r = await guardianOf(this.db, phone, schoolId, studentKey);
    if (!r) throw new HttpError(404, 'home.error.not_your_child');
    return r;
  }
}

/** The guardian (by phone) of a child of the school, or null: one query shared by health, medical notes and PIPL. */
export async function guardianOf(q: Queryable, phone: string, schoolId: string, studentKey: string): Promise<{ name: string; classId: string | null } | null> {
  const r = await q.query<{ name: string; class_id: string | null }>(
    `SELECT p.data->>'name' AS name, st.data->>'classId' AS class_id FROM records p
     JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
     JOIN records st ON st.school_id = p.school_id AND st.kind = 'person' AND NOT st.deleted AND st.key = g.data->>'studentId'
     WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = $2 AND g.data->>'studentId' = $3 LIMIT 1`,
    [phone, schoolId, studentKey],
  );
  const x = r.rows[0];
  return x ? { name: x.name, classId: x.class_id } : null;
}
