import { campusPassageOf, type Passage } from '@campus/protocol/access/index';
import { busRideOf } from '@campus/protocol/bus/notice';
import { BUS_EVENTS } from '@campus/protocol/bus/events';
import { translate } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import type { Job } from '../jobs/queue.js';
import type { NoticeChannel, OutgoingNotice } from './channels/channel.js';
import { composeNotice, composeSummary, isLate, type NoticeFacts } from './compose.js';
import { noticeKindOf, type NotifyJob } from './notice-candidates.js';
import type { NoticeKind } from '@campus/protocol/sync/notice-events';
import { NoticeSettingsSchema, quietUntil, rulesFor, type NoticeSettings } from './notice-rules.js';
import { kindEnabled, parsePrefs } from './preferences.js';
import { lockStudents, verdictsFor } from './presence.js';
import './messages.js';

/**
 * Notice states that need no delivery (now): held until quiet hours end (then folded into
 * a summary: summarized), muted (kind switched off), no_channel, and the old quiet state.
 */
const HELD_BACK = new Set(['held', 'summarized', 'quiet', 'muted', 'no_channel']);

/** A summary notice that is still pending this long after it was made is picked up again (its process died). */
const SUMMARY_STALE_MS = 30_000;

/** At most this many events are judged and written together (one school's, from the jobs a worker took). */
const BATCH = 200;

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

type Prefs = ReturnType<typeof parsePrefs>;

/** One event that may notify, with everything its notices say. */
interface Item {
  ev: EventRow;
  studentKey: string;
  studentName: string;
  kind: NoticeKind;
  timezone: string;
  passage: Passage | null;
  late: boolean;
  safety: boolean;
  facts: NoticeFacts;
  /** Composed only for events that make a notice (most passages are judged and stay quiet). */
  textZh?: string;
  textEn?: string;
}

