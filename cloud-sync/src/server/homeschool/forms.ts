import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import { childOf, childrenOf } from './messages-common.js';
import './messages-texts.js';

export const FIELD_TYPES = ['text', 'number', 'choice', 'multi', 'yesno'] as const;
const FieldSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,32}$/),
  label: z.string().trim().min(1).max(50),
  type: z.enum(FIELD_TYPES),
  options: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  required: z.boolean().default(true),
});
export type FormField = z.infer<typeof FieldSchema>;
export const FormInputSchema = z.strictObject({
  title: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  fields: z.array(FieldSchema).min(1).max(20),
  deadline: z.number().int().positive().nullable().default(null),
});
const AnswerValue = z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.string().max(50)).max(20), z.null()]);
export const AnswerInputSchema = z.strictObject({ studentKey: z.string().max(128), answers: z.record(z.string().max(32), AnswerValue) });

export interface ClassForm {
  id: string;
  schoolId: string;
  classId: string;
  title: string;
  description: string;
  fields: FormField[];
  authorName: string;
  deadline: number | null;
  createdAt: number;
}

type Answers = Record<string, string | number | boolean | string[] | null>;

interface FormRow {
  id: string;
  school_id: string;
  class_id: string;
  title: string;
  description: string;
  fields: FormField[] | string;
  author_name: string;
  deadline: number | null;
  created_at: number;
}

const toForm = (x: FormRow): ClassForm => ({
  id: x.id,
  schoolId: x.school_id,
  classId: x.class_id,
  title: x.title,
  description: x.description,
  fields: typeof x.fields === 'string' ? (JSON.parse(x.fields) as FormField[]) : x.fields,
  authorName: x.author_name,
  deadline: x.deadline === null ? null : Number(x.deadline),
  createdAt: Number(x.created_at),
});

const fieldError = (label: string, problem: string) => new HttpError(400, 'home.msg.error.form_field', { label, problem: bilingual(`home.msg.problem.${problem}`)['zh-CN'] });

/**
 * 接龙-style forms (sign-up, reply slip) of a class: a teacher of the class creates one with
 * its fields; each guardian answers once per child (answering again replaces the answer);
 * the teacher sees the answers per child and who has not answered, and exports them.
 */
export class FormDesk {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async create(q: Queryable, p: Principal, schoolId: string, classId: string, input: z.infer<typeof FormInputSchema>): Promise<ClassForm> {
    const seen = new Set<string>();
    for (const f of input.fields) {
      if (seen.has(f.id)) throw new HttpError(400, 'home.msg.error.form_ids', { field: f.id });
      seen.add(f.id);
      if ((f.type === 'choice' || f.type === 'multi') && new Set(f.options ?? []).size < 2) throw new HttpError(400, 'home.msg.error.form_options', { label: f.label });
      if (f.type !== 'choice' && f.type !== 'multi') delete f.options;
    }
    const id = newId('fm');
    await q.query(
      'INSERT INTO hs_forms (id, school_id, class_id, title, description, fields, author_account, author_name, deadline, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [id, schoolId, classId, input.title, input.description, JSON.stringify(input.fields), p.accountId, p.displayName || p.username, input.deadline, this.now()],
    );
    return (await this.get(q, schoolId, classId, id))!;
  }

  async list(q: Queryable, schoolId: string, classId: string) {
    const r = await q.query<FormRow & { answered: number }>(
      'SELECT f.*, (SELECT count(*)::int FROM hs_form_answers a WHERE a.form_id = f.id) AS answered FROM hs_forms f WHERE f.school_id = $1 AND f.class_id = $2 ORDER BY f.created_at DESC, f.id LIMIT 100',
      [schoolId, classId],
    );
    const total = (await this.roster(q, schoolId, classId)).length;
    return r.rows.map((x) => ({ ...toForm(x), answered: Number(x.answered), total }));
  }

  /** Answers per child of the class (present students, by name), and who has not answered. */
  async answers(q: Queryable, schoolId: string, classId: string, id: string) {
    const form = await this.get(q, schoolId, classId, id);
    if (!form) throw new HttpError(404, 'home.msg.error.form_not_found');
    const roster = await this.roster(q, schoolId, classId);
    const r = await q.query<{ student_key: string; guardian_name: string; answers: Answers | string; answered_at: number }>(
      'SELECT student_key, guardian_name, answers, answered_at FROM hs_form_answers WHERE form_id = $1',
      [id],
    );
    const by = new Map(r.rows.map((x) => [x.student_key, x]));
    const rows = roster.map((s) => {
      const a = by.get(s.key);
      return {
        studentKey: s.key,
        name: s.name,
        answered: !!a,
        guardianName: a?.guardian_name ?? null,
        answers: a ? (typeof a.answers === 'string' ? (JSON.parse(a.answers) as Answers) : a.answers) : null,
        answeredAt: a ? Number(a.answered_at) : null,
      };
    });
    return { form, total: rows.length, answered: rows.filter((x) => x.answered).length, rows, notAnswered: rows.filter((x) => !x.answered).map((x) => ({ studentKey: x.studentKey, name: x.name })) };
  }

