import { campusPassageOf } from '@campus/protocol/access/index';
import { busRideOf } from '@campus/protocol/bus/notice';
import { translate } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import type { Job } from '../jobs/queue.js';
import type { NoticeChannel, OutgoingNotice } from './channels/channel.js';
import { composeNotice, composeSummary, isLate } from './compose.js';
import { noticeKindOf, type NotifyJob } from './notice-candidates.js';
import { NoticeSettingsSchema, quietUntil, rulesFor, type NoticeSettings } from './notice-rules.js';
import { kindEnabled, parsePrefs } from './preferences.js';
import { verdictFor } from './presence.js';
import './messages.js';

/**
 * Notice states that need no delivery (now): held until quiet hours end (then folded into
 * a summary: summarized), muted (kind switched off), no_channel, and the old quiet state.
 */
const HELD_BACK = new Set(['held', 'summarized', 'quiet', 'muted', 'no_channel']);

/** A summary notice that is still pending this long after it was made is picked up again (its process died). */
const SUMMARY_STALE_MS = 30_000;

/** A delivery is given up (status failed) after this many attempts. */
export const MAX_DELIVERY_ATTEMPTS = 6;

interface EventRow {
  id: string;
  type: string;
  reason: string;
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
 * Turns stored events into guardian notices: one notice per real change per guardian
 * (unique in the database, so a retried job never notifies twice), then one delivery per
 * channel target, each with its attempts and outcome recorded. A job fails (and is
 * retried by the queue) while some delivery is still worth retrying.
 *
 * Gate passages notify only changes of where the child is (presence.ts): entry after
 * being out, exit after being in, judged in the order they happened. Non-safety notices
 * inside the school's (or the guardian's own) quiet hours are held and sent as one
 * summary when the quiet hours end (releaseHeld). All state is in the database.
 */
export class GuardianNotifier {
  private readonly settings: NoticeSettings;
  private timer: NodeJS.Timeout | null = null;
  private releasing: Promise<unknown> | null = null;