function texts(x: Item): { textZh: string; textEn: string } {
  x.textZh ??= composeNotice('zh-CN', x.facts);
  x.textEn ??= composeNotice('en', x.facts);
  return { textZh: x.textZh, textEn: x.textEn };
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

  /**
   * The events of the jobs a worker took together are judged and written as one batch per
   * school (BATCH events at most): a few round trips to the database per batch rather than
   * a dozen per event, so a morning rush that backs the queue up is worked off in bigger,
   * cheaper batches.
   */
  async handle(jobs: Job<NotifyJob>[]): Promise<void> {
    const bySchool = new Map<string, string[]>();
    for (const j of jobs) {
      const ids = bySchool.get(j.data.schoolId) ?? [];
      for (const eventId of j.data.eventIds) if (!ids.includes(eventId)) ids.push(eventId);
      bySchool.set(j.data.schoolId, ids);
    }
    const batches: Array<{ schoolId: string; eventIds: string[] }> = [];
    for (const [schoolId, ids] of bySchool) for (let i = 0; i < ids.length; i += BATCH) batches.push({ schoolId, eventIds: ids.slice(i, i + BATCH) });
    let retry = 0;
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        retry += await this.notifyEvents(b.schoolId, b.eventIds);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, batches.length) }, worker));
    if (retry > 0) throw new Error(`${retry} deliveries to retry`);
  }

  /** One event (see notifyEvents). Returns the number of deliveries left to retry. */
  notifyEvent(schoolId: string, eventId: string): Promise<number> {
    return this.notifyEvents(schoolId, [eventId]);
  }

  /**
   * Notices for a batch of one school's events: events, names and guardians read in two
   * queries; the gate passages judged under their students' locks and every notice written
   * in one transaction; then the deliveries planned, sent and recorded together. Returns the
   * number of deliveries left to retry.
   */
  async notifyEvents(schoolId: string, eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const rows = (
      await this.db.query<EventRow & { timezone: string | null; name: string | null }>(
        `SELECT e.id::text AS id, e.type, e.reason, e.priority, e.subject, e.data, e.occurred_at, e.received_at, s.timezone,
           (SELECT r.data->>'name' FROM records r WHERE r.school_id = e.school_id AND r.kind = 'person' AND r.key = e.subject AND NOT r.deleted) AS name
         FROM events e LEFT JOIN schools s ON s.id = e.school_id
         WHERE e.school_id = $1 AND e.id = ANY($2::uuid[])`,
        [schoolId, eventIds],
      )
    ).rows;
    // In the order the jobs gave them (a student's passages are judged in that order).
    const order = new Map(eventIds.map((id, i) => [id, i]));
    rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    const items: Item[] = [];
    for (const ev of rows) {
      if (!ev.subject) continue;
      const studentKey = ev.subject;
      const kind = noticeKindOf({ type: ev.type, reason: ev.reason, priority: ev.priority as 0, subject: studentKey, data: ev.data });
      if (!kind) continue;
      const timezone = ev.timezone ?? 'Asia/Shanghai';
      const studentName = ev.name ?? studentKey;
      const passage = campusPassageOf(ev);
      const ride = busRideOf(ev);
      // A failed bus handover (safety lane) names its stop and route too.
      const d = (ev.data ?? {}) as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v !== '-' ? v : undefined);
      const handover = kind === 'safety' && ev.type === BUS_EVENTS.handover;
      const facts = {
        kind,
        studentName,
        gate: passage?.gateName,
        stop: ride?.stopName ?? (handover ? text(d.stopName) : undefined),
        route: ride?.routeName ?? (handover ? text(d.routeName) : undefined),
        reason: ev.reason,
        occurredAt: ev.occurred_at,
        receivedAt: ev.received_at,
        timezone,
      };
      items.push({ ev, studentKey, studentName, kind, timezone, passage, late: isLate(facts), safety: kind === 'safety', facts });
    }
    if (items.length === 0) return 0;
    const guardians = await this.guardiansOf(schoolId, [...new Set(items.map((x) => x.studentKey))]);
    const rules = rulesFor(this.settings, schoolId);

    const write = async (q: Queryable): Promise<Item[]> => {
      const now = this.now();
      const passages = items.filter((x) => x.passage);
      let verdicts = new Map<string, string>();
      if (passages.length) {
        await lockStudents(q, schoolId, [...new Set(passages.map((x) => x.studentKey))]);
        verdicts = await verdictsFor(
          q,
          schoolId,
          passages.map((x) => ({ studentKey: x.studentKey, e: { id: x.ev.id, occurredAt: x.ev.occurred_at, late: x.late, passage: x.passage! } })),
          rules.foldWindowMinutes * 60_000,
          now,
        );
      }
      const made = items.filter((x) => (!x.passage || verdicts.get(x.ev.id) === 'change') && (guardians.get(x.studentKey)?.length ?? 0) > 0);
      const rowsOut: Array<{ item: Item; phone: string; status: string; holdUntil: number | null }> = [];
      for (const x of made) {
        const schoolQuiet = x.safety ? null : quietUntil(rules.quietHours, now, x.timezone);
        for (const g of guardians.get(x.studentKey)!) {
          const prefs = parsePrefs(g.prefs);
          const ownQuiet = x.safety ? null : quietUntil(prefs.quietHours, now, x.timezone);
          const holdUntil = schoolQuiet === null ? ownQuiet : ownQuiet === null ? schoolQuiet : Math.max(schoolQuiet, ownQuiet);
          const status = !kindEnabled(prefs, x.kind) ? 'muted' : holdUntil !== null ? 'held' : 'pending';
          rowsOut.push({ item: x, phone: g.phone, status, holdUntil: status === 'held' ? holdUntil : null });
        }
      }
      if (rowsOut.length === 0) return made;
      const col = <T>(f: (r: (typeof rowsOut)[number]) => T): T[] => rowsOut.map(f);
      await q.query(
        `INSERT INTO notices (school_id, event_id, phone, student_key, kind, text_zh, text_en, occurred_at, received_at, late, status, created_at, hold_until)
         SELECT $1, ev, phone, student, kind, zh, en, occurred, received, late, status, $2, hold
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::boolean[], $12::text[], $13::bigint[])
           AS x(ev, phone, student, kind, zh, en, occurred, received, late, status, hold)
         ON CONFLICT (school_id, event_id, phone) DO NOTHING`,
        [
          schoolId,
          now,
          col((r) => r.item.ev.id),
          col((r) => r.phone),
          col((r) => r.item.studentKey),
          col((r) => r.item.kind),
          col((r) => texts(r.item).textZh),
          col((r) => texts(r.item).textEn),
          col((r) => r.item.ev.occurred_at),
          col((r) => r.item.ev.received_at),
          col((r) => r.item.late),
          col((r) => r.status),
          col((r) => r.holdUntil),
        ],
      );
      return made;
    };
    // Passages are judged and their notices written under their students' locks: one judgement per run of passages.
    const made = items.some((x) => x.passage) ? await this.db.transaction(write) : await write(this.db);
    if (made.length === 0) return 0;

    // A retried job finds its notices made; it finishes their deliveries (sent ones are skipped).
    const byEvent = new Map(made.map((x) => [x.ev.id, x]));
    const notices = await this.db.query<{ id: number; event_id: string; phone: string; status: string }>(
      'SELECT id, event_id::text AS event_id, phone, status FROM notices WHERE school_id = $1 AND event_id = ANY($2::uuid[])',
      [schoolId, made.map((x) => x.ev.id)],
    );
    const outgoing: Array<{ notice: OutgoingNotice; guardian: GuardianRow; prefs: Prefs }> = [];
    for (const n of notices.rows) {
      const x = byEvent.get(n.event_id);
      const g = x && guardians.get(x.studentKey)?.find((y) => y.phone === n.phone);
      if (!x || !g || HELD_BACK.has(n.status)) continue;
      const prefs = parsePrefs(g.prefs);
      outgoing.push({
        guardian: g,
        prefs,
        notice: {
          noticeId: n.id,
          schoolId,
          eventId: x.ev.id,
          studentKey: x.studentKey,
          studentName: x.studentName,
          kind: x.kind,
          title: translate(prefs.locale, 'notice.title'),
          text: prefs.locale === 'zh-CN' ? texts(x).textZh : texts(x).textEn,
          occurredAt: x.ev.occurred_at,
          late: x.late,
          safety: x.safety,
        },
      });
    }
    const planned = await this.planDeliveries(outgoing.map((o) => ({ noticeId: o.notice.noticeId, g: o.guardian, prefs: o.prefs, safety: o.notice.safety })));
    return this.deliver(outgoing.filter((o) => planned.has(o.notice.noticeId)).map((o) => o.notice));
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
    const g = (await this.guardiansOf(n.school_id, [n.student_key])).get(n.student_key)?.find((x) => x.phone === n.phone);
    if (!g) {
      await this.db.query(`UPDATE notices SET status = 'no_channel' WHERE id = $1`, [noticeId]);
      return false;
    }
    const prefs = parsePrefs(g.prefs);
    if (!(await this.planDeliveries([{ noticeId, g, prefs, safety: false }])).has(noticeId)) return false;
    const student = (await this.db.query<{ name: string }>(`SELECT data->>'name' AS name FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`, [n.school_id, n.student_key])).rows[0];
    await this.deliver([
      {
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
      },
    ]);
    return true;
  }

  /** Every student's guardians who receive notices (one per phone), in one query. */
  private async guardiansOf(schoolId: string, studentKeys: readonly string[]): Promise<Map<string, GuardianRow[]>> {
    const r = await this.db.query<GuardianRow & { student: string }>(
      `SELECT DISTINCT ON (g.data->>'studentId', p.data->>'phone') g.data->>'studentId' AS student, p.data->>'phone' AS phone, p.data->>'wechatOpenId' AS wechat_open_id, a.prefs
       FROM records g
       JOIN records p ON p.school_id = g.school_id AND p.kind = 'person' AND p.key = g.data->>'guardianId' AND NOT p.deleted
       LEFT JOIN guardian_accounts a ON a.phone = p.data->>'phone'
       WHERE g.school_id = $1 AND g.kind = 'guardianship' AND NOT g.deleted AND g.data->>'studentId' = ANY($2::text[])
         AND (g.data->>'receivesNotices')::boolean AND p.data->>'phone' IS NOT NULL`,
      [schoolId, studentKeys],
    );
    const out = new Map<string, GuardianRow[]>();
    for (const { student, ...g } of r.rows) {
      const list = out.get(student) ?? [];
      list.push(g);
      out.set(student, list);
    }
    return out;
  }

  /**
   * Creates the deliveries of several notices (idempotent) in one statement; returns the
   * notices that have a channel (the others are marked no_channel).
   */
  private async planDeliveries(list: ReadonlyArray<{ noticeId: number; g: GuardianRow; prefs: Prefs; safety: boolean }>): Promise<Set<number>> {
    const planned = new Set<number>();
    if (list.length === 0) return planned;
    const endpoints = new Map<string, string[]>();
    const pushPhones = [...new Set(list.filter((x) => x.prefs.channels.webpush).map((x) => x.g.phone))];
    if (this.channels.webpush && pushPhones.length) {
      const subs = await this.db.query<{ phone: string; endpoint: string }>('SELECT phone, endpoint FROM push_subscriptions WHERE phone = ANY($1::text[])', [pushPhones]);
      for (const s of subs.rows) endpoints.set(s.phone, [...(endpoints.get(s.phone) ?? []), s.endpoint]);
    }
    const targets: { noticeId: number; channel: string; target: string }[] = [];
    const without: number[] = [];
    for (const { noticeId, g, prefs, safety } of list) {
      const before = targets.length;
      if (this.channels.webpush && prefs.channels.webpush) for (const endpoint of endpoints.get(g.phone) ?? []) targets.push({ noticeId, channel: 'webpush', target: endpoint });
      if (this.channels.wechat && prefs.channels.wechat && g.wechat_open_id) targets.push({ noticeId, channel: 'wechat', target: g.wechat_open_id });
      // SMS costs money per message: opt-in, except for safety notices.
      if (this.channels.sms && (prefs.channels.sms || safety)) targets.push({ noticeId, channel: 'sms', target: g.phone });
      if (this.channels.webhook) targets.push({ noticeId, channel: 'webhook', target: g.phone });
      if (targets.length > before) planned.add(noticeId);
      else without.push(noticeId);
    }
    if (without.length) {
      // No channel now, but deliveries planned earlier (a subscription removed since) are still finished.
      const any = await this.db.query<{ notice_id: number }>('SELECT DISTINCT notice_id FROM notice_deliveries WHERE notice_id = ANY($1::bigint[])', [without]);
      for (const r of any.rows) planned.add(Number(r.notice_id));
      const none = without.filter((id) => !planned.has(id));
      if (none.length) await this.db.query(`UPDATE notices SET status = 'no_channel' WHERE id = ANY($1::bigint[])`, [none]);
    }
    if (targets.length) {
      await this.db.query(
        `INSERT INTO notice_deliveries (notice_id, channel, target, status) SELECT n, c, t, 'pending' FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(n, c, t) ON CONFLICT DO NOTHING`,
        [targets.map((t) => t.noticeId), targets.map((t) => t.channel), targets.map((t) => t.target)],
      );
    }
    return planned;
  }

  /** Sends the pending deliveries of several notices at once and records every outcome; returns how many are to be retried. */
  private async deliver(notices: readonly OutgoingNotice[]): Promise<number> {
    if (notices.length === 0) return 0;
    const byId = new Map(notices.map((n) => [n.noticeId, n]));
    const pending = await this.db.query<{ notice_id: number; channel: keyof NotifierChannels; target: string; attempts: number }>(
      `SELECT notice_id, channel, target, attempts FROM notice_deliveries WHERE notice_id = ANY($1::bigint[]) AND status = 'pending'`,
      [[...byId.keys()]],
    );
    let retry = 0;
    const outcomes = await Promise.all(
      pending.rows.map(async (d) => {
        const n = byId.get(Number(d.notice_id))!;
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
        return { d, status, attempts, error: 'error' in outcome ? (outcome.error ?? null) : null, at: this.now(), gone: outcome.status === 'gone' && d.channel === 'webpush' };
      }),
    );
    if (outcomes.length) {
      const col = <T>(f: (o: (typeof outcomes)[number]) => T): T[] => outcomes.map(f);
      await this.db.query(
        `UPDATE notice_deliveries AS d SET status = x.status, attempts = x.attempts, last_error = x.error, last_attempt_at = x.at, delivered_at = CASE WHEN x.status = 'sent' THEN x.at ELSE d.delivered_at END
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[]) AS x(notice_id, channel, target, status, attempts, error, at)
         WHERE d.notice_id = x.notice_id AND d.channel = x.channel AND d.target = x.target`,
        [col((o) => o.d.notice_id), col((o) => o.d.channel), col((o) => o.d.target), col((o) => o.status), col((o) => o.attempts), col((o) => o.error), col((o) => o.at)],
      );
      const gone = outcomes.filter((o) => o.gone).map((o) => o.d.target);
      if (gone.length) await this.db.query('DELETE FROM push_subscriptions WHERE endpoint = ANY($1::text[])', [gone]);
    }
    // Each notice's own status summarises its deliveries, for the parent's history.
    await this.db.query(
      `UPDATE notices AS n SET status = CASE
         WHEN EXISTS (SELECT 1 FROM notice_deliveries WHERE notice_id = n.id AND status = 'sent') THEN 'sent'
         WHEN EXISTS (SELECT 1 FROM notice_deliveries WHERE notice_id = n.id AND status = 'pending') THEN 'pending'
         ELSE 'failed' END
       WHERE n.id = ANY($1::bigint[])`,
      [[...byId.keys()]],
    );
    return retry;
  }
}
