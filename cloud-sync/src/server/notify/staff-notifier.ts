import { z } from 'zod';
import { defineMessages, translate, type EventEnvelope } from '@campus/protocol';
import { FACILITIES_EVENTS, FACILITIES_REASONS, PRIORITY_NAMES } from '@campus/protocol/facilities/events';
import type { Database, Queryable } from '../db/database.js';
import type { Job, JobQueue } from '../jobs/queue.js';
import type { IngestHook } from '../edge-api/ingest.js';
import type { StaffRouter } from '../staff/access.js';
import type { OutgoingNotice } from './channels/channel.js';
import type { SmsChannel } from './channels/http-channels.js';
import type { PushSubscriptionKeys, WebPushChannel } from './channels/web-push.js';

/**
 * Notices to staff (workers, contractors, supervisors) about a step of their work: a work
 * order dispatched to them, an order escalated past its SLA. The reusable part: a stored
 * event names a step and the edge usernames to tell (`StaffNoticeRequest`); each is one
 * notice row per step and person, unique in the database, so a resent event, a second
 * event of the same step or a second cloud process never notifies twice. Recipients are
 * the school's staff accounts of that username (phone for SMS, the account's Web Push
 * subscriptions) or a contractor's person record of that key (SMS); one the cloud does not
 * know is recorded as `unknown_recipient`.
 * Deliveries are claimed with an atomic UPDATE before sending, so two processes working
 * the same job never send one twice.
 */
export const STAFF_NOTICE_JOB = 'staff-notice';
export interface StaffNoticeJob {
  schoolId: string;
  noticeIds: number[];
}

/** A delivery is given up after this many attempts. */
export const MAX_STAFF_ATTEMPTS = 6;
/** A delivery claimed by a process that died is claimed again after this long. */
const CLAIM_STALE_MS = 60_000;

export const staffNoticeMessages = defineMessages({
  'staff.notice.title': { 'zh-CN': '后勤工单', en: 'Work order' },
  'staff.notice.workorder.dispatched': {
    'zh-CN': '【后勤工单】{orderId}（{priorityZh}）派给您：{place} {description}，请尽快接单',
    en: '[Work order] {orderId} ({priorityEn}) for you: {place} {description}. Please accept it soon',
  },
  'staff.notice.workorder.escalated': { 'zh-CN': '【后勤工单超时】{text}', en: '[Work order overdue] {text}' },
  'staff.notice.workorder.done': {
    'zh-CN': '【后勤工单】您报修的 {orderId}（{place} {description}）已完工，请确认并评分',
    en: '[Work order] {orderId} you reported ({place} {description}) is done: please confirm and rate it',
  },
  'staff.notice.inspection': { 'zh-CN': '【巡检】{text}', en: '[Inspection] {text}' },
});

export interface StaffNoticeRequest {
  /** The step, unique per school: a second request with the same step and person is the same notice. */
  step: string;
  kind: string;
  /** Edge usernames to tell. */
  usernames: string[];
  /** And every account of the school with one of these cloud roles (e.g. the facility supervisors). */
  roles?: string[];
  textZh: string;
  textEn: string;
  /** Where the notice opens (Web Push). */
  url: string;
}

