import { z } from 'zod';
import type { RecordKind } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import type { RecordStore } from '../feed/records.js';
import { HttpError } from '../http/errors.js';
import { redactRecord } from '../open/sensitive.js';
import type { HealthDesk } from './health.js';
import type { MedicalDesk } from './medical.js';
import './health-messages.js';
import { MESSAGE_DATA_HOLDER } from './messages-common.js';

export const EraseSchema = z.strictObject({ confirmKey: z.string().max(128) });

/**
 * A holder of data about a child: a module with its own tables adds one to `PIPL_HOLDERS`
 * so the child's export carries its part and the erasure removes it (home-school
 * messages, forms, … register themselves here with one line).
 */
export interface ChildDataHolder {
  name: string;
  export(q: Queryable, schoolId: string, studentKey: string): Promise<unknown>;
  erase(q: Queryable, schoolId: string, studentKey: string): Promise<number>;
}
export const PIPL_HOLDERS: ChildDataHolder[] = [MESSAGE_DATA_HOLDER];

/** Cloud records that are about the child: the child, and records naming it as student or person. */
const ABOUT = `school_id = $1 AND NOT deleted AND ((kind = 'person' AND key = $2) OR data->>'studentId' = $2 OR data->>'personId' = $2)`;
/** Events about the child: its subject, or naming it in the data. */
const EVENTS = `school_id = $1 AND (subject = $2 OR data->>'studentId' = $2 OR data->>'personId' = $2)`;

/**
 * PIPL (个人信息保护法; a child under 14's data is sensitive personal information): the
 * export of everything the cloud holds about one child, for a guardian or the school
 * admin, and the school admin's erasure of it. Erasure deletes the child's cloud records
 * through the change feed (so every edge deletes its copy too), the gate and bus events,
 * notices, leave applications, roll-call marks, alerts, health entries, medical notes and
 * their reads, the child's name in bus alarm texts, and what registered holders keep; the staff audit (append-only) keeps only
 * ids, never names or notes.
 */
export class ChildData {
  constructor(
    private readonly records: RecordStore,
    private readonly health: HealthDesk,
    private readonly medical: MedicalDesk,
    private readonly now: () => number = Date.now,
  ) {}

  async exportOf(q: Queryable, schoolId: string, studentKey: string): Promise<Record<string, unknown>> {
    await this.requireStudent(q, schoolId, studentKey);
    const recs = (await q.query<{ kind: RecordKind; key: string; data: Record<string, unknown>; changed_at: number }>(`SELECT kind, key, data, changed_at FROM records WHERE ${ABOUT} ORDER BY kind, key`, [schoolId, studentKey])).rows;
    // Other people's sensitive fields (a guardian's or pickup person's phone) stay out; the child's own record is whole.
    const records = recs.map((r) => ({ kind: r.kind, key: r.key, changedAt: Number(r.changed_at), data: r.kind === 'person' && r.key === studentKey ? r.data : redactRecord(r.kind, r.data, false).value }));
    const events = (await q.query<{ id: string; type: string; occurred_at: number; source: string; data: unknown }>(`SELECT id, type, occurred_at, source, data FROM events WHERE ${EVENTS} ORDER BY occurred_at, id LIMIT 100000`, [schoolId, studentKey])).rows.map((e) => ({ id: e.id, type: e.type, occurredAt: Number(e.occurred_at), source: e.source, data: e.data }));
    const notices = (await q.query<{ kind: string; text_zh: string; text_en: string; occurred_at: number; status: string }>(
      'SELECT kind, text_zh, text_en, occurred_at, status FROM notices WHERE school_id = $1 AND student_key = $2 ORDER BY occurred_at, id',
      [schoolId, studentKey],
    )).rows.map((n) => ({ kind: n.kind, text: { 'zh-CN': n.text_zh, en: n.text_en }, occurredAt: Number(n.occurred_at), status: n.status }));
    const leaves = (await q.query('SELECT id, kind, from_at, until_at, reason_kind, reason, collector, applicant_name, status, decided_by_name, decided_at, exited_at, returned_at, created_at FROM hs_leave_requests WHERE school_id = $1 AND student_key = $2 ORDER BY created_at', [schoolId, studentKey])).rows;
    const rollCall = (await q.query('SELECT class_id, day, present, marked_at FROM hs_roll_marks WHERE school_id = $1 AND student_key = $2 ORDER BY day', [schoolId, studentKey])).rows;
    const alerts = (await q.query(`SELECT DISTINCT kind, subject_id, text_zh, text_en, created_at FROM hs_alerts WHERE school_id = $1 AND (subject_id LIKE $2 OR subject_id IN (SELECT id FROM hs_leave_requests WHERE school_id = $1 AND student_key = $3)) ORDER BY created_at`, [schoolId, `${studentKey}@%`, studentKey])).rows;
    const extra: Record<string, unknown> = {};
    for (const h of PIPL_HOLDERS) extra[h.name] = await h.export(q, schoolId, studentKey);
    return {
      schoolId,
      studentKey,
      exportedAt: this.now(),
      records,
      events,
      notices,
      leaveRequests: leaves,
      rollCall,
      alerts,
      health: await this.health.exportOf(q, schoolId, studentKey),
      medical: await this.medical.exportOf(q, schoolId, studentKey),
      ...extra,
    };
  }