  /** The answers as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese right); cells that could start a formula are quoted with a leading apostrophe. */
  async exportCsv(q: Queryable, schoolId: string, classId: string, id: string, timeZone: string): Promise<{ name: string; csv: string }> {
    const a = await this.answers(q, schoolId, classId, id);
    const zh = (k: string) => bilingual(k)['zh-CN'];
    const cell = (v: unknown) => {
      let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('、') : typeof v === 'boolean' ? zh(v ? 'home.msg.yes' : 'home.msg.no') : String(v);
      if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const when = (ms: number) => new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(ms);
    const head = [zh('home.msg.export.student_key'), zh('home.msg.export.student'), ...a.form.fields.map((f) => f.label), zh('home.msg.export.guardian'), zh('home.msg.export.answered_at')];
    const lines = [head.map(cell).join(',')];
    for (const r of a.rows) {
      const vals = a.form.fields.map((f) => (r.answers ? r.answers[f.id] : null));
      lines.push([r.studentKey, r.name, ...vals, r.guardianName ?? zh('home.msg.export.not_answered'), r.answeredAt ? when(r.answeredAt) : ''].map(cell).join(','));
    }
    return { name: `${a.form.title}.csv`, csv: `\ufeff${lines.join('\r\n')}\r\n` };
  }

  // ---- guardian ----

  /** Forms of the classes of the guardian's children, each with this child's answer. */
  async forGuardian(phone: string) {
    const kids = await childrenOf(this.db, phone);
    const out = [];
    for (const c of kids) {
      if (!c.classId) continue;
      const r = await this.db.query<FormRow & { answers: Answers | string | null; answered_at: number | null }>(
        `SELECT f.*, a.answers, a.answered_at FROM hs_forms f LEFT JOIN hs_form_answers a ON a.form_id = f.id AND a.student_key = $3
         WHERE f.school_id = $1 AND f.class_id = $2 ORDER BY f.created_at DESC, f.id LIMIT 50`,
        [c.schoolId, c.classId, c.studentKey],
      );
      for (const x of r.rows)
        out.push({
          ...toForm(x),
          studentKey: c.studentKey,
          studentName: c.name,
          answers: x.answers === null ? null : typeof x.answers === 'string' ? (JSON.parse(x.answers) as Answers) : x.answers,
          answeredAt: x.answered_at === null ? null : Number(x.answered_at),
        });
    }
    return out;
  }

  async answer(phone: string, formId: string, input: z.infer<typeof AnswerInputSchema>) {
    const r = await this.db.query<FormRow>('SELECT * FROM hs_forms WHERE id = $1', [formId]);
    const row = r.rows[0];
    if (!row) throw new HttpError(404, 'home.msg.error.form_not_found');
    const child = await childOf(this.db, phone, row.school_id, input.studentKey).catch(() => null);
    if (!child || child.classId !== row.class_id) throw new HttpError(404, 'home.msg.error.form_not_found');
    const form = toForm(row);
    if (form.deadline !== null && form.deadline < this.now()) throw new HttpError(409, 'home.msg.error.form_closed');
    const clean = this.check(form.fields, input.answers);
    const t = this.now();
    await this.db.query(
      `INSERT INTO hs_form_answers (form_id, student_key, guardian_phone, guardian_name, answers, answered_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (form_id, student_key) DO UPDATE SET guardian_phone = EXCLUDED.guardian_phone, guardian_name = EXCLUDED.guardian_name, answers = EXCLUDED.answers, answered_at = EXCLUDED.answered_at`,
      [formId, child.studentKey, phone, `${child.guardianName}${child.relation ? `（${child.relation}）` : ''}`, JSON.stringify(clean), t],
    );
    return { formId, studentKey: child.studentKey, answers: clean, answeredAt: t };
  }

  private check(fields: FormField[], answers: Answers): Answers {
    for (const k of Object.keys(answers)) if (!fields.some((f) => f.id === k)) throw new HttpError(400, 'home.msg.error.form_unknown_field', { field: k });
    const out: Answers = {};
    for (const f of fields) {
      const v = answers[f.id];
      const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
      if (empty) {
        if (f.required) throw fieldError(f.label, 'required');
        out[f.id] = null;
        continue;
      }
      if (f.type === 'text') {
        if (typeof v !== 'string') throw fieldError(f.label, 'text');
        out[f.id] = v.trim();
      } else if (f.type === 'number') {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
        if (!Number.isFinite(n)) throw fieldError(f.label, 'number');
        out[f.id] = n;
      } else if (f.type === 'yesno') {
        if (typeof v !== 'boolean') throw fieldError(f.label, 'yesno');
        out[f.id] = v;
      } else if (f.type === 'choice') {
        if (typeof v !== 'string' || !(f.options ?? []).includes(v)) throw fieldError(f.label, 'option');
        out[f.id] = v;
      } else {
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((x) => typeof x === 'string' && (f.options ?? []).includes(x))) throw fieldError(f.label, 'option');
        out[f.id] = [...new Set(list as string[])];
      }
    }
    return out;
  }

  private async get(q: Queryable, schoolId: string, classId: string, id: string): Promise<ClassForm | null> {
    const r = await q.query<FormRow>('SELECT * FROM hs_forms WHERE school_id = $1 AND class_id = $2 AND id = $3', [schoolId, classId, id]);
    return r.rows[0] ? toForm(r.rows[0]) : null;
  }

  private async roster(q: Queryable, schoolId: string, classId: string): Promise<{ key: string; name: string }[]> {
    const r = await q.query<{ key: string; name: string | null }>(
      `SELECT key, data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->'roles' ? 'student' AND data->>'classId' = $2 ORDER BY key`,
      [schoolId, classId],
    );
    return r.rows.map((x) => ({ key: x.key, name: x.name ?? x.key }));
  }
}