type EventLike = Pick<EventEnvelope, 'id' | 'type' | 'reason' | 'data' | 'occurredAt'>;
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * The facilities events that notify staff: an order dispatched (to a worker or an outside
 * contractor; each dispatch is a new version of the order, so a reopened order dispatched
 * again notifies again), an order escalated (the supervisors and the assignee, once per SLA
 * kind), an order done (its requester, to confirm it), a red checkpoint and a missed one
 * (the school's facility supervisors).
 */
export function facilitiesStaffNotices(e: EventLike): StaffNoticeRequest[] {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const orderId = str(d.orderId) || `WO-${str(d.id)}`;
  const priority = str(d.priority) as keyof typeof PRIORITY_NAMES;
  const names = PRIORITY_NAMES[priority] ?? { 'zh-CN': priority, en: priority };
  const url = `/facilities/orders?order=${encodeURIComponent(str(d.id))}`;
  if (e.type === FACILITIES_EVENTS.orderChanged && d.state === 'dispatched' && str(d.assignee)) {
    const params = { orderId, priorityZh: names['zh-CN'], priorityEn: names.en, place: str(d.place), description: str(d.description).slice(0, 60) };
    return [
      {
        step: `${orderId}:v${str(d.version)}:dispatched`,
        kind: 'workorder.dispatched',
        usernames: [str(d.assignee)],
        textZh: translate('zh-CN', 'staff.notice.workorder.dispatched', params),
        textEn: translate('en', 'staff.notice.workorder.dispatched', params),
        url,
      },
    ];
  }
  if (e.type === FACILITIES_EVENTS.orderChanged && d.state === 'done' && str(d.requester) && d.requester !== 'system') {
    const params = { orderId, place: str(d.place), description: str(d.description).slice(0, 60) };
    return [
      {
        step: `${orderId}:v${str(d.version)}:done`,
        kind: 'workorder.done',
        usernames: [str(d.requester)],
        textZh: translate('zh-CN', 'staff.notice.workorder.done', params),
        textEn: translate('en', 'staff.notice.workorder.done', params),
        url,
      },
    ];
  }
  // A red checkpoint and a missed checkpoint: the school's facility supervisors.
  if ((e.type === FACILITIES_EVENTS.checkpointInspected && e.reason === FACILITIES_REASONS.checkpointRed) || (e.type === FACILITIES_EVENTS.roundAlert && e.reason === FACILITIES_REASONS.missed)) {
    const params = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, str(v)]));
    return [
      {
        step: `${e.type}:${e.id}`,
        kind: e.type === FACILITIES_EVENTS.roundAlert ? 'inspection.missed' : 'inspection.red',
        usernames: [],
        roles: ['facility_supervisor'],
        textZh: translate('zh-CN', 'staff.notice.inspection', { text: translate('zh-CN', `reason.${e.reason}`, params) }),
        textEn: translate('en', 'staff.notice.inspection', { text: translate('en', `reason.${e.reason}`, params) }),
        url: '/facilities/board',
      },
    ];
  }
  if (e.type === FACILITIES_EVENTS.orderEscalated) {
    const who = Array.isArray(d.notify) ? d.notify.map(str).filter(Boolean) : [];
    const text = (d.text ?? {}) as Record<string, unknown>;
    const reasonParams = { orderId, minutes: str(d.minutes), priorityZh: names['zh-CN'], priorityEn: names.en };
    const zh = str(text['zh-CN']) || translate('zh-CN', `reason.${e.reason}`, reasonParams);
    const en = str(text.en) || translate('en', `reason.${e.reason}`, reasonParams);
    if (!who.length) return [];
    return [
      {
        step: `${orderId}:escalated:${str(d.sla)}`,
        kind: 'workorder.escalated',
        usernames: [...new Set(who)],
        textZh: translate('zh-CN', 'staff.notice.workorder.escalated', { text: zh }),
        textEn: translate('en', 'staff.notice.workorder.escalated', { text: en }),
        url,
      },
    ];
  }
  return [];
}

export interface StaffNotifierOptions {
  now?: () => number;
  onError?: (err: Error) => void;
  /** What in an event asks for staff notices (default: the facilities work orders). */
  requests?: (e: EventLike) => StaffNoticeRequest[];
}

interface DeliveryRow {
  notice_id: number;
  channel: 'sms' | 'webpush';
  target: string;
  attempts: number;
  text_zh: string;
  kind: string;
  url: string;
  school_id: string;
  event_id: string;
  occurred_at: number;
}

/**
 * Who an edge username is in the cloud: the school's staff account of that username (its
 * phone, else its person record's) or, for an outside contractor without a cloud account,
 * the school's person record keyed by that username (roles ["staff"], with a phone).
 */
async function recipient(q: Queryable, schoolId: string, username: string): Promise<{ accountId: string | null; phone: string | null } | null> {
  const a = (
    await q.query<{ id: string; phone: string | null }>(
      `SELECT a.id, coalesce(a.phone, (SELECT r.data->>'phone' FROM records r WHERE r.school_id = a.school_id AND r.kind = 'person' AND r.key = a.person_key AND NOT r.deleted)) AS phone
       FROM staff_accounts a WHERE a.school_id = $1 AND lower(a.username) = lower($2) AND NOT a.disabled`,
      [schoolId, username],
    )
  ).rows[0];
  if (a) return { accountId: a.id, phone: a.phone };
  const p = (await q.query<{ phone: string | null }>(`SELECT data->>'phone' AS phone FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`, [schoolId, username])).rows[0];
  return p ? { accountId: null, phone: p.phone } : null;
}