  /** Erases the child's data in the caller's transaction; the caller wakes the feed after commit. Returns counts per place. */
  async erase(q: Queryable, schoolId: string, studentKey: string): Promise<Record<string, number>> {
    await this.requireStudent(q, schoolId, studentKey);
    const out: Record<string, number> = {};
    const name = (await q.query<{ name: string | null }>(`SELECT data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2`, [schoolId, studentKey])).rows[0]?.name ?? null;
    const recs = (await q.query<{ kind: RecordKind; key: string }>(`SELECT kind, key FROM records WHERE ${ABOUT}`, [schoolId, studentKey])).rows;
    await this.records.writeIn(q, schoolId, recs.map((r) => ({ kind: r.kind, key: r.key, delete: true as const })));
    out.records = recs.length;
    const del = async (name: string, sql: string, params: unknown[]) => {
      out[name] = (await q.query(sql, params)).rowCount ?? 0;
    };
    const leaveIds = (await q.query<{ id: string }>('SELECT id FROM hs_leave_requests WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey])).rows.map((x) => x.id);
    await del('alerts', `DELETE FROM hs_alerts WHERE school_id = $1 AND (subject_id LIKE $2 OR subject_id = ANY($3::text[]))`, [schoolId, `${studentKey.replace(/[%_\\]/g, '\\$&')}@%`, leaveIds]);
    await del('leaveRequests', 'DELETE FROM hs_leave_requests WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('rollCall', 'DELETE FROM hs_roll_marks WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('healthChecks', 'DELETE FROM hs_health_checks WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('healthDeclarations', 'DELETE FROM hs_health_declarations WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('medicalNotes', 'DELETE FROM hs_medical_notes WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('medicalReads', 'DELETE FROM hs_medical_reads WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('notices', 'DELETE FROM notices WHERE school_id = $1 AND student_key = $2', [schoolId, studentKey]);
    await del('noticeVerdicts', `DELETE FROM notice_verdicts v WHERE v.school_id = $1 AND v.event_id IN (SELECT id FROM events WHERE ${EVENTS})`, [schoolId, studentKey]);
    await del('webhookDeliveries', `DELETE FROM open_webhook_deliveries d WHERE d.school_id = $1 AND d.event_id IN (SELECT id FROM events WHERE ${EVENTS})`, [schoolId, studentKey]);
    await del('events', `DELETE FROM events WHERE ${EVENTS}`, [schoolId, studentKey]);
    // Bus alarms are about a trip and may name several children: the child's name is struck from their texts.
    if (name) {
      const like = `%${name.replace(/[%_\\]/g, '\\$&')}%`;
      await del('busAlarmTexts', `UPDATE bus_alarms SET text_zh = replace(text_zh, $2, '（已删除）'), text_en = replace(text_en, $2, '(erased)') WHERE school_id = $1 AND (text_zh LIKE $3 OR text_en LIKE $3)`, [schoolId, name, like]);
    }
    for (const h of PIPL_HOLDERS) out[h.name] = await h.erase(q, schoolId, studentKey);
    return out;
  }

  private async requireStudent(q: Queryable, schoolId: string, studentKey: string): Promise<void> {
    const r = await q.query(`SELECT 1 FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted AND data->'roles' ? 'student'`, [schoolId, studentKey]);
    if (!r.rows.length) throw new HttpError(404, 'home.error.not_student', { personKey: studentKey });
  }
}
