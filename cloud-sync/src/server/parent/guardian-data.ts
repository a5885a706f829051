import type { Database } from '../db/database.js';

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
  eventId: string;
  type: string;
  direction: 'in' | 'out' | null;
  gate: string | null;
  occurredAt: number;
  receivedAt: number;
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
  constructor(private readonly db: Database) {}

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

  async isGuardianOf(phone: string, schoolId: string, studentKey: string): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM records p
       JOIN records g ON g.school_id = p.school_id AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'guardianId' = p.key
       WHERE p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $1 AND p.school_id = $2 AND g.data->>'studentId' = $3 LIMIT 1`,
      [phone, schoolId, studentKey],
    );
    return r.rows.length > 0;
  }

  /** Gate passes and attendance of one child, newest first. Call only after isGuardianOf. */
  async timeline(schoolId: string, studentKey: string, before: number, limit: number): Promise<TimelineEntry[]> {
    const r = await this.db.query<{ id: string; type: string; data: Record<string, unknown>; occurred_at: number; received_at: number }>(
      `SELECT id, type, data, occurred_at, received_at FROM events
       WHERE school_id = $1 AND subject = $2 AND occurred_at < $3
         AND type IN ('access.decision', 'attendance.late', 'attendance.absent')
         AND (type <> 'access.decision' OR ((data->>'granted')::boolean AND COALESCE(data->>'zoneKind', 'campus') = 'campus'))
       ORDER BY occurred_at DESC LIMIT $4`,
      [schoolId, studentKey, before, limit],
    );
    return r.rows.map((x) => ({
      eventId: x.id,
      type: x.type,
      direction: x.data.direction === 'in' || x.data.direction === 'out' ? x.data.direction : null,
      gate: typeof x.data.gateName === 'string' ? x.data.gateName : typeof x.data.gate === 'string' ? x.data.gate : null,
      occurredAt: x.occurred_at,
      receivedAt: x.received_at,
    }));
  }

  async notices(phone: string, before: number, limit: number): Promise<NoticeEntry[]> {
    const r = await this.db.query<{ id: number; school_id: string; student_key: string; kind: string; text_zh: string; text_en: string; occurred_at: number; late: boolean; status: string }>(
      `SELECT id, school_id, student_key, kind, text_zh, text_en, occurred_at, late, status FROM notices
       WHERE phone = $1 AND occurred_at < $2 ORDER BY occurred_at DESC, id DESC LIMIT $3`,
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

  async subscriptionKeys(endpoint: string): Promise<{ endpoint: string; p256dh: string; auth: string } | null> {
    return (await this.db.query<{ endpoint: string; p256dh: string; auth: string }>('SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE endpoint = $1', [endpoint])).rows[0] ?? null;
  }
}