/** The keys of staff push subscriptions (the lookup of the WebPushChannel that sends to staff). */
export async function staffSubscriptionKeys(db: Queryable, endpoints: readonly string[]): Promise<PushSubscriptionKeys[]> {
  if (!endpoints.length) return [];
  return (await db.query<PushSubscriptionKeys>('SELECT endpoint, p256dh, auth FROM staff_push_subscriptions WHERE endpoint = ANY($1::text[])', [endpoints])).rows;
}

export class StaffNotifier implements IngestHook {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly channels: { sms?: SmsChannel | undefined; webpush?: WebPushChannel | undefined },
    private readonly o: StaffNotifierOptions = {},
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /**
   * The ingest hook: in the batch's transaction, one notice per step and person (unique:
   * ON CONFLICT DO NOTHING) with its deliveries planned, and one job for the new ones.
   */
  async stored(tx: Queryable, schoolId: string, fresh: EventEnvelope[]): Promise<void> {
    const made: number[] = [];
    const requests = this.o.requests ?? facilitiesStaffNotices;
    for (const e of fresh) {
      for (const r of requests(e)) {
        const byRole = r.roles?.length
          ? (
              await tx.query<{ username: string }>(
                `SELECT DISTINCT a.username FROM staff_accounts a JOIN staff_roles sr ON sr.account_id = a.id WHERE a.school_id = $1 AND sr.role = ANY($2::text[]) AND NOT a.disabled ORDER BY a.username`,
                [schoolId, r.roles],
              )
            ).rows.map((x) => x.username)
          : [];
        for (const username of [...new Set([...r.usernames, ...byRole])]) {
          const account = await recipient(tx, schoolId, username);
          const ins = await tx.query<{ id: number }>(
            `INSERT INTO staff_notices (school_id, step, username, account_id, event_id, kind, text_zh, text_en, url, occurred_at, created_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (school_id, step, username) DO NOTHING RETURNING id`,
            [schoolId, r.step, username, account?.accountId ?? null, e.id, r.kind, r.textZh, r.textEn, r.url, e.occurredAt, this.now(), account ? 'pending' : 'unknown_recipient'],
          );
          const id = ins.rows[0]?.id;
          if (id === undefined || !account) continue;
          const targets: Array<[string, string]> = [];
          if (this.channels.sms && account.phone) targets.push(['sms', account.phone]);
          if (this.channels.webpush && account.accountId) {
            const subs = await tx.query<{ endpoint: string }>('SELECT endpoint FROM staff_push_subscriptions WHERE account_id = $1 ORDER BY endpoint', [account.accountId]);
            for (const s of subs.rows) targets.push(['webpush', s.endpoint]);
          }
          if (!targets.length) {
            await tx.query(`UPDATE staff_notices SET status = 'no_channel' WHERE id = $1`, [id]);
            continue;
          }
          await tx.query(
            `INSERT INTO staff_notice_deliveries (notice_id, channel, target, status) SELECT $1, c, t, 'pending' FROM unnest($2::text[], $3::text[]) AS x(c, t) ON CONFLICT DO NOTHING`,
            [id, targets.map((t) => t[0]), targets.map((t) => t[1])],
          );
          made.push(Number(id));
        }
      }
    }
    if (made.length) await this.queue.send<StaffNoticeJob>(tx, STAFF_NOTICE_JOB, { schoolId, noticeIds: made }, { priority: 50 });
  }

  committed(): void {
    this.queue.poke(STAFF_NOTICE_JOB);
  }

  async handle(jobs: Job<StaffNoticeJob>[]): Promise<void> {
    let retry = 0;
    for (const j of jobs) retry += await this.deliver(j.data.noticeIds);
    if (retry > 0) throw new Error(`${retry} staff notice deliveries to retry`);
  }

