import { gateLabel, GatePassDataSchema } from '@campus/protocol/sync/notice-events';
import { translate } from '@campus/protocol';
import type { Database } from '../db/database.js';
import type { Job } from '../jobs/queue.js';
import type { NoticeChannel, OutgoingNotice } from './channels/channel.js';
import { composeNotice, isLate } from './compose.js';
import { noticeKindOf, type NotifyJob } from './notice-candidates.js';
import { inQuietHours, kindEnabled, parsePrefs } from './preferences.js';
import './messages.js';

/** Notice states that are final without any delivery. */
const HELD_BACK = new Set(['quiet', 'muted', 'no_channel']);

/** A delivery is given up (status failed) after this many attempts. */
export const MAX_DELIVERY_ATTEMPTS = 6;

interface EventRow {
  id: string;
  type: string;
  priority: number;
  subject: string | null;
  data: Record<string, unknown>;
  occurred_at: number;
  received_at: number;
}

interface GuardianRow {
  phone: string;
  wechat_open_id: string | null;
  prefs: unknown;
}

export interface NotifierChannels {
  webpush?: NoticeChannel | undefined;
  wechat?: NoticeChannel | undefined;
  sms?: NoticeChannel | undefined;
  webhook?: NoticeChannel | undefined;
}

/**
 * Turns stored events into guardian notices: one notice per event per guardian (unique
 * in the database, so a retried job never notifies twice), then one delivery per channel
 * target, each with its attempts and outcome recorded. A job fails (and is retried by
 * the queue) while some delivery is still worth retrying.
 */
