import { z } from 'zod';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Database, Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import type { Principal } from '../staff/staff-auth.js';
import { guardianOf } from './medical.js';
import { dayStart } from './rollcall.js';
import './health-messages.js';

export const SYMPTOMS = ['fever', 'cough', 'sore_throat', 'runny_nose', 'diarrhea', 'vomiting', 'rash', 'headache', 'fatigue', 'other'] as const;
/** A temperature at or above this is a fever (°C). */
export const FEVER_C = 37.3;

const Temperature = z.number().min(34).max(43);
const Symptoms = z.array(z.enum(SYMPTOMS)).max(SYMPTOMS.length).default([]);
const Note = z.string().trim().max(200).default('');
export const CheckEntrySchema = z.strictObject({ studentKey: RecordKeySchema, temperature: Temperature, symptoms: Symptoms, note: Note });
export const ChecksSchema = z.strictObject({ checks: z.array(CheckEntrySchema).min(1).max(200) });
export const DeclarationSchema = z.strictObject({ schoolId: z.string().max(64), studentKey: RecordKeySchema, temperature: Temperature, symptoms: Symptoms, note: Note });
export const HealthPolicySchema = z.strictObject({ requireDeclaration: z.boolean() });

export interface HealthEntry {
  temperature: number;
  symptoms: string[];
  note: string;
  by: string;
  at: number;
  /** Fever or any symptom. */
  unwell: boolean;
}
export interface ClassHealthRow {
  studentKey: string;
  name: string;
  check: HealthEntry | null;
  declaration: HealthEntry | null;
}
export interface HealthCounts {
  students: number;
  checked: number;
  declared: number;
  fever: number;
  unwell: number;
  /** Neither checked nor declared today. */
  unknown: number;
}

interface EntryRow {
  student_key: string;
  temp_tenths: number;
  symptoms: string[];
  note: string;
  by_name: string;
  at: number;
}
const entry = (x: EntryRow): HealthEntry => {
  const temperature = Number(x.temp_tenths) / 10;
  return { temperature, symptoms: x.symptoms, note: x.note, by: x.by_name, at: Number(x.at), unwell: temperature >= FEVER_C || x.symptoms.length > 0 };
};

/**
 * Health (晨检与健康申报): the class teacher's morning check (temperature, symptoms) on the
 * phone, a guardian's declaration before school, the school's epidemic switch (a
 * declaration required every school day) and the roll-ups for the health office (nurse):
 * per class and for the school, for one school day (school time zone).
 */
export class HealthDesk {
  constructor(
    private readonly db: Database,
    private readonly records: RecordStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The school day as the edges name it ("YYYY-MM-DD", school time zone). */
  private async dateOf(q: Queryable, schoolId: string): Promise<string> {
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    return new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.now());
  }

  async today(q: Queryable, schoolId: string): Promise<number> {
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    return dayStart(this.now(), tz);
  }

  // ---- guardian ----

  async declare(phone: string, input: z.infer<typeof DeclarationSchema>): Promise<{ day: number; declaration: HealthEntry }> {
    const g = await guardianOf(this.db, phone, input.schoolId, input.studentKey);
    if (!g) throw new HttpError(404, 'home.error.not_your_child');
    const day = await this.today(this.db, input.schoolId);
    const date = await this.dateOf(this.db, input.schoolId);
    const t = this.now();
    await this.db.transaction(async (tx) => {
      await tx.query(
      `INSERT INTO hs_health_declarations (school_id, day, student_key, class_id, temp_tenths, symptoms, note, guardian_phone, guardian_name, declared_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (school_id, day, student_key) DO UPDATE SET temp_tenths = EXCLUDED.temp_tenths, symptoms = EXCLUDED.symptoms, note = EXCLUDED.note,
         guardian_phone = EXCLUDED.guardian_phone, guardian_name = EXCLUDED.guardian_name, declared_at = EXCLUDED.declared_at`,
      [input.schoolId, day, input.studentKey, g.classId ?? '', Math.round(input.temperature * 10), JSON.stringify([...new Set(input.symptoms)]), input.note, phone, g.name, t],
      );
      // The edges learn who declared today through the change feed (one record per child, no health facts).
      await this.records.writeIn(tx, input.schoolId, [{ kind: 'health_declaration', key: `hd-${input.studentKey}`, data: { personId: input.studentKey, date } }]);
    });
    this.records.changed(input.schoolId);
    return { day, declaration: (await this.declarationOf(this.db, input.schoolId, day, input.studentKey))! };
  }

  /** Each child of the guardian: today's declaration and check, and whether the school requires a declaration. */
  async forGuardian(phone: string): Promise<{ schoolId: string; studentKey: string; name: string; day: number; required: boolean; declaration: HealthEntry | null; check: HealthEntry | null }[]> {
    const kids = (await this.db.query<{ school_id: string; key: string; name: string }>(
      `SELECT DISTINCT st.school_id, st.key, st.data->>'name' AS name FROM records p
       JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
       JOIN records st ON st.school_id = p.school_id AND st.kind = 'person' AND NOT st.deleted AND st.key = g.data->>'studentId'
       WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 ORDER BY st.school_id, st.key`,
      [phone],
    )).rows;
    const out = [];
    for (const k of kids) {
      const day = await this.today(this.db, k.school_id);
      out.push({
        schoolId: k.school_id,
        studentKey: k.key,
        name: k.name,
        day,
        required: (await this.policy(this.db, k.school_id)).requireDeclaration,
        declaration: await this.declarationOf(this.db, k.school_id, day, k.key),
        check: await this.checkOf(this.db, k.school_id, day, k.key),
      });
    }
    return out;
  }

