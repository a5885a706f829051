import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import { campusPassageOf } from '@campus/protocol/access/index';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import type { Principal } from '../staff/staff-auth.js';
import './messages.js';

export const RollCallSchema = z.strictObject({ present: z.array(RecordKeySchema).max(200) });

export type GateStatus = 'arrived' | 'late' | 'absent' | 'on_leave' | 'not_arrived';

export interface RollEntry {
  studentKey: string;
  name: string;
  /** From today's uploaded gate events: in through a campus gate (late: the edge marked it late), out, on leave, absent. */
  gate: GateStatus;
  /** The last campus passage today and its direction. */
  lastPassage: { direction: 'in' | 'out'; at: number } | null;
  /** Marked present in the room by the teacher (null: not taken today). */
  present: boolean | null;
}

/** Midnight of today in the school's time zone, as ms. */
export function dayStart(now: number, timeZone: string): number {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(now)) p[x.type] = x.value;
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  const offset = local - Math.floor(now / 1000) * 1000;
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) - offset;
}

/**
 * Class roll call (班级点名): today's gate status of every student of a class from the
 * events the edges uploaded, and the teacher's marks of who is in the room. A child who
 * came in through the gate but is not in class, or is in class without a gate entry, is
 * flagged to the class's head teachers at once (an in-app alert per child and day).
 */
export class RollCall {
  constructor(private readonly now: () => number = Date.now) {}

  async list(q: Queryable, schoolId: string, classId: string): Promise<{ day: number; students: RollEntry[] }> {
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    const t = this.now();
    const day = dayStart(t, tz);
    const students = (await q.query<{ key: string; name: string }>(
      `SELECT key, data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->>'classId' = $2 AND data->'roles' ? 'student' ORDER BY data->>'name', key`,
      [schoolId, classId],
    )).rows;
    if (!students.length) return { day, students: [] };
    const keys = students.map((s) => s.key);
    const events = (await q.query<{ subject: string; type: string; reason: string; data: unknown; occurred_at: number }>(
      `SELECT subject, type, reason, data, occurred_at FROM events WHERE school_id = $1 AND subject = ANY($2::text[]) AND occurred_at >= $3 AND occurred_at <= $4
         AND type IN ('access.decision', 'attendance.late', 'attendance.absent') ORDER BY occurred_at, id`,
      [schoolId, keys, day, t],
    )).rows;
    const leaves = new Set(
      (await q.query<{ person_id: string }>(
        `SELECT data->>'personId' AS person_id FROM records WHERE school_id = $1 AND kind = 'leave' AND NOT deleted AND data->>'personId' = ANY($2::text[]) AND (data->>'from')::bigint <= $3 AND (data->>'until')::bigint > $3`,
        [schoolId, keys, t],
      )).rows.map((x) => x.person_id),
    );
    const marks = new Map(
      (await q.query<{ student_key: string; present: boolean }>('SELECT student_key, present FROM hs_roll_marks WHERE school_id = $1 AND class_id = $2 AND day = $3', [schoolId, classId, day])).rows.map((x) => [x.student_key, x.present]),
    );
    return {
      day,
      students: students.map((s) => {
        let last: RollEntry['lastPassage'] = null;
        let late = false;
        let absent = false;
        for (const e of events) {
          if (e.subject !== s.key) continue;
          if (e.type === 'attendance.late') late = true;
          else if (e.type === 'attendance.absent') absent = true;
          else {
            const p = campusPassageOf(e);
            if (p && !p.repeat) last = { direction: p.direction, at: Number(e.occurred_at) };
          }
        }
        const gate: GateStatus = leaves.has(s.key) ? 'on_leave' : last ? (late ? 'late' : 'arrived') : absent ? 'absent' : 'not_arrived';
        return { studentKey: s.key, name: s.name, gate, lastPassage: last, present: marks.has(s.key) ? marks.get(s.key)! : null };
      }),
    };
  }

  /**
   * Records the marks (every student of the class: present if listed) and flags the
   * mismatches with the gate to the head teachers: inside by the gate but not in the
   * room, or in the room with no gate entry today. Returns the roll with the flags.
   */
  async mark(q: Queryable, p: Principal, schoolId: string, classId: string, present: string[]): Promise<{ students: RollEntry[]; flagged: { studentKey: string; kind: 'missing_in_class' | 'no_gate_entry' }[] }> {
    const before = await this.list(q, schoolId, classId);
    const here = new Set(present);
    const t = this.now();
    for (const s of before.students) {
      await q.query(
        `INSERT INTO hs_roll_marks (school_id, class_id, day, student_key, present, marked_by, marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (school_id, class_id, day, student_key) DO UPDATE SET present = EXCLUDED.present, marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at`,
        [schoolId, classId, before.day, s.studentKey, here.has(s.studentKey), p.accountId, t],
      );
    }
    const flagged: { studentKey: string; kind: 'missing_in_class' | 'no_gate_entry' }[] = [];
    for (const s of before.students) {
      const inside = s.lastPassage?.direction === 'in';
      if (inside && !here.has(s.studentKey)) flagged.push({ studentKey: s.studentKey, kind: 'missing_in_class' });
      if (here.has(s.studentKey) && !s.lastPassage && s.gate !== 'on_leave') flagged.push({ studentKey: s.studentKey, kind: 'no_gate_entry' });
    }
    if (flagged.length) {
      const heads = (await q.query<{ id: string }>(
        `SELECT a.id FROM staff_accounts a JOIN staff_roles r ON r.account_id = a.id AND r.role = 'head_teacher' AND r.class_id = $2 WHERE a.school_id = $1 AND NOT a.disabled`,
        [schoolId, classId],
      )).rows;
      const names = new Map(before.students.map((s) => [s.studentKey, s.name]));
      for (const f of flagged) {
        const text = bilingual(`home.alert.${f.kind}`, { name: names.get(f.studentKey) ?? f.studentKey, classId, by: p.displayName });
        for (const h of heads) {
          await q.query(
            `INSERT INTO hs_alerts (school_id, kind, subject_id, recipient_type, recipient, text_zh, text_en, created_at) VALUES ($1, $2, $3, 'staff', $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
            [schoolId, f.kind, `${f.studentKey}@${before.day}`, h.id, text['zh-CN'], text.en, t],
          );
        }
      }
    }
    const after = await this.list(q, schoolId, classId);
    return { students: after.students, flagged };
  }
}