  /**
   * Sends the pending deliveries of some notices. Each is claimed first (pending → sending
   * in one statement), so a delivery is in one process's hands at a time; the outcome is
   * recorded after. Returns how many are to be retried.
   */
  async deliver(noticeIds: readonly number[]): Promise<number> {
    if (!noticeIds.length) return 0;
    const now = this.now();
    const claimed = await this.db.query<DeliveryRow>(
      `UPDATE staff_notice_deliveries d SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = $2
       FROM staff_notices n
       WHERE n.id = d.notice_id AND d.notice_id = ANY($1::bigint[]) AND (d.status = 'pending' OR (d.status = 'sending' AND d.last_attempt_at < $3))
       RETURNING d.notice_id, d.channel, d.target, d.attempts, n.text_zh, n.kind, n.url, n.school_id, n.event_id::text AS event_id, n.occurred_at`,
      [noticeIds, now, now - CLAIM_STALE_MS],
    );
    let retry = 0;
    await Promise.all(
      claimed.rows.map(async (d) => {
        const outcome = await this.send(d).catch((err: Error) => ({ status: 'retry' as const, error: err.message }));
        let status: string = outcome.status;
        if (outcome.status === 'retry') {
          if (d.attempts < MAX_STAFF_ATTEMPTS) {
            status = 'pending';
            retry++;
          } else status = 'failed';
        }
        await this.db.query(
          `UPDATE staff_notice_deliveries SET status = $4, last_error = $5, delivered_at = CASE WHEN $4 = 'sent' THEN $6::bigint ELSE delivered_at END WHERE notice_id = $1 AND channel = $2 AND target = $3`,
          [d.notice_id, d.channel, d.target, status, 'error' in outcome ? outcome.error : null, this.now()],
        );
        if (outcome.status === 'gone' && d.channel === 'webpush') await this.db.query('DELETE FROM staff_push_subscriptions WHERE endpoint = $1', [d.target]);
      }),
    );
    await this.db.query(
      `UPDATE staff_notices AS n SET status = CASE
         WHEN EXISTS (SELECT 1 FROM staff_notice_deliveries WHERE notice_id = n.id AND status = 'sent') THEN 'sent'
         WHEN EXISTS (SELECT 1 FROM staff_notice_deliveries WHERE notice_id = n.id AND status IN ('pending', 'sending')) THEN 'pending'
         ELSE 'failed' END
       WHERE n.id = ANY($1::bigint[]) AND n.status NOT IN ('unknown_recipient', 'no_channel')`,
      [noticeIds],
    );
    return retry;
  }

  private async send(d: DeliveryRow) {
    if (d.channel === 'sms') {
      if (!this.channels.sms) return { status: 'failed' as const, error: 'channel sms not configured' };
      return this.channels.sms.send(d.target, d.text_zh, 'notice');
    }
    if (!this.channels.webpush) return { status: 'failed' as const, error: 'channel webpush not configured' };
    const notice: OutgoingNotice = {
      noticeId: Number(d.notice_id),
      schoolId: d.school_id,
      eventId: d.event_id,
      studentKey: '',
      studentName: '',
      kind: d.kind,
      title: translate('zh-CN', 'staff.notice.title'),
      text: d.text_zh,
      occurredAt: Number(d.occurred_at),
      late: false,
      safety: false,
      url: d.url,
    };
    return this.channels.webpush.deliver(d.target, notice);
  }

  /** Notices of a school, newest first, with their deliveries (for the supervisor: who was told). */
  async list(q: Queryable, schoolId: string): Promise<Record<string, unknown>[]> {
    const r = await q.query<{ id: number; step: string; username: string; kind: string; text_zh: string; text_en: string; status: string; created_at: number }>(
      'SELECT id, step, username, kind, text_zh, text_en, status, created_at FROM staff_notices WHERE school_id = $1 ORDER BY id DESC LIMIT 200',
      [schoolId],
    );
    const ds = await q.query<{ notice_id: number; channel: string; target: string; status: string; attempts: number }>(
      'SELECT notice_id, channel, target, status, attempts FROM staff_notice_deliveries WHERE notice_id = ANY($1::bigint[]) ORDER BY channel, target',
      [r.rows.map((x) => x.id)],
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      step: x.step,
      username: x.username,
      kind: x.kind,
      text: { 'zh-CN': x.text_zh, en: x.text_en },
      status: x.status,
      createdAt: Number(x.created_at),
      deliveries: ds.rows
        .filter((d) => Number(d.notice_id) === Number(x.id))
        .map((d) => ({ channel: d.channel, target: d.channel === 'sms' ? maskPhone(d.target) : 'webpush', status: d.status, attempts: d.attempts })),
    }));
  }
}