  // ---- staff ----

  /** The class's list for the morning check: every student with today's check and declaration. */
  async classList(q: Queryable, schoolId: string, classId: string): Promise<{ day: number; required: boolean; students: ClassHealthRow[] }> {
    const day = await this.today(q, schoolId);
    const students = (await q.query<{ key: string; name: string }>(
      `SELECT key, data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->>'classId' = $2 AND data->'roles' ? 'student' ORDER BY data->>'name', key`,
      [schoolId, classId],
    )).rows;
    const checks = await this.entries(q, 'hs_health_checks', 'checked_by_name', 'checked_at', schoolId, day, classId);
    const decls = await this.entries(q, 'hs_health_declarations', 'guardian_name', 'declared_at', schoolId, day, classId);
    return {
      day,
      required: (await this.policy(q, schoolId)).requireDeclaration,
      students: students.map((s) => ({ studentKey: s.key, name: s.name, check: checks.get(s.key) ?? null, declaration: decls.get(s.key) ?? null })),
    };
  }

  /** Records the morning check of students of the class (a student of another class is refused, nothing stored). */
  async check(q: Queryable, p: Principal, schoolId: string, classId: string, checks: z.infer<typeof CheckEntrySchema>[]): Promise<{ day: number; stored: number; unwell: string[] }> {
    const keys = [...new Set(checks.map((c) => c.studentKey))];
    if (keys.length !== checks.length) throw new HttpError(400, 'home.error.health_duplicate');
    const found = new Set(
      (await q.query<{ key: string }>(
        `SELECT key FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->>'classId' = $2 AND data->'roles' ? 'student' AND key = ANY($3::text[])`,
        [schoolId, classId, keys],
      )).rows.map((x) => x.key),
    );
    const stranger = keys.find((k) => !found.has(k));
    if (stranger) throw new HttpError(400, 'home.error.health_not_in_class', { personKey: stranger, classId });
    const day = await this.today(q, schoolId);
    const t = this.now();
    const unwell: string[] = [];
    for (const c of checks) {
      const symptoms = [...new Set(c.symptoms)];
      if (c.temperature >= FEVER_C || symptoms.length) unwell.push(c.studentKey);
      await q.query(
        `INSERT INTO hs_health_checks (school_id, day, student_key, class_id, temp_tenths, symptoms, note, checked_by, checked_by_name, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (school_id, day, student_key) DO UPDATE SET class_id = EXCLUDED.class_id, temp_tenths = EXCLUDED.temp_tenths, symptoms = EXCLUDED.symptoms, note = EXCLUDED.note,
           checked_by = EXCLUDED.checked_by, checked_by_name = EXCLUDED.checked_by_name, checked_at = EXCLUDED.checked_at`,
        [schoolId, day, c.studentKey, classId, Math.round(c.temperature * 10), JSON.stringify(symptoms), c.note, p.accountId, p.displayName, t],
      );
    }
    return { day, stored: checks.length, unwell };
  }

  /** Counts per class and for the school for today (`classes` null: every class). */
  async summary(q: Queryable, schoolId: string, classes: string[] | null): Promise<{ day: number; required: boolean; classes: ({ classId: string } & HealthCounts)[]; school: HealthCounts }> {
    const day = await this.today(q, schoolId);
    const fever = Math.round(FEVER_C * 10);
    const r = await q.query<{ class_id: string; students: string; checked: string; declared: string; fever: string; unwell: string; unknown: string }>(
      `SELECT st.data->>'classId' AS class_id, count(*) AS students, count(c.student_key) AS checked, count(d.student_key) AS declared,
              count(*) FILTER (WHERE c.temp_tenths >= $3 OR d.temp_tenths >= $3) AS fever,
              count(*) FILTER (WHERE c.temp_tenths >= $3 OR d.temp_tenths >= $3 OR jsonb_array_length(c.symptoms) > 0 OR jsonb_array_length(d.symptoms) > 0) AS unwell,
              count(*) FILTER (WHERE c.student_key IS NULL AND d.student_key IS NULL) AS unknown
       FROM records st
       LEFT JOIN hs_health_checks c ON c.school_id = st.school_id AND c.day = $2 AND c.student_key = st.key
       LEFT JOIN hs_health_declarations d ON d.school_id = st.school_id AND d.day = $2 AND d.student_key = st.key
       WHERE st.school_id = $1 AND st.kind = 'person' AND NOT st.deleted AND st.data->'roles' ? 'student' AND st.data->>'classId' IS NOT NULL
         AND ($4::text[] IS NULL OR st.data->>'classId' = ANY($4::text[]))
       GROUP BY st.data->>'classId' ORDER BY st.data->>'classId'`,
      [schoolId, day, fever, classes],
    );
    const rows = r.rows.map((x) => ({ classId: x.class_id, students: Number(x.students), checked: Number(x.checked), declared: Number(x.declared), fever: Number(x.fever), unwell: Number(x.unwell), unknown: Number(x.unknown) }));
    const school: HealthCounts = { students: 0, checked: 0, declared: 0, fever: 0, unwell: 0, unknown: 0 };
    for (const x of rows) for (const k of Object.keys(school) as (keyof HealthCounts)[]) school[k] += x[k];
    return { day, required: (await this.policy(q, schoolId)).requireDeclaration, classes: rows, school };
  }