export class GuardianNotifier {
  constructor(
    private readonly db: Database,
    private readonly channels: NotifierChannels,
    private readonly opts: { concurrency?: number; now?: () => number; onError?: (err: Error) => void } = {},
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async handle(jobs: Job<NotifyJob>[]): Promise<void> {
    const work: { schoolId: string; eventId: string }[] = [];
    for (const j of jobs) for (const eventId of j.data.eventIds) work.push({ schoolId: j.data.schoolId, eventId });
    let retry = 0;
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const w = work[next++]!;
        retry += await this.notifyEvent(w.schoolId, w.eventId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 16, work.length) }, worker));
    if (retry > 0) throw new Error(`${retry} deliveries to retry`);
  }

  /** Returns the number of deliveries left to retry. */
  async notifyEvent(schoolId: string, eventId: string): Promise<number> {
    const ev = (await this.db.query<EventRow>('SELECT id, type, priority, subject, data, occurred_at, received_at FROM events WHERE school_id = $1 AND id = $2', [schoolId, eventId])).rows[0];
    if (!ev || !ev.subject) return 0;
    const kind = noticeKindOf({ type: ev.type, priority: ev.priority as 0, subject: ev.subject, data: ev.data });
    if (!kind) return 0;
    const school = (await this.db.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0];
    const timezone = school?.timezone ?? 'Asia/Shanghai';
    const student = (await this.db.query<{ name: string }>(`SELECT data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`, [schoolId, ev.subject])).rows[0];
    const studentName = student?.name ?? ev.subject;
    const guardians = await this.guardians(schoolId, ev.subject);
    const pass = ev.type === 'access.decision' ? GatePassDataSchema.safeParse(ev.data) : null;
    const gate = pass?.success ? gateLabel(pass.data) : undefined;
    const facts = { kind, studentName, gate, occurredAt: ev.occurred_at, receivedAt: ev.received_at, timezone };
    const late = isLate(facts);
    const safety = kind === 'safety';
    let retry = 0;
    for (const g of guardians) {
      const prefs = parsePrefs(g.prefs);
      const textZh = composeNotice('zh-CN', facts);
      const textEn = composeNotice('en', facts);
      const now = this.now();
      const status = !kindEnabled(prefs, kind) ? 'muted' : !safety && inQuietHours(prefs, now, timezone) ? 'quiet' : 'pending';
      const ins = await this.db.query<{ id: number }>(
        `INSERT INTO notices (school_id, event_id, phone, student_key, kind, text_zh, text_en, occurred_at, received_at, late, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (school_id, event_id, phone) DO NOTHING RETURNING id`,
        [schoolId, ev.id, g.phone, ev.subject, kind, textZh, textEn, ev.occurred_at, ev.received_at, late, status, now],
      );
      let noticeId = ins.rows[0]?.id;
      if (noticeId === undefined) {
        // A retried job: the notice exists; finish its deliveries (sent ones are skipped).
        const existing = (await this.db.query<{ id: number; status: string }>('SELECT id, status FROM notices WHERE school_id = $1 AND event_id = $2 AND phone = $3', [schoolId, ev.id, g.phone])).rows[0];
        if (!existing || HELD_BACK.has(existing.status)) continue;
        noticeId = existing.id;
      } else if (status !== 'pending') continue;
      if (!(await this.planDeliveries(noticeId, g, prefs, safety))) continue;

      const locale = prefs.locale;
      const notice: OutgoingNotice = {
        noticeId,
        schoolId,
        eventId: ev.id,
        studentKey: ev.subject,
        studentName,
        kind,
        title: translate(locale, 'notice.title'),
        text: locale === 'zh-CN' ? textZh : textEn,
        occurredAt: ev.occurred_at,
        late,
        safety,
      };
      retry += await this.deliver(notice);
    }
    return retry;
  }

  private async guardians(schoolId: string, studentKey: string): Promise<GuardianRow[]> {
    const r = await this.db.query<GuardianRow>(
      `SELECT DISTINCT ON (p.data->>'phone') p.data->>'phone' AS phone, p.data->>'wechatOpenId' AS wechat_open_id, a.prefs
       FROM records g
       JOIN records p ON p.school_id = g.school_id AND p.kind = 'person' AND p.key = g.data->>'guardianId' AND NOT p.deleted
       LEFT JOIN guardian_accounts a ON a.phone = p.data->>'phone'
       WHERE g.school_id = $1 AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'studentId' = $2
         AND (g.data->>'receivesNotices')::boolean AND p.data->>'phone' IS NOT NULL`,
      [schoolId, studentKey],
    );
    return r.rows;
  }

  /** Creates the deliveries (idempotent); false when the guardian has no channel at all. */
  private async planDeliveries(noticeId: number, g: GuardianRow, prefs: ReturnType<typeof parsePrefs>, safety: boolean): Promise<boolean> {
    const targets: { channel: string; target: string }[] = [];
    if (this.channels.webpush && prefs.channels.webpush) {
      const subs = await this.db.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE phone = $1', [g.phone]);
      for (const s of subs.rows) targets.push({ channel: 'webpush', target: s.endpoint });
    }
    if (this.channels.wechat && prefs.channels.wechat && g.wechat_open_id) targets.push({ channel: 'wechat', target: g.wechat_open_id });
    // SMS costs money per message: opt-in, except for safety notices.
    if (this.channels.sms && (prefs.channels.sms || safety)) targets.push({ channel: 'sms', target: g.phone });
    if (this.channels.webhook) targets.push({ channel: 'webhook', target: g.phone });
    if (targets.length === 0) {
      const any = await this.db.query('SELECT 1 FROM notice_deliveries WHERE notice_id = $1 LIMIT 1', [noticeId]);
      if (any.rows.length) return true;
      await this.db.query(`UPDATE notices SET status = 'no_channel' WHERE id = $1`, [noticeId]);
      return false;
    }
    await this.db.query(
      `INSERT INTO notice_deliveries (notice_id, channel, target, status) SELECT $1, c, t, 'pending' FROM unnest($2::text[], $3::text[]) AS x(c, t) ON CONFLICT DO NOTHING`,
      [noticeId, targets.map((t) => t.channel), targets.map((t) => t.target)],
    );
    return true;
  }

  private async deliver(n: OutgoingNotice): Promise<number> {
    const pending = await this.db.query<{ channel: keyof NotifierChannels; target: string; attempts: number }>(
      `SELECT channel, target, attempts FROM notice_deliveries WHERE notice_id = $1 AND status = 'pending'`,
      [n.noticeId],
    );
    let retry = 0;
    await Promise.all(
      pending.rows.map(async (d) => {
        const channel = this.channels[d.channel];
        const outcome = channel ? await channel.deliver(d.target, n) : { status: 'failed' as const, error: `channel ${d.channel} not configured` };
        const attempts = d.attempts + 1;
        let status: string = outcome.status;
        if (outcome.status === 'retry') {
          if (attempts < MAX_DELIVERY_ATTEMPTS) {
            status = 'pending';
            retry++;
          } else status = 'failed';
        }
        const now = this.now();
        await this.db.query(
          `UPDATE notice_deliveries SET status = $4, attempts = $5, last_error = $6, last_attempt_at = $7, delivered_at = CASE WHEN $4 = 'sent' THEN $7 ELSE delivered_at END
           WHERE notice_id = $1 AND channel = $2 AND target = $3`,
          [n.noticeId, d.channel, d.target, status, attempts, 'error' in outcome ? outcome.error : null, now],
        );
        if (outcome.status === 'gone' && d.channel === 'webpush') await this.db.query('DELETE FROM push_subscriptions WHERE endpoint = $1', [d.target]);
      }),
    );
    // The notice's own status summarises its deliveries, for the parent's history.
    await this.db.query(
      `UPDATE notices SET status = CASE
         WHEN EXISTS (SELECT 1 FROM notice_deliveries WHERE notice_id = $1 AND status = 'sent') THEN 'sent'
         WHEN EXISTS (SELECT 1 FROM notice_deliveries WHERE notice_id = $1 AND status = 'pending') THEN 'pending'
         ELSE 'failed' END
       WHERE id = $1`,
      [n.noticeId],
    );
    return retry;
  }
}
