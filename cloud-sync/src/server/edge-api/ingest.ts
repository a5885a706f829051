import type { EventEnvelope } from '@campus/protocol';
import type { IngestResult } from '@campus/protocol/sync/ingest';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import type { JobQueue } from '../jobs/queue.js';
import { isNoticeCandidate, NOTIFY_JOB, type NotifyJob } from '../notify/notice-candidates.js';
import type { Tenancy } from '../tenancy/tenancy.js';
import type { AuthenticatedEdge } from './edge-auth.js';

/**
 * Work that follows storing events, inside the ingest transaction (so it happens exactly
 * once per stored event, or not at all): the district roll-up, webhook deliveries.
 */
export interface IngestHook {
  /** Called with only the events this batch newly stored (not the duplicates). */
  stored(tx: Queryable, schoolId: string, events: EventEnvelope[], ctx?: IngestContext): Promise<void>;
  /** After the transaction committed (e.g. wake a job worker). */
  committed?(schoolId: string): void;
}

/**
 * What the ingest statement read of the school in the same round trip as storing the
 * events, for the hooks (each round trip counts: the ingest path is bound by them).
 */
export interface IngestContext {
  /** The school's active webhook subscriptions (open/webhooks.ts). */
  webhooks: { id: string; event_types: string[] }[];
}

/**
 * Stores a batch of edge events, idempotently by (school, event id): a batch resent
 * after a lost acknowledgement adds nothing. The whole batch is one transaction with the
 * notification job for the newly stored gate/attendance events, so either all of it is
 * in the cloud (and will be notified) or none of it is.
 */
export class EventIngest {
  private readonly siteCache = new Map<string, { sites: Set<string>; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly tenancy: Tenancy,
    private readonly queue: JobQueue,
    private readonly now: () => number = Date.now,
    private readonly hooks: readonly IngestHook[] = [],
  ) {}

  async ingest(edge: AuthenticatedEdge, events: EventEnvelope[]): Promise<IngestResult> {
    const sites = await this.sites(edge.schoolId);
    for (const e of events) if (!sites.has(e.site)) throw new HttpError(403, 'sync.error.cross_school', { site: e.site });

    const receivedAt = this.now();
    const candidates = new Set(events.filter(isNoticeCandidate).map((e) => e.id));
    // Left unclaimed by the authenticator (edgeRoutes): claimed by the ingest statement itself.
    const nonce = edge.unclaimedNonce ?? null;
    const inserted = await this.db.transaction(async (tx) => {
      // One statement: the request's nonce (a replay stores nothing and is refused with 401,
      // its transaction rolled back), the events, and what the hooks need of the school.
      const q = await tx.query<{ nonce_claimed: number; ids: string[]; webhooks: IngestContext['webhooks'] }>(
        `WITH nonce AS (
           INSERT INTO edge_nonces (edge_id, nonce, seen_at) SELECT $2, $15::text, $3 WHERE $15::text IS NOT NULL
           ON CONFLICT DO NOTHING RETURNING 1),
         ins AS (
           INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
           SELECT $1, id, site, $2, type, occ, $3, ct, reason, sev, pri, src, subj, d::jsonb
           FROM unnest($4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::boolean[], $9::text[], $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[])
             AS t(id, site, type, occ, ct, reason, sev, pri, src, subj, d)
           WHERE $15::text IS NULL OR EXISTS (SELECT 1 FROM nonce)
           ON CONFLICT (school_id, id, occurred_at) DO NOTHING
           RETURNING id)
         SELECT (SELECT count(*) FROM nonce)::int AS nonce_claimed,
           COALESCE((SELECT array_agg(id::text) FROM ins), '{}') AS ids,
           COALESCE((SELECT json_agg(json_build_object('id', w.id, 'event_types', w.event_types)) FROM open_webhooks w WHERE w.school_id = $1 AND w.status = 'active'), '[]') AS webhooks`,
        [
          edge.schoolId,
          edge.edgeId,
          receivedAt,
          events.map((e) => e.id),
          events.map((e) => e.site),
          events.map((e) => e.type),
          events.map((e) => e.occurredAt),
          events.map((e) => e.clockTrusted),
          events.map((e) => e.reason),
          events.map((e) => e.severity),
          events.map((e) => e.priority),
          events.map((e) => e.source),
          events.map((e) => e.subject),
          events.map((e) => JSON.stringify(e.data)),
          nonce,
        ],
      );
      const row = q.rows[0]!;
      if (nonce !== null && row.nonce_claimed === 0) throw new HttpError(401, 'sync.error.replay');
      const r = { rows: row.ids.map((id) => ({ id })) };
      const ctx: IngestContext = { webhooks: row.webhooks };
      const fresh = r.rows.map((x) => x.id).filter((id) => candidates.has(id));
      if (fresh.length) await this.queue.send<NotifyJob>(tx, NOTIFY_JOB, { schoolId: edge.schoolId, eventIds: fresh });
      if (this.hooks.length && r.rows.length) {
        const stored = new Set(r.rows.map((x) => x.id));
        const storedEvents = events.filter((e) => stored.delete(e.id)); // once each, even if a batch repeats an id
        for (const h of this.hooks) await h.stored(tx, edge.schoolId, storedEvents, ctx);
      }
      return { count: r.rows.length, notify: fresh.length > 0 };
    });
    if (inserted.notify) this.queue.poke(NOTIFY_JOB);
    if (inserted.count) for (const h of this.hooks) h.committed?.(edge.schoolId);
    return { accepted: inserted.count, duplicates: events.length - inserted.count };
  }

  private async sites(schoolId: string): Promise<Set<string>> {
    const c = this.siteCache.get(schoolId);
    if (c && this.now() - c.at < 5_000) return c.sites;
    const sites = await this.tenancy.sitesOf(schoolId);
    this.siteCache.set(schoolId, { sites, at: this.now() });
    return sites;
  }
}
