import { z } from 'zod';
import { bilingual } from '@campus/protocol';
import { campusPassageOf } from '@campus/protocol/access/index';
import { LeaveRecordSchema, RecordKeySchema } from '@campus/protocol/sync/records';
import type { Database, Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Principal } from '../staff/staff-auth.js';
import './messages.js';

export const LEAVE_KINDS = ['leave', 'early_exit'] as const;
export const REASON_KINDS = ['illness', 'personal', 'family', 'other'] as const;
export type LeaveStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

/** A leave may last at most this long (a longer absence is a matter for the office, not the app). */
export const MAX_LEAVE_DAYS = 30;
/** An exit this long before the leave starts still counts as its use (the gate lets the child out only inside the window; clocks differ a little). */
const EXIT_SLACK_MS = 15 * 60_000;

const ms = z.number().int().nonnegative();
export const LeaveApplicationSchema = z.strictObject({
  kind: z.enum(LEAVE_KINDS),
  from: ms,
  until: ms,
  reasonKind: z.enum(REASON_KINDS),
  reason: z.string().trim().max(200).default(''),
  /** Who collects the child at the gate (name, relation). */
  collector: z.string().trim().max(64).default(''),
});
export const GuardianApplicationSchema = LeaveApplicationSchema.extend({ schoolId: z.string().max(64), studentKey: RecordKeySchema });
export const StaffRecordSchema = LeaveApplicationSchema.extend({ studentKey: RecordKeySchema });
export const DecisionSchema = z.strictObject({ approve: z.boolean(), note: z.string().trim().max(200).default('') });

export interface LeaveRequest {
  id: string;
  schoolId: string;
  studentKey: string;
  studentName: string;
  classId: string;
  kind: (typeof LEAVE_KINDS)[number];
  from: number;
  until: number;
  reasonKind: (typeof REASON_KINDS)[number];
  reason: string;
  collector: string;
  applicantName: string;
  status: LeaveStatus;
  decidedByName: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
  leaveKey: string | null;
  /** The child's passages matched to the leave: the first campus exit in its window and the first entry after it. */
  exitedAt: number | null;
  returnedAt: number | null;
  /** Back after the leave ended, or not back at all once it has ended. */
  overdue: boolean;
  createdAt: number;
}

interface Row {
  id: string;
  school_id: string;
  student_key: string;
  student_name: string | null;
  class_id: string;
  kind: LeaveRequest['kind'];
  from_at: number;
  until_at: number;
  reason_kind: LeaveRequest['reasonKind'];
  reason: string;
  collector: string;
  applicant_name: string;
  status: LeaveStatus;
  decided_by_name: string | null;
  decided_at: number | null;
  decision_note: string | null;
  leave_key: string | null;
  exited_at: number | null;
  returned_at: number | null;
  created_at: number;
}

const SELECT = `SELECT r.id, r.school_id, r.student_key, st.data->>'name' AS student_name, r.class_id, r.kind, r.from_at, r.until_at, r.reason_kind, r.reason, r.collector,
  r.applicant_name, r.status, r.decided_by_name, r.decided_at, r.decision_note, r.leave_key, r.exited_at, r.returned_at, r.created_at
  FROM hs_leave_requests r LEFT JOIN records st ON st.school_id = r.school_id AND st.kind = 'person' AND st.key = r.student_key`;

/**
 * Leave and early-exit applications (请假/离校): a guardian applies, the head teacher of the
 * child's class (or the class's deputy while every head teacher of it is away, or the
 * school admin) decides once; an approval writes the cloud's `leave` record in the same
 * transaction, so the change feed takes it to every edge and the gate lets the child out
 * only inside the window. A teacher may record a leave directly (approved at once). The
 * child's gate passages are matched to the leave, and a sweep alerts the head teachers
 * and guardians when a child who went out is not back when the leave ends.
 */
