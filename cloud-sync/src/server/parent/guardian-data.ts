import { campusPassageOf } from '@campus/protocol/access/index';
import { guardianPickupCodes, type GuardianPickupCodes } from '../bus/pickup-codes.js';
import type { Database } from '../db/database.js';
import { NoticeSettingsSchema, rulesFor, type NoticeSettings } from '../notify/notice-rules.js';

export interface Child {
  schoolId: string;
  schoolName: string;
  /** The school's time zone: the app shows times as the school's clock reads. */
  timezone: string;
  studentKey: string;
  name: string;
  classId: string | null;
  relation: string;
}

export interface TimelineEntry {
  /** The first event of the entry. */
  eventId: string;
  type: string;
  direction: 'in' | 'out' | null;
  gate: string | null;
  /** When the first of the folded events happened. */
  occurredAt: number;
  receivedAt: number;
  /** Repeats folded into this entry ("入校（东门）×3"): same kind, direction and gate, each within the fold window of the one before. */
  count: number;
  /** When the last of them happened (= occurredAt when count is 1). */
  lastAt: number;
}

export interface NoticeEntry {
  id: number;
  schoolId: string;
  studentKey: string;
  kind: string;
  text: { 'zh-CN': string; en: string };
  occurredAt: number;
  late: boolean;
  status: string;
}

/**
 * Everything a guardian may read, always filtered by the guardian's phone number: the
 * children linked to a person record with that phone, their timelines and the notices
 * sent to that phone. There is no query here that takes a student key without the phone.
 */
export class GuardianData {
  constructor(
    private readonly db: Database,
    private readonly settings: NoticeSettings = NoticeSettingsSchema.parse({}),
  ) {}

  async children(phone: string): Promise<Child[]> {
    const r = await this.db.query<{ school_id: string; school_name: string; timezone: string; student_key: string; name: string; class_id: string | null; relation: string }>(
      `SELECT DISTINCT g.school_id, s.name AS school_name, s.timezone, g.data->>'studentId' AS student_key, st.data->>'name' AS name,
              st.data->>'classId' AS class_id, g.data->>'relation' AS relation
       FROM records p
       JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
       JOIN records st ON st.school_id = g.school_id AND st.kind = 'person' AND NOT st.deleted AND st.key = g.data->>'studentId'
       JOIN schools s ON s.id = g.school_id
       WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1
       ORDER BY name`,
      [phone],
    );
    return r.rows.map((x) => ({ schoolId: x.school_id, schoolName: x.school_name, timezone: x.timezone, studentKey: x.student_key, name: x.name, classId: x.class_id, relation: x.relation }));
  }

  /** The child's current pickup codes for this guardian (bus/pickup-codes.ts). Call only after isGuardianOf. */
  pickupCodes(phone: string, schoolId: string, studentKey: string, now: number): Promise<GuardianPickupCodes> {
    return guardianPickupCodes(this.db, phone, schoolId, studentKey, now);
  }

