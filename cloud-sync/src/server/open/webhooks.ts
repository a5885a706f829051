import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { bilingual, EVENT_TYPE_RE, type EventEnvelope } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import type { IngestContext, IngestHook } from '../edge-api/ingest.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Job, JobQueue } from '../jobs/queue.js';
import { EVENT_COLUMNS, openEvent, type EventRow } from './event-rows.js';
import { WEBHOOK_HEADERS, webhookSignature } from './signing.js';
import './messages.js';

export const WEBHOOK_JOB = 'open.webhook';

/** "access.decision", a prefix "attendance.*", or "*" for every event. */
const TYPE_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*)$/;
export const EventTypeFilterSchema = z.string().max(96).refine((s) => EVENT_TYPE_RE.test(s) || TYPE_PATTERN.test(s), 'an event type ("access.decision"), a prefix ("attendance.*") or "*"');

export const WebhookInputSchema = z.strictObject({
  url: z.string().url().max(2000),
  eventTypes: z.array(EventTypeFilterSchema).min(1).max(50),
  description: z.string().max(200).default(''),
  /** Include PIPL-sensitive fields in the payloads. */
  sensitive: z.boolean().default(false),
});
export const WebhookPatchSchema = z.strictObject({
  version: z.number().int().positive(),
  url: z.string().url().max(2000).optional(),
  eventTypes: z.array(EventTypeFilterSchema).min(1).max(50).optional(),
  description: z.string().max(200).optional(),
  sensitive: z.boolean().optional(),
  /** active: (re-)enable (deliveries still waiting go out); paused: stop. Events stored while not active are not queued for it. */
  status: z.enum(['active', 'paused']).optional(),
});

export interface WebhookOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Delay before attempt n+1 (the last entry repeats). */
  backoffMs: readonly number[];
  /** A subscription failing without one success for this long is disabled. */
  disableAfterMs: number;
  /** Deliveries in flight at once per job. */
  concurrency: number;
  /** Allow http:// and loopback/private addresses (local testing only). */
  allowPrivateTargets: boolean;
  now: () => number;
}

export const DEFAULT_WEBHOOK_OPTIONS: Omit<WebhookOptions, 'now'> = {
  timeoutMs: 10_000,
  backoffMs: [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000],
  disableAfterMs: 24 * 3600_000,
  concurrency: 4,
  allowPrivateTargets: false,
};

interface HookRow {
  id: string;
  school_id: string;
  url: string;
  event_types: string[];
  sensitive: boolean;
  secret: string;
  description: string;
  status: 'active' | 'paused' | 'disabled';
  failing_since: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  disabled_at: number | null;
  version: number;
  created_at: number;
}

export interface WebhookInfo {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  sensitive: boolean;
  status: HookRow['status'];
  /** What the status means, for the admin (failing = active but no success since `failingSince`). */
  statusText: { 'zh-CN': string; en: string };
  /** Failing since (no success since then); null when healthy. */
  failingSince: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  disabledAt: number | null;
  pending: number;
  version: number;
  createdAt: number;
}

interface DeliveryJob {
  webhookId: string;
  deliveryIds: number[];
}

export const matchesType = (patterns: readonly string[], type: string) =>
  patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));

/** A webhook target must be https to a public host, unless local testing allows http and private addresses. */
export function checkWebhookUrl(url: string, allowPrivate: boolean): void {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host));
  if (allowPrivate ? !['http:', 'https:'].includes(u.protocol) : u.protocol !== 'https:' || local || u.username || u.password) {
    throw new HttpError(400, 'open.error.webhook_url', { url });
  }
}