export class LeaveDesk {
  constructor(
    private readonly db: Database,
    private readonly records: RecordStore,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- guardian side ----

  async apply(phone: string, input: z.infer<typeof GuardianApplicationSchema>): Promise<LeaveRequest> {
    const guardian = await this.guardianOf(this.db, phone, input.schoolId, input.studentKey);
    if (!guardian) throw new HttpError(404, 'home.error.not_your_child');
    this.checkTimes(input.from, input.until);
    const id = newId('lr');
    await this.db.query(
      `INSERT INTO hs_leave_requests (id, school_id, student_key, class_id, kind, from_at, until_at, reason_kind, reason, collector, applicant_phone, applicant_name, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13)`,
      [id, input.schoolId, input.studentKey, guardian.classId ?? '', input.kind, input.from, input.until, input.reasonKind, input.reason, input.collector, phone, guardian.name, this.now()],
    );
    return (await this.get(this.db, input.schoolId, id))!;
  }

  /** Applications for every child of the guardian (also those a teacher recorded), newest first. */
  async forGuardian(phone: string, limit = 50): Promise<LeaveRequest[]> {
    const r = await this.db.query<Row>(
      `${SELECT}
       WHERE EXISTS (SELECT 1 FROM records p JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
                     WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = r.school_id AND g.data->>'studentId' = r.student_key)
       ORDER BY r.created_at DESC, r.id LIMIT $2`,
      [phone, limit],
    );
    return this.withPassages(this.db, r.rows);
  }

  /** A guardian withdraws an application not yet decided. */
  async cancel(phone: string, id: string): Promise<LeaveRequest> {
    const cur = (await this.forGuardian(phone, 500)).find((x) => x.id === id);
    if (!cur) throw new HttpError(404, 'home.error.request_not_found');
    const r = await this.db.query(`UPDATE hs_leave_requests SET status = 'cancelled', decided_at = $2 WHERE id = $1 AND status = 'pending'`, [id, this.now()]);
    if (!r.rowCount) throw new HttpError(409, 'home.error.already_decided', { status: bilingual(`home.status.${cur.status}`)['zh-CN'] });
    return (await this.get(this.db, cur.schoolId, id))!;
  }

  // ---- staff side ----

  /** The classes the principal decides for in this school; null = every class (school admin). */
  async decidingClasses(q: Queryable, p: Principal, schoolId: string): Promise<string[] | null> {
    if (p.roles.includes('school_admin') && p.schoolId === schoolId) return null;
    const own = p.roles.includes('head_teacher') ? [...p.classes] : [];
    const deputy = await q.query<{ class_id: string }>(
      `SELECT d.class_id FROM hs_class_deputies d WHERE d.school_id = $1 AND d.account_id = $2
         AND NOT EXISTS (SELECT 1 FROM staff_accounts a JOIN staff_roles r ON r.account_id = a.id AND r.role = 'head_teacher' AND r.class_id = d.class_id
                         WHERE a.school_id = d.school_id AND NOT a.disabled
                           AND NOT EXISTS (SELECT 1 FROM hs_staff_absences x WHERE x.account_id = a.id AND x.from_at <= $3 AND x.until_at > $3))`,
      [schoolId, p.accountId, this.now()],
    );
    return [...new Set([...own, ...deputy.rows.map((x) => x.class_id)])];
  }

  /** Applications of the classes the principal decides for (office: all, read only), newest first. */
  async forStaff(q: Queryable, p: Principal, schoolId: string, status: LeaveStatus | undefined, limit: number): Promise<LeaveRequest[]> {
    const classes = p.roles.includes('office') ? null : await this.decidingClasses(q, p, schoolId);
    const r = await q.query<Row>(
      `${SELECT} WHERE r.school_id = $1 AND ($2::text IS NULL OR r.status = $2) AND ($3::text[] IS NULL OR r.class_id = ANY($3::text[]))
       ORDER BY r.created_at DESC, r.id LIMIT $4`,
      [schoolId, status ?? null, classes, limit],
    );
    return this.withPassages(q, r.rows);
  }

  /**
   * Approves or rejects a pending application, once: a second decision (a replayed
   * approval after a rejection, or two head teachers at once) is a 409. An approval writes
   * the `leave` record in the caller's transaction; the caller wakes the feed after commit.
   */
  async decide(q: Queryable, p: Principal, schoolId: string, id: string, d: z.infer<typeof DecisionSchema>): Promise<{ request: LeaveRequest; cursor: number | null }> {
    const cur = (await q.query<{ class_id: string; status: LeaveStatus; student_key: string; from_at: number; until_at: number; reason_kind: string; reason: string }>(
      'SELECT class_id, status, student_key, from_at, until_at, reason_kind, reason FROM hs_leave_requests WHERE school_id = $1 AND id = $2 FOR UPDATE',
      [schoolId, id],
    )).rows[0];
    if (!cur) throw new HttpError(404, 'home.error.request_not_found');
    const classes = await this.decidingClasses(q, p, schoolId);
    if (classes && !classes.includes(cur.class_id)) throw new HttpError(403, 'home.error.not_your_class', { classId: cur.class_id });
    if (cur.status !== 'pending') throw new HttpError(409, 'home.error.already_decided', { status: bilingual(`home.status.${cur.status}`)['zh-CN'] }, undefined, { status: cur.status });
    let cursor: number | null = null;
    let leaveKey: string | null = null;
    if (d.approve) {
      leaveKey = `hs-${id}`;
      cursor = await this.writeLeave(q, schoolId, leaveKey, { ...cur, approvedBy: p.personKey ?? p.username });
    }
    await q.query(
      `UPDATE hs_leave_requests SET status = $3, decided_by = $4, decided_by_name = $5, decided_at = $6, decision_note = $7, leave_key = $8 WHERE school_id = $1 AND id = $2`,
      [schoolId, id, d.approve ? 'approved' : 'rejected', p.accountId, p.displayName, this.now(), d.note, leaveKey],
    );
    return { request: (await this.get(q, schoolId, id))!, cursor };
  }

  /**
   * A teacher records a leave directly (a child falls ill in class): approved at once.
   * Head teachers and deputies for their classes, teachers, the office and the admin for
   * any student of the school.
   */
  async record(q: Queryable, p: Principal, schoolId: string, input: z.infer<typeof StaffRecordSchema>): Promise<{ request: LeaveRequest; cursor: number }> {
    this.checkTimes(input.from, input.until);
    const st = (await q.query<{ class_id: string | null }>(
      `SELECT data->>'classId' AS class_id FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->'roles' ? 'student'`,
      [schoolId, input.studentKey],
    )).rows[0];
    if (!st) throw new HttpError(404, 'home.error.not_student', { personKey: input.studentKey });
    const classId = st.class_id ?? '';
    const anyStudent = p.roles.some((r) => r === 'school_admin' || r === 'office' || r === 'teacher');
    if (!anyStudent) {
      const classes = await this.decidingClasses(q, p, schoolId);
      if (classes && !classes.includes(classId)) throw new HttpError(403, 'home.error.not_your_class', { classId });
    }
    const id = newId('lr');
    const leaveKey = `hs-${id}`;
    const t = this.now();
    await q.query(
      `INSERT INTO hs_leave_requests (id, school_id, student_key, class_id, kind, from_at, until_at, reason_kind, reason, collector, applicant_account, applicant_name, status,
                                      decided_by, decided_by_name, decided_at, leave_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'approved', $11, $12, $13, $14, $13)`,
      [id, schoolId, input.studentKey, classId, input.kind, input.from, input.until, input.reasonKind, input.reason, input.collector, p.accountId, p.displayName, t, leaveKey],
    );
    const cursor = await this.writeLeave(q, schoolId, leaveKey, { student_key: input.studentKey, from_at: input.from, until_at: input.until, reason_kind: input.reasonKind, reason: input.reason, approvedBy: p.personKey ?? p.username });
    return { request: (await this.get(q, schoolId, id))!, cursor };
  }

  /** Approved leaves per class and reason whose window overlaps [from, until). */
  async stats(q: Queryable, schoolId: string, classes: string[] | null, from: number, until: number): Promise<{ classId: string; reasonKind: string; count: number }[]> {
    const r = await q.query<{ class_id: string; reason_kind: string; n: number | string }>(
      `SELECT class_id, reason_kind, count(*) AS n FROM hs_leave_requests
       WHERE school_id = $1 AND status = 'approved' AND from_at < $3 AND until_at > $2 AND ($4::text[] IS NULL OR class_id = ANY($4::text[]))
       GROUP BY class_id, reason_kind ORDER BY class_id, reason_kind`,
      [schoolId, from, until, classes],
    );
    return r.rows.map((x) => ({ classId: x.class_id, reasonKind: x.reason_kind, count: Number(x.n) }));
  }

  async setDeputy(q: Queryable, schoolId: string, classId: string, accountId: string | null): Promise<void> {
    if (accountId === null) {
      await q.query('DELETE FROM hs_class_deputies WHERE school_id = $1 AND class_id = $2', [schoolId, classId]);
      return;
    }
    await this.requireStaff(q, schoolId, accountId);
    await q.query(
      `INSERT INTO hs_class_deputies (school_id, class_id, account_id) VALUES ($1, $2, $3) ON CONFLICT (school_id, class_id) DO UPDATE SET account_id = EXCLUDED.account_id`,
      [schoolId, classId, accountId],
    );
  }

  /** Marks a staff member away (from, until); until <= from clears it. */
  async setAbsence(q: Queryable, schoolId: string, accountId: string, from: number, until: number): Promise<void> {
    await this.requireStaff(q, schoolId, accountId);
    if (until <= from) await q.query('DELETE FROM hs_staff_absences WHERE account_id = $1', [accountId]);
    else await q.query(`INSERT INTO hs_staff_absences (account_id, from_at, until_at) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET from_at = $2, until_at = $3`, [accountId, from, until]);
  }

  // ---- alerts ----

  /**
   * Leaves that ended while the child, who went out through the gate, has not come back:
   * one alert to each head teacher (and deputy) of the class and each guardian who
   * receives notices. Each leave is alerted once, also with several cloud processes.
   */
  async sweepOverdue(): Promise<number> {
    const t = this.now();
    const due = await this.db.query<Row & { timezone: string }>(
      `${SELECT.replace('FROM hs_leave_requests r', ', s.timezone FROM hs_leave_requests r JOIN schools s ON s.id = r.school_id')}
       WHERE r.status = 'approved' AND r.overdue_alerted_at IS NULL AND r.until_at <= $1 AND r.until_at > $1 - 86400000 ORDER BY r.until_at LIMIT 200`,
      [t],
    );
    let alerted = 0;
    for (const row of due.rows) {
      const [req] = await this.withPassages(this.db, [row]);
      if (!req || req.exitedAt === null || (req.returnedAt !== null && req.returnedAt <= req.until)) {
        // Never went out, or back in time: nothing to alert; not looked at again once the child is back or the day is over.
        // (An exit uploaded late by an edge that was offline still counts for an hour.)
        if (req && (req.returnedAt !== null || req.until < t - 3600_000)) await this.db.query('UPDATE hs_leave_requests SET overdue_alerted_at = 0 WHERE id = $1 AND overdue_alerted_at IS NULL', [row.id]);
        continue;
      }
      const until = new Intl.DateTimeFormat('zh-CN', { timeZone: row.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(req.until);
      const text = bilingual('home.alert.leave_overdue', { name: req.studentName, classId: req.classId, until });
      const wrote = await this.db.transaction(async (tx) => {
        const claim = await tx.query('UPDATE hs_leave_requests SET overdue_alerted_at = $2 WHERE id = $1 AND overdue_alerted_at IS NULL', [row.id, t]);
        if (!claim.rowCount) return false;
        const staff = await tx.query<{ id: string }>(
          `SELECT a.id FROM staff_accounts a JOIN staff_roles r ON r.account_id = a.id AND r.role = 'head_teacher' AND r.class_id = $2 WHERE a.school_id = $1 AND NOT a.disabled
           UNION SELECT account_id FROM hs_class_deputies WHERE school_id = $1 AND class_id = $2`,
          [row.school_id, row.class_id],
        );
        const guardians = await tx.query<{ phone: string }>(
          `SELECT DISTINCT p.data->>'phone' AS phone FROM records g JOIN records p ON p.school_id = g.school_id AND p.kind = 'person' AND NOT p.deleted AND p.key = g.data->>'guardianId'
           WHERE g.school_id = $1 AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'studentId' = $2 AND (g.data->>'receivesNotices')::boolean AND p.data->>'phone' IS NOT NULL`,
          [row.school_id, row.student_key],
        );
        const to = [...staff.rows.map((x) => ['staff', x.id]), ...guardians.rows.map((x) => ['guardian', x.phone])];
        for (const [type, who] of to) {
          await tx.query(
            `INSERT INTO hs_alerts (school_id, kind, subject_id, recipient_type, recipient, text_zh, text_en, created_at) VALUES ($1, 'leave_overdue', $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
            [row.school_id, row.id, type, who, text['zh-CN'], text.en, t],
          );
        }
        return true;
      });
      if (wrote) alerted++;
    }
    return alerted;
  }

  async alerts(recipientType: 'staff' | 'guardian', recipient: string, limit = 50): Promise<{ id: number; kind: string; subjectId: string; text: { 'zh-CN': string; en: string }; createdAt: number }[]> {
    const r = await this.db.query<{ id: number; kind: string; subject_id: string; text_zh: string; text_en: string; created_at: number }>(
      'SELECT id, kind, subject_id, text_zh, text_en, created_at FROM hs_alerts WHERE recipient_type = $1 AND recipient = $2 ORDER BY id DESC LIMIT $3',
      [recipientType, recipient, limit],
    );
    return r.rows.map((x) => ({ id: Number(x.id), kind: x.kind, subjectId: x.subject_id, text: { 'zh-CN': x.text_zh, en: x.text_en }, createdAt: x.created_at }));
  }

  // ---- helpers ----

  private checkTimes(from: number, until: number): void {
    if (until <= from) throw new HttpError(400, 'home.error.leave_time');
    if (until - from > MAX_LEAVE_DAYS * 86_400_000) throw new HttpError(400, 'home.error.leave_too_long', { days: MAX_LEAVE_DAYS });
    if (until <= this.now()) throw new HttpError(400, 'home.error.leave_past');
  }

  private async writeLeave(q: Queryable, schoolId: string, key: string, x: { student_key: string; from_at: number; until_at: number; reason_kind: string; reason: string; approvedBy: string }): Promise<number> {
    const label = bilingual(`parent.home.reason_${x.reason_kind}`)['zh-CN'];
    const leave = LeaveRecordSchema.parse({ personId: x.student_key, from: x.from_at, until: x.until_at, reason: (x.reason ? `${label}：${x.reason}` : label).slice(0, 200), approvedBy: x.approvedBy.slice(0, 128) });
    return this.records.writeIn(q, schoolId, [{ kind: 'leave', key, data: leave }]);
  }

  private async requireStaff(q: Queryable, schoolId: string, accountId: string): Promise<void> {
    const r = await q.query('SELECT 1 FROM staff_accounts WHERE id = $1 AND school_id = $2', [accountId, schoolId]);
    if (!r.rows.length) throw new HttpError(400, 'home.error.not_staff', { accountId });
  }

  private async guardianOf(q: Queryable, phone: string, schoolId: string, studentKey: string): Promise<{ name: string; classId: string | null } | null> {
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

  private async get(q: Queryable, schoolId: string, id: string): Promise<LeaveRequest | null> {
    const r = await q.query<Row>(`${SELECT} WHERE r.school_id = $1 AND r.id = $2`, [schoolId, id]);
    return (await this.withPassages(q, r.rows))[0] ?? null;
  }

  /**
   * Matches each approved leave with the child's campus passages (the one rule
   * `campusPassageOf`): the first exit inside the window (a little slack before it), then
   * the first entry after that exit. A match once found is kept on the row.
   */
  private async withPassages(q: Queryable, rows: Row[]): Promise<LeaveRequest[]> {
    const t = this.now();
    const out: LeaveRequest[] = [];
    for (const x of rows) {
      let exitedAt = x.exited_at;
      let returnedAt = x.returned_at;
      if (x.status === 'approved' && returnedAt === null && x.from_at - EXIT_SLACK_MS <= t) {
        const ev = await q.query<{ type: string; reason: string; data: unknown; occurred_at: number }>(
          `SELECT type, reason, data, occurred_at FROM events WHERE school_id = $1 AND subject = $2 AND type = 'access.decision' AND occurred_at >= $3 ORDER BY occurred_at, id LIMIT 500`,
          [x.school_id, x.student_key, exitedAt ?? x.from_at - EXIT_SLACK_MS],
        );
        for (const e of ev.rows) {
          const p = campusPassageOf(e);
          if (!p || p.repeat) continue;
          if (exitedAt === null) {
            if (p.direction === 'out' && e.occurred_at <= x.until_at) exitedAt = e.occurred_at;
          } else if (p.direction === 'in' && e.occurred_at > exitedAt) {
            returnedAt = e.occurred_at;
            break;
          }
        }
        if (exitedAt !== x.exited_at || returnedAt !== x.returned_at) {
          await q.query('UPDATE hs_leave_requests SET exited_at = $2, returned_at = $3 WHERE id = $1', [x.id, exitedAt, returnedAt]);
        }
      }
      out.push({
        id: x.id,
        schoolId: x.school_id,
        studentKey: x.student_key,
        studentName: x.student_name ?? x.student_key,
        classId: x.class_id,
        kind: x.kind,
        from: Number(x.from_at),
        until: Number(x.until_at),
        reasonKind: x.reason_kind,
        reason: x.reason,
        collector: x.collector,
        applicantName: x.applicant_name,
        status: x.status,
        decidedByName: x.decided_by_name,
        decidedAt: x.decided_at === null ? null : Number(x.decided_at),
        decisionNote: x.decision_note,
        leaveKey: x.leave_key,
        exitedAt: exitedAt === null ? null : Number(exitedAt),
        returnedAt: returnedAt === null ? null : Number(returnedAt),
        overdue: exitedAt !== null && (returnedAt === null ? t > x.until_at : returnedAt > x.until_at),
        createdAt: Number(x.created_at),
      });
    }
    return out;
  }
}