  async isGuardianOf(phone: string, schoolId: string, studentKey: string): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM records p
       JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
       WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = $2 AND g.data->>'studentId' = $3 LIMIT 1`,
      [phone, schoolId, studentKey],
    );
    return r.rows.length > 0;
  }

  /**
   * Campus gate passages (by the one rule `passageOf`: granted and the gate opened) and
   * attendance of one child, newest first. Repeats are folded into one entry with a count,
   * as notices fold them. Call only after isGuardianOf. Entries are complete up to
   * `before`; a run of repeats longer than one page may continue on the next.
   */
  async timeline(schoolId: string, studentKey: string, before: number, limit: number): Promise<TimelineEntry[]> {
    const foldMs = rulesFor(this.settings, schoolId).foldWindowMinutes * 60_000;
    // Literal types, so the planner can use the partial index events_timeline.
    const r = await this.db.query<{ id: string; type: string; reason: string; data: Record<string, unknown>; occurred_at: number; received_at: number }>(
      `SELECT id, type, reason, data, occurred_at, received_at FROM events
       WHERE school_id = $1 AND subject = $2 AND occurred_at < $3
         AND type IN ('access.decision', 'attendance.late', 'attendance.absent')
       ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      [schoolId, studentKey, before, Math.min(limit * 10, 2000)],
    );
    const out: TimelineEntry[] = [];
    for (const x of r.rows) {
      let entry: TimelineEntry;
      if (x.type === 'access.decision') {
        const p = campusPassageOf(x);
        if (!p) continue;
        entry = { eventId: x.id, type: x.type, direction: p.direction, gate: p.gateName, occurredAt: x.occurred_at, receivedAt: x.received_at, count: 1, lastAt: x.occurred_at };
      } else entry = { eventId: x.id, type: x.type, direction: null, gate: null, occurredAt: x.occurred_at, receivedAt: x.received_at, count: 1, lastAt: x.occurred_at };
      // Rows come newest first: the entry before it in `out` is the later one.
      const later = out[out.length - 1];
      if (later && later.type === entry.type && later.direction === entry.direction && later.gate === entry.gate && later.occurredAt - entry.occurredAt < foldMs) {
        later.count++;
        later.eventId = entry.eventId;
        later.occurredAt = entry.occurredAt;
        later.receivedAt = entry.receivedAt;
        continue;
      }
      if (out.length === limit) break;
      out.push(entry);
    }
    return out;
  }

  /**
   * The guardian's notice history: every notice on its own, also those held for quiet
   * hours (status held/summarized); the summary that delivered them is not repeated here.
   */
  async notices(phone: string, before: number, limit: number): Promise<NoticeEntry[]> {
    const r = await this.db.query<{ id: number; school_id: string; student_key: string; kind: string; text_zh: string; text_en: string; occurred_at: number; late: boolean; status: string }>(
      `SELECT id, school_id, student_key, kind, text_zh, text_en, occurred_at, late, status FROM notices
       WHERE phone = $1 AND occurred_at < $2 AND kind <> 'summary' ORDER BY occurred_at DESC, id DESC LIMIT $3`,
      [phone, before, limit],
    );
    return r.rows.map((x) => ({ id: x.id, schoolId: x.school_id, studentKey: x.student_key, kind: x.kind, text: { 'zh-CN': x.text_zh, en: x.text_en }, occurredAt: x.occurred_at, late: x.late, status: x.status }));
  }

  async prefs(phone: string): Promise<unknown> {
    return (await this.db.query<{ prefs: unknown }>('SELECT prefs FROM guardian_accounts WHERE phone = $1', [phone])).rows[0]?.prefs ?? {};
  }

  async savePrefs(phone: string, prefs: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO guardian_accounts (phone, prefs, created_at) VALUES ($1, $2, $3) ON CONFLICT (phone) DO UPDATE SET prefs = EXCLUDED.prefs`,
      [phone, JSON.stringify(prefs), Date.now()],
    );
  }

  async addSubscription(phone: string, sub: { endpoint: string; p256dh: string; auth: string }): Promise<void> {
    // An endpoint belongs to one browser; if another guardian signs in there, it moves to them.
    await this.db.query(
      `INSERT INTO push_subscriptions (endpoint, phone, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (endpoint) DO UPDATE SET phone = EXCLUDED.phone, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth`,
      [sub.endpoint, phone, sub.p256dh, sub.auth, Date.now()],
    );
  }

  async removeSubscription(phone: string, endpoint: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND phone = $2', [endpoint, phone]);
    return r.rowCount > 0;
  }

  /** The keys of the push subscriptions stored for these endpoints (one query for a batch of pushes). */
  async subscriptionKeys(endpoints: readonly string[]): Promise<Array<{ endpoint: string; p256dh: string; auth: string }>> {
    return (await this.db.query<{ endpoint: string; p256dh: string; auth: string }>('SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE endpoint = ANY($1::text[])', [endpoints])).rows;
  }
}