function isPrivateAddress(ip: string): boolean {
  if (ip === '::1' || ip === '::' || /^f[cd]/i.test(ip) || /^fe80/i.test(ip)) return true;
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

/**
 * Outgoing webhooks: a school subscribes a URL to event types; every event stored from
 * then on that matches becomes one delivery row (unique per subscription and event, in
 * the ingest transaction), sent by the job queue, signed with HMAC-SHA256, retried with
 * backoff through the queue. Each attempt is recorded on its delivery row (the log the
 * admin reads). A subscription that has failed without one success for `disableAfterMs`
 * (a day) is disabled; its waiting deliveries go out when an admin enables it again.
 */
export class Webhooks implements IngestHook {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly opts: WebhookOptions,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    await this.queue.work<DeliveryJob>(WEBHOOK_JOB, (jobs) => this.handle(jobs));
  }

  // ---- subscriptions ----

  async create(q: Queryable, schoolId: string, input: z.infer<typeof WebhookInputSchema>): Promise<WebhookInfo & { secret: string }> {
    checkWebhookUrl(input.url, this.opts.allowPrivateTargets);
    const secret = 'whsec_' + randomBytes(24).toString('base64url');
    const r = await q.query<HookRow>(
      `INSERT INTO open_webhooks (id, school_id, url, event_types, sensitive, secret, description, created_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8) RETURNING *`,
      [newId('wh'), schoolId, input.url, [...new Set(input.eventTypes)], input.sensitive, secret, input.description, this.opts.now()],
    );
    return { ...this.info(r.rows[0]!, 0), secret };
  }

  async list(q: Queryable, schoolId: string): Promise<WebhookInfo[]> {
    const r = await q.query<HookRow & { pending: number }>(
      `SELECT w.*, (SELECT count(*) FROM open_webhook_deliveries d WHERE d.webhook_id = w.id AND d.status IN ('pending', 'sending')) AS pending
       FROM open_webhooks w WHERE w.school_id = $1 ORDER BY w.created_at, w.id`,
      [schoolId],
    );
    return r.rows.map((x) => this.info(x, x.pending));
  }

  async get(q: Queryable, schoolId: string, id: string, lock = false): Promise<HookRow> {
    const r = await q.query<HookRow>(`SELECT * FROM open_webhooks WHERE school_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [schoolId, id]);
    if (!r.rows[0]) throw new HttpError(404, 'staff.error.not_found');
    return r.rows[0];
  }

  async update(q: Queryable, schoolId: string, id: string, patch: z.infer<typeof WebhookPatchSchema>): Promise<{ before: WebhookInfo; after: WebhookInfo; requeue: boolean }> {
    const now = await this.get(q, schoolId, id, true);
    if (now.version !== patch.version) throw new HttpError(409, 'staff.error.conflict', { yours: patch.version, current: now.version }, undefined, { current: this.info(now, 0) });
    if (patch.url) checkWebhookUrl(patch.url, this.opts.allowPrivateTargets);
    const enabling = patch.status === 'active' && now.status !== 'active';
    const r = await q.query<HookRow>(
      `UPDATE open_webhooks SET url = COALESCE($3, url), event_types = COALESCE($4::text[], event_types), description = COALESCE($5, description),
         sensitive = COALESCE($6, sensitive), status = COALESCE($7, status), version = version + 1,
         failing_since = CASE WHEN $8 THEN NULL ELSE failing_since END, disabled_at = CASE WHEN $8 THEN NULL ELSE disabled_at END
       WHERE id = $1 AND school_id = $2 RETURNING *`,
      [id, schoolId, patch.url ?? null, patch.eventTypes ?? null, patch.description ?? null, patch.sensitive ?? null, patch.status ?? null, enabling],
    );
    if (enabling) await this.requeue(q, id);
    return { before: this.info(now, 0), after: this.info(r.rows[0]!, 0), requeue: enabling };
  }

  async remove(q: Queryable, schoolId: string, id: string): Promise<WebhookInfo> {
    const now = await this.get(q, schoolId, id, true);
    await q.query('DELETE FROM open_webhooks WHERE id = $1', [id]);
    return this.info(now, 0);
  }

  async deliveries(q: Queryable, schoolId: string, id: string, before: number, limit: number) {
    await this.get(q, schoolId, id);
    const r = await q.query<{ id: number; event_id: string; event_type: string; status: string; attempts: number; last_status: number | null; last_error: string | null; next_attempt_at: number | null; created_at: number; delivered_at: number | null }>(
      `SELECT id, event_id, event_type, status, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at
       FROM open_webhook_deliveries WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
      [id, before, limit],
    );
    const items = r.rows.map((x) => ({
      id: x.id,
      eventId: x.event_id,
      eventType: x.event_type,
      status: x.status,
      attempts: x.attempts,
      lastStatus: x.last_status,
      lastError: x.last_error,
      nextAttemptAt: x.next_attempt_at,
      createdAt: x.created_at,
      deliveredAt: x.delivered_at,
    }));
    return { deliveries: items, next: items.length === limit ? items.at(-1)!.id : null };
  }

  private info(r: HookRow, pending: number): WebhookInfo {
    return {
      id: r.id,
      url: r.url,
      eventTypes: r.event_types,
      description: r.description,
      sensitive: r.sensitive,
      status: r.status,
      statusText: bilingual(`open.webhook.status.${r.status === 'active' && r.failing_since !== null ? 'failing' : r.status}`, { hours: Math.round(this.opts.disableAfterMs / 3600_000) }),
      failingSince: r.failing_since,
      lastSuccessAt: r.last_success_at,
      lastFailureAt: r.last_failure_at,
      disabledAt: r.disabled_at,
      pending,
      version: r.version,
      createdAt: r.created_at,
    };
  }

  /** Every waiting delivery of a subscription goes back to the queue (on re-enabling). */
  private async requeue(q: Queryable, webhookId: string): Promise<void> {
    const r = await q.query<{ id: number }>(`SELECT id FROM open_webhook_deliveries WHERE webhook_id = $1 AND status IN ('pending', 'sending') ORDER BY id`, [webhookId]);
    const ids = r.rows.map((x) => x.id);
    for (let i = 0; i < ids.length; i += 500) await this.queue.send<DeliveryJob>(q, WEBHOOK_JOB, { webhookId, deliveryIds: ids.slice(i, i + 500) });
  }

  // ---- ingest: one delivery per matching subscription and stored event ----

  async stored(tx: Queryable, schoolId: string, events: EventEnvelope[], ctx?: IngestContext): Promise<void> {
    // The ingest statement read them in its own round trip (same transaction); else read them here.
    const subs = ctx ? { rows: ctx.webhooks } : await tx.query<{ id: string; event_types: string[] }>(`SELECT id, event_types FROM open_webhooks WHERE school_id = $1 AND status = 'active'`, [schoolId]);
    if (!subs.rows.length) return;
    const now = this.opts.now();
    for (const s of subs.rows) {
      const matching = events.filter((e) => matchesType(s.event_types, e.type));
      if (!matching.length) continue;
      const r = await tx.query<{ id: number }>(
        `INSERT INTO open_webhook_deliveries (webhook_id, school_id, event_id, event_type, created_at, next_attempt_at)
         SELECT $1, $2, id, type, $5, $5 FROM unnest($3::uuid[], $4::text[]) AS t(id, type)
         ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id`,
        [s.id, schoolId, matching.map((e) => e.id), matching.map((e) => e.type), now],
      );
      const ids = r.rows.map((x) => x.id);
      for (let i = 0; i < ids.length; i += 500) await this.queue.send<DeliveryJob>(tx, WEBHOOK_JOB, { webhookId: s.id, deliveryIds: ids.slice(i, i + 500) });
    }
  }

  committed(): void {
    this.queue.poke(WEBHOOK_JOB);
  }

  // ---- delivery ----

  private async handle(jobs: Job<DeliveryJob>[]): Promise<void> {
    for (const j of jobs) {
      try {
        await this.deliver(j.data);
      } catch (err) {
        // A database failure: the job fails and the queue retries it; claimed rows are reclaimed when stale.
        this.onError(err as Error);
        throw err;
      }
    }
  }

  private async deliver(job: DeliveryJob): Promise<void> {
    const hook = (await this.db.query<HookRow>('SELECT * FROM open_webhooks WHERE id = $1', [job.webhookId])).rows[0];
    if (!hook || hook.status !== 'active') return; // removed (rows gone), or paused/disabled: they wait for re-enabling
    const now = this.opts.now();
    const claimed = await this.db.query<{ id: number; event_id: string; attempts: number }>(
      `UPDATE open_webhook_deliveries SET status = 'sending', claimed_at = $3
       WHERE webhook_id = $1 AND id = ANY($2::bigint[]) AND (status = 'pending' OR (status = 'sending' AND claimed_at < $4))
       RETURNING id, event_id, attempts`,
      [hook.id, job.deliveryIds, now, now - this.opts.timeoutMs * 3],
    );
    if (!claimed.rows.length) return;
    const rows = claimed.rows.sort((a, b) => a.id - b.id);
    const events = new Map(
      (await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE school_id = $1 AND id = ANY($2::uuid[])`, [hook.school_id, rows.map((r) => r.event_id)])).rows.map((e) => [e.id, e]),
    );
    const results: { id: number; attempts: number; ok: boolean; status: number | null; error: string | null; tried: boolean }[] = [];
    let i = 0;
    // In groups of `concurrency`; a group without one success stops the round (a dead target is not hammered).
    while (i < rows.length) {
      const group = rows.slice(i, i + this.opts.concurrency);
      i += group.length;
      const out = await Promise.all(group.map((d) => this.post(hook, d, events.get(d.event_id))));
      results.push(...out);
      if (!out.some((r) => r.ok)) break;
    }
    for (const d of rows.slice(i)) results.push({ id: d.id, attempts: d.attempts, ok: false, status: null, error: null, tried: false });
    await this.record(hook, results);
  }

  private async post(hook: HookRow, d: { id: number; event_id: string; attempts: number }, row: EventRow | undefined) {
    const base = { id: d.id, attempts: d.attempts + 1, tried: true };
    if (!row) return { ...base, ok: true, status: null, error: 'event no longer stored (retention): skipped' };
    const body = JSON.stringify({ schoolId: hook.school_id, webhookId: hook.id, event: openEvent(row, hook.sensitive) });
    const ts = Math.floor(this.opts.now() / 1000);
    try {
      if (!this.opts.allowPrivateTargets) {
        // A public name that resolves to a private address (SSRF into the cloud's network) is refused at each attempt.
        const host = new URL(hook.url).hostname.replace(/^\[|\]$/g, '');
        const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
        if (addresses.some((a) => isPrivateAddress(a.address))) return { ...base, ok: false, status: null, error: `${host} resolves to a private address: refused` };
      }
      const res = await fetch(hook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'campus-cloud-webhooks/1',
          [WEBHOOK_HEADERS.timestamp]: String(ts),
          [WEBHOOK_HEADERS.signature]: webhookSignature(hook.secret, ts, body),
          [WEBHOOK_HEADERS.eventId]: row.id,
          [WEBHOOK_HEADERS.eventType]: row.type,
          [WEBHOOK_HEADERS.deliveryId]: String(d.id),
          [WEBHOOK_HEADERS.attempt]: String(d.attempts + 1),
        },
        body,
      });
      await res.body?.cancel().catch(() => undefined); // the answer's body is not read: the status is the answer
      const ok = res.status >= 200 && res.status < 300;
      return { ...base, ok, status: res.status, error: ok ? null : `HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const error = e.name === 'TimeoutError' ? `timeout after ${this.opts.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      return { ...base, ok: false, status: null, error: String(error).slice(0, 300) };
    }
  }

  private async record(hook: HookRow, results: { id: number; attempts: number; ok: boolean; status: number | null; error: string | null; tried: boolean }[]): Promise<void> {
    const now = this.opts.now();
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    await this.db.transaction(async (tx) => {
      if (ok.length) {
        await tx.query(
          `UPDATE open_webhook_deliveries d SET status = 'delivered', attempts = t.attempts, last_status = t.st, last_error = t.err, delivered_at = $2, next_attempt_at = NULL
           FROM unnest($1::bigint[], $3::int[], $4::int[], $5::text[]) AS t(id, attempts, st, err) WHERE d.id = t.id`,
          [ok.map((r) => r.id), now, ok.map((r) => r.attempts), ok.map((r) => r.status), ok.map((r) => r.error)],
        );
        if (ok.some((r) => r.tried)) await tx.query(`UPDATE open_webhooks SET last_success_at = $2, failing_since = NULL WHERE id = $1`, [hook.id, now]);
      }
      if (!failed.length) return;
      const tried = failed.filter((r) => r.tried);
      const h = (
        await tx.query<{ failing_since: number | null; status: string }>(
          tried.length && !ok.length
            ? `UPDATE open_webhooks SET failing_since = COALESCE(failing_since, $2), last_failure_at = $2 WHERE id = $1 RETURNING failing_since, status`
            : `SELECT failing_since, status FROM open_webhooks WHERE id = $1`,
          [hook.id, now],
        )
      ).rows[0];
      const attempts = Math.max(1, ...tried.map((r) => r.attempts));
      const delay = this.opts.backoffMs[Math.min(attempts - 1, this.opts.backoffMs.length - 1)]!;
      await tx.query(
        `UPDATE open_webhook_deliveries d SET status = 'pending', claimed_at = NULL, attempts = CASE WHEN t.tried THEN t.attempts ELSE d.attempts END,
           last_status = CASE WHEN t.tried THEN t.st ELSE d.last_status END, last_error = CASE WHEN t.tried THEN t.err ELSE d.last_error END, next_attempt_at = $2
         FROM unnest($1::bigint[], $3::int[], $4::int[], $5::text[], $6::boolean[]) AS t(id, attempts, st, err, tried) WHERE d.id = t.id`,
        [failed.map((r) => r.id), now + delay, failed.map((r) => r.attempts), failed.map((r) => r.status), failed.map((r) => r.error), failed.map((r) => r.tried)],
      );
      if (!h || h.status !== 'active') return;
      if (h.failing_since !== null && now - h.failing_since >= this.opts.disableAfterMs) {
        // A day without one success: disabled; the admin sees it and re-enables after fixing the receiver.
        await tx.query(`UPDATE open_webhooks SET status = 'disabled', disabled_at = $2, version = version + 1 WHERE id = $1`, [hook.id, now]);
        await tx.query(`UPDATE open_webhook_deliveries SET next_attempt_at = NULL WHERE webhook_id = $1 AND status = 'pending'`, [hook.id]);
        return;
      }
      await this.queue.send<DeliveryJob>(tx, WEBHOOK_JOB, { webhookId: hook.id, deliveryIds: failed.map((r) => r.id) }, { delayMs: delay });
    });
  }
}