export function maskPhone(p: string): string {
  return p.length > 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****';
}

export const StaffPushSubscriptionSchema = z.strictObject({
  endpoint: z.url().max(2000).refine((u) => u.startsWith('https://'), 'endpoint must be https'),
  keys: z.strictObject({ p256dh: z.string().min(10).max(200), auth: z.string().min(8).max(100) }),
});

/** Staff routes: the own Web Push subscription (any signed-in staff member), the school's staff notices. */
export function staffNoticeRoutes(api: StaffRouter, notifier: StaffNotifier, vapidPublicKey: string, now: () => number): void {
  api.add({
    method: 'get',
    path: '/session/push-subscriptions',
    summary: 'The VAPID key and the own Web Push subscriptions (work-order notices on the phone)',
    scope: 'self',
    handler: async ({ principal, q }) => {
      const r = await q.query<{ endpoint: string; created_at: number }>('SELECT endpoint, created_at FROM staff_push_subscriptions WHERE account_id = $1 ORDER BY created_at', [principal.accountId]);
      return { vapidPublicKey, subscriptions: r.rows.map((s) => ({ endpoint: s.endpoint, createdAt: Number(s.created_at) })) };
    },
  });
  api.add({
    method: 'put',
    path: '/session/push-subscriptions',
    summary: 'Store a Web Push subscription of the own account (a browser subscribed with the VAPID key)',
    scope: 'self',
    audit: 'staff.push.subscribe',
    body: StaffPushSubscriptionSchema,
    handler: async ({ principal, body, q, audited }) => {
      await q.query(
        `INSERT INTO staff_push_subscriptions (endpoint, account_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh, auth = excluded.auth`,
        [body.endpoint, principal.accountId, body.keys.p256dh, body.keys.auth, now()],
      );
      audited(principal.accountId, { endpoint: new URL(body.endpoint).host });
      return { ok: true };
    },
  });
  api.add({
    method: 'delete',
    path: '/session/push-subscriptions',
    summary: 'Remove all Web Push subscriptions of the own account',
    scope: 'self',
    audit: 'staff.push.unsubscribe',
    handler: async ({ principal, q, audited }) => {
      const r = await q.query('DELETE FROM staff_push_subscriptions WHERE account_id = $1', [principal.accountId]);
      audited(principal.accountId, { removed: r.rowCount });
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/schools/:schoolId/staff-notices',
    summary: 'Notices sent to staff (work orders dispatched and escalated), newest first, with each delivery',
    scope: 'school',
    roles: ['school_admin', 'facility_supervisor'],
    params: z.object({ schoolId: z.string().max(64) }),
    handler: async ({ params, q }) => ({ notices: await notifier.list(q, params.schoolId) }),
  });
}

/** Migration 20: staff notices, their deliveries and staff Web Push subscriptions. */
export const STAFF_NOTICE_MIGRATION = {
  id: 20,
  name: 'staff notices (work orders dispatched and escalated) and staff push subscriptions',
  sql: `
-- A browser of a staff account subscribed to Web Push (work-order notices on the phone).
CREATE TABLE staff_push_subscriptions (
  endpoint text PRIMARY KEY,
  account_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX staff_push_subscriptions_account ON staff_push_subscriptions (account_id);
-- One notice per step (e.g. "WO-12:v2:dispatched") and person: unique, so no step is told twice.
CREATE TABLE staff_notices (
  id bigserial PRIMARY KEY,
  school_id text NOT NULL,
  step text NOT NULL,
  username text NOT NULL,
  account_id text,
  event_id uuid NOT NULL,
  kind text NOT NULL,
  text_zh text NOT NULL,
  text_en text NOT NULL,
  url text NOT NULL,
  occurred_at bigint NOT NULL,
  created_at bigint NOT NULL,
  status text NOT NULL,
  UNIQUE (school_id, step, username)
);
CREATE INDEX staff_notices_school ON staff_notices (school_id, id DESC);
CREATE TABLE staff_notice_deliveries (
  notice_id bigint NOT NULL REFERENCES staff_notices(id) ON DELETE CASCADE,
  channel text NOT NULL,
  target text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  last_attempt_at bigint,
  delivered_at bigint,
  PRIMARY KEY (notice_id, channel, target)
);
`,
};