  constructor(
    private readonly db: Database,
    private readonly channels: NotifierChannels,
    private readonly opts: { concurrency?: number; now?: () => number; onError?: (err: Error) => void; settings?: NoticeSettings } = {},
  ) {
    this.settings = opts.settings ?? NoticeSettingsSchema.parse({});
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Looks for held notices whose quiet hours are over, every `releaseEverySeconds`, in every process. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.releasing) return;
      this.releasing = this.releaseHeld()
        .catch((err: Error) => this.opts.onError?.(err))
        .finally(() => (this.releasing = null));
    }, this.settings.releaseEverySeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.releasing;
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
    const ev = (await this.db.query<EventRow>('SELECT id, type, reason, priority, subject, data, occurred_at, received_at FROM events WHERE school_id = $1 AND id = $2', [schoolId, eventId])).rows[0];
    if (!ev || !ev.subject) return 0;
    const studentKey = ev.subject;
    const kind = noticeKindOf({ type: ev.type, reason: ev.reason, priority: ev.priority as 0, subject: studentKey, data: ev.data });
    if (!kind) return 0;
    const who = (
      await this.db.query<{ timezone: string; name: string | null }>(
        `SELECT s.timezone, (SELECT data->>'name' FROM records WHERE school_id = s.id AND kind = 'person' AND key = $2 AND NOT deleted) AS name FROM schools s WHERE s.id = $1`,
        [schoolId, studentKey],
      )
    ).rows[0];
    const timezone = who?.timezone ?? 'Asia/Shanghai';
    const rules = rulesFor(this.settings, schoolId);
    const studentName = who?.name ?? studentKey;
    const guardians = await this.guardians(schoolId, studentKey);
    const passage = campusPassageOf(ev);
    const ride = busRideOf(ev);
    const facts = { kind, studentName, gate: passage?.gateName, stop: ride?.stopName ?? undefined, route: ride?.routeName ?? undefined, occurredAt: ev.occurred_at, receivedAt: ev.received_at, timezone };
    const late = isLate(facts);
    const safety = kind === 'safety';
    const textZh = composeNotice('zh-CN', facts);
    const textEn = composeNotice('en', facts);

    const write = async (q: Queryable): Promise<boolean> => {
      const now = this.now();
      if (passage) {
        const verdict = await verdictFor(q, schoolId, studentKey, { id: ev.id, occurredAt: ev.occurred_at, late, passage }, rules.foldWindowMinutes * 60_000, now);
        if (verdict !== 'change') return false;
      }
      if (guardians.length === 0) return false;
      const schoolQuiet = safety ? null : quietUntil(rules.quietHours, now, timezone);
      const rows = guardians.map((g) => {
        const prefs = parsePrefs(g.prefs);
        const ownQuiet = safety ? null : quietUntil(prefs.quietHours, now, timezone);
        const holdUntil = schoolQuiet === null ? ownQuiet : ownQuiet === null ? schoolQuiet : Math.max(schoolQuiet, ownQuiet);
        const status = !kindEnabled(prefs, kind) ? 'muted' : holdUntil !== null ? 'held' : 'pending';
        return { phone: g.phone, status, holdUntil: status === 'held' ? holdUntil : null };
      });
      await q.query(
        `INSERT INTO notices (school_id, event_id, phone, student_key, kind, text_zh, text_en, occurred_at, received_at, late, status, created_at, hold_until)
         SELECT $1, $2, phone, $3, $4, $5, $6, $7, $8, $9, status, $10, hold FROM unnest($11::text[], $12::text[], $13::bigint[]) AS x(phone, status, hold)
         ON CONFLICT (school_id, event_id, phone) DO NOTHING`,
        [schoolId, ev.id, studentKey, kind, textZh, textEn, ev.occurred_at, ev.received_at, late, now, rows.map((r) => r.phone), rows.map((r) => r.status), rows.map((r) => r.holdUntil)],
      );
      return true;
    };
    // A passage is judged and its notices written under the student's lock: one judgement per run of passages.
    const made = passage ? await this.db.transaction(write) : await write(this.db);
    if (!made) return 0;

    // A retried job finds its notices made; it finishes their deliveries (sent ones are skipped).
    const notices = await this.db.query<{ id: number; phone: string; status: string }>('SELECT id, phone, status FROM notices WHERE school_id = $1 AND event_id = $2', [schoolId, ev.id]);
    const retries = await Promise.all(
      notices.rows.map(async (n) => {
        const g = guardians.find((x) => x.phone === n.phone);
        if (!g || HELD_BACK.has(n.status)) return 0;
        const prefs = parsePrefs(g.prefs);
        if (!(await this.planDeliveries(n.id, g, prefs, safety))) return 0;
        return this.deliver({
          noticeId: n.id,
          schoolId,
          eventId: ev.id,
          studentKey,
          studentName,
          kind,
          title: translate(prefs.locale, 'notice.title'),
          text: prefs.locale === 'zh-CN' ? textZh : textEn,
          occurredAt: ev.occurred_at,
          late,
          safety,
        });
      }),
    );
    return retries.reduce((a, b) => a + b, 0);
  }

  /**
   * Held notices whose quiet hours are over go out as one summary per guardian and child,
   * listing every held notice oldest first. Nothing is dropped: a child who left campus at
   * night and came back is exactly what the parent must read in the morning. Rows are
   * claimed with SKIP LOCKED, so several cloud processes never send one summary twice.
   * Returns the number of summaries delivered.
   */
  async releaseHeld(): Promise<number> {
    const now = this.now();
    const groups = await this.db.query<{ school_id: string; phone: string; student_key: string }>(
      `SELECT DISTINCT school_id, phone, student_key FROM notices WHERE status = 'held' AND hold_until <= $1 LIMIT 200`,
      [now],
    );
    let sent = 0;
    for (const grp of groups.rows) {
      const summaryId = await this.db.transaction(async (tx) => {
        const held = await tx.query<{ id: number; event_id: string; text_zh: string; text_en: string; occurred_at: number; late: boolean }>(
          `SELECT id, event_id, text_zh, text_en, occurred_at, late FROM notices
           WHERE school_id = $1 AND phone = $2 AND student_key = $3 AND status = 'held' AND hold_until <= $4
           ORDER BY occurred_at, id FOR UPDATE SKIP LOCKED`,
          [grp.school_id, grp.phone, grp.student_key, now],
        );
        if (held.rows.length === 0) return null;
        const items = held.rows;
        const last = items[items.length - 1]!;
        const ins = await tx.query<{ id: number }>(
          `INSERT INTO notices (school_id, event_id, phone, student_key, kind, text_zh, text_en, occurred_at, received_at, late, status, created_at)
           VALUES ($1, NULL, $2, $3, 'summary', $4, $5, $6, $7, $8, 'pending', $7) RETURNING id`,
          [grp.school_id, grp.phone, grp.student_key, composeSummary('zh-CN', items.map((i) => i.text_zh)), composeSummary('en', items.map((i) => i.text_en)), last.occurred_at, now, items.some((i) => i.late)],
        );
        const id = ins.rows[0]!.id;
        await tx.query(`UPDATE notices SET status = 'summarized', summary_id = $1 WHERE id = ANY($2::bigint[])`, [id, items.map((i) => i.id)]);
        return id;
      });
      if (summaryId !== null && (await this.sendSummary(summaryId))) sent++;
    }
    // Summaries left pending by a process that died before delivering them.
    const stale = await this.db.query<{ id: number }>(
      `UPDATE notices SET created_at = $1 WHERE id IN (
         SELECT id FROM notices WHERE kind = 'summary' AND status = 'pending' AND created_at < $2 LIMIT 50 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, now - SUMMARY_STALE_MS],
    );
    for (const s of stale.rows) if (await this.sendSummary(s.id)) sent++;
    return sent;
  }

  private async sendSummary(noticeId: number): Promise<boolean> {
    const n = (await this.db.query<{ school_id: string; phone: string; student_key: string; text_zh: string; text_en: string; occurred_at: number; late: boolean }>(
      'SELECT school_id, phone, student_key, text_zh, text_en, occurred_at, late FROM notices WHERE id = $1',
      [noticeId],
    )).rows[0];
    if (!n) return false;
    const g = (await this.guardians(n.school_id, n.student_key)).find((x) => x.phone === n.phone);
    if (!g) {
      await this.db.query(`UPDATE notices SET status = 'no_channel' WHERE id = $1`, [noticeId]);
      return false;
    }
    const prefs = parsePrefs(g.prefs);
    if (!(await this.planDeliveries(noticeId, g, prefs, false))) return false;
    const student = (await this.db.query<{ name: string }>(`SELECT data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`, [n.school_id, n.student_key])).rows[0];
    await this.deliver({
      noticeId,
      schoolId: n.school_id,
      eventId: '',
      studentKey: n.student_key,
      studentName: student?.name ?? n.student_key,
      kind: 'summary',
      title: translate(prefs.locale, 'notice.summary.title'),
      text: prefs.locale === 'zh-CN' ? n.text_zh : n.text_en,
      occurredAt: n.occurred_at,
      late: n.late,
      safety: false,
    });
    return true;
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
