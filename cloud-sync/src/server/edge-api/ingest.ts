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
  stored(tx: Queryable, schoolId: string, events: EventEnvelope[]): Promise<void>;
  /** After the transaction committed (e.g. wake a job worker). */
  committed?(schoolId: string): void;
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
    /** Claims a request nonce left unclaimed by the authenticator, in the ingest transaction. */
    private readonly nonces?: { claimNonce(q: Queryable, edge: AuthenticatedEdge, nonce: string): Promise<void> },
  ) {}

  async ingest(edge: AuthenticatedEdge, events: EventEnvelope[]): Promise<IngestResult> {
    const sites = await this.sites(edge.schoolId);
    for (const e of events) if (!sites.has(e.site)) throw new HttpError(403, 'sync.error.cross_school', { site: e.site });

    const receivedAt = this.now();
    const candidates = new Set(events.filter(isNoticeCandidate).map((e) => e.id));
    const inserted = await this.db.transaction(async (tx) => {
      // A replayed request is refused (401) and its transaction rolled back: nothing stored twice.
      if (edge.unclaimedNonce) {
        if (!this.nonces) throw new Error('ingest: an unclaimed nonce and no one to claim it');
        await this.nonces.claimNonce(tx, edge, edge.unclaimedNonce);
      }
      const r = await tx.query<{ id: string }>(
        `INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
         SELECT $1, id, site, $2, type, occ, $3, ct, reason, sev, pri, src, subj, d::jsonb
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::boolean[], $9::text[], $10::text[], $11::smallint[], $12::text[], $13::text[], $14::text[])
           AS t(id, site, type, occ, ct, reason, sev, pri, src, subj, d)
         ON CONFLICT (school_id, id, occurred_at) DO NOTHING
         RETURNING id`,
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
        ],
      );
      const fresh = r.rows.map((x) => x.id).filter((id) => candidates.has(id));
      if (fresh.length) await this.queue.send<NotifyJob>(tx, NOTIFY_JOB, { schoolId: edge.schoolId, eventIds: fresh });
      if (this.hooks.length && r.rows.length) {
        const stored = new Set(r.rows.map((x) => x.id));
        const storedEvents = events.filter((e) => stored.delete(e.id)); // once each, even if a batch repeats an id
        for (const h of this.hooks) await h.stored(tx, edge.schoolId, storedEvents);
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