  /** Students of the school without a declaration today (the gate's reminder list, while declarations are required). */
  async undeclared(q: Queryable, schoolId: string): Promise<{ day: number; required: boolean; students: { studentKey: string; name: string; classId: string }[] }> {
    const day = await this.today(q, schoolId);
    const required = (await this.policy(q, schoolId)).requireDeclaration;
    const r = await q.query<{ key: string; name: string; class_id: string }>(
      `SELECT st.key, st.data->>'name' AS name, COALESCE(st.data->>'classId', '') AS class_id FROM records st
       WHERE st.school_id = $1 AND st.kind = 'person' AND NOT st.deleted AND st.data->'roles' ? 'student'
         AND NOT EXISTS (SELECT 1 FROM hs_health_declarations d WHERE d.school_id = st.school_id AND d.day = $2 AND d.student_key = st.key)
       ORDER BY 3, 2, 1 LIMIT 5000`,
      [schoolId, day],
    );
    return { day, required, students: r.rows.map((x) => ({ studentKey: x.key, name: x.name, classId: x.class_id })) };
  }

  async policy(q: Queryable, schoolId: string): Promise<{ requireDeclaration: boolean; since: number | null }> {
    const v = (await q.query<{ value: { requireDeclaration: boolean; since: number | null } }>('SELECT value FROM settings WHERE key = $1', [`health_policy:${schoolId}`])).rows[0]?.value;
    return v ?? { requireDeclaration: false, since: null };
  }

  async setPolicy(q: Queryable, schoolId: string, requireDeclaration: boolean): Promise<{ requireDeclaration: boolean; since: number | null }> {
    const value = { requireDeclaration, since: requireDeclaration ? this.now() : null };
    await q.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [`health_policy:${schoolId}`, JSON.stringify(value)]);
    // The gates remind the guard only while the switch is on (the caller wakes the feed after commit).
    await this.records.writeIn(q, schoolId, [{ kind: 'health_policy', key: 'school', data: { requireDeclaration } }]);
    return value;
  }

  /** Everything health-related of one child (PIPL export). */
  async exportOf(q: Queryable, schoolId: string, studentKey: string): Promise<{ checks: (HealthEntry & { day: number })[]; declarations: (HealthEntry & { day: number })[] }> {
    const read = async (table: string, by: string, at: string) =>
      (await q.query<EntryRow & { day: number }>(`SELECT day, student_key, temp_tenths, symptoms, note, ${by} AS by_name, ${at} AS at FROM ${table} WHERE school_id = $1 AND student_key = $2 ORDER BY day`, [schoolId, studentKey])).rows.map((x) => ({ day: Number(x.day), ...entry(x) }));
    return { checks: await read('hs_health_checks', 'checked_by_name', 'checked_at'), declarations: await read('hs_health_declarations', 'guardian_name', 'declared_at') };
  }

  private async entries(q: Queryable, table: string, by: string, at: string, schoolId: string, day: number, classId: string): Promise<Map<string, HealthEntry>> {
    const r = await q.query<EntryRow>(`SELECT student_key, temp_tenths, symptoms, note, ${by} AS by_name, ${at} AS at FROM ${table} WHERE school_id = $1 AND day = $2 AND class_id = $3`, [schoolId, day, classId]);
    return new Map(r.rows.map((x) => [x.student_key, entry(x)]));
  }

  private async declarationOf(q: Queryable, schoolId: string, day: number, studentKey: string): Promise<HealthEntry | null> {
    const r = await q.query<EntryRow>(`SELECT student_key, temp_tenths, symptoms, note, guardian_name AS by_name, declared_at AS at FROM hs_health_declarations WHERE school_id = $1 AND day = $2 AND student_key = $3`, [schoolId, day, studentKey]);
    return r.rows[0] ? entry(r.rows[0]) : null;
  }

  private async checkOf(q: Queryable, schoolId: string, day: number, studentKey: string): Promise<HealthEntry | null> {
    const r = await q.query<EntryRow>(`SELECT student_key, temp_tenths, symptoms, note, checked_by_name AS by_name, checked_at AS at FROM hs_health_checks WHERE school_id = $1 AND day = $2 AND student_key = $3`, [schoolId, day, studentKey]);
    return r.rows[0] ? entry(r.rows[0]) : null;
  }
}
