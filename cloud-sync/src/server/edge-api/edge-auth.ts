import type { KeyObject } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { MAX_CLOCK_SKEW_MS, NONCE_RE, NONCE_TTL_MS, SYNC_HEADERS } from '@campus/protocol/sync/signing';
import type { Database, Queryable } from '../db/database.js';
import { importPublicKey, sha256Hex, verifyRequest } from '../../shared/signature.js';
import { HttpError } from '../http/errors.js';
import type { Tenancy } from '../tenancy/tenancy.js';

export interface AuthenticatedEdge {
  edgeId: string;
  schoolId: string;
  keyId: string;
  /**
   * Set when the request's nonce is not claimed yet (`middleware(defer)`): whoever handles
   * it must record it in edge_nonces in its own transaction before acting (EventIngest does).
   */
  unclaimedNonce?: string;
}

const unauthenticated = () => new HttpError(401, 'sync.error.unauthenticated');

/**
 * Verifies an edge request: fresh timestamp, known and unrevoked key, body hash, Ed25519
 * signature, and a nonce never seen before (stored in the database, so a replay is
 * refused by every cloud process). Keys are cached for five seconds; a revocation made
 * through this process drops the cache entry at once.
 */
export class EdgeAuthenticator {
  private readonly keys = new Map<string, { key: KeyObject; schoolId: string; disabled: boolean; revoked: boolean; at: number }>();
  private readonly lastSeen = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private touchTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly tenancy: Tenancy,
    private readonly now: () => number = Date.now,
  ) {
    // Same process: forget at once. Other cloud processes notice within the cache lifetime.
    tenancy.onEdgeChanged((edgeId) => {
      for (const id of [...this.keys.keys()]) if (id.startsWith(`${edgeId}/`)) this.keys.delete(id);
    });
  }

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweepNonces().catch(() => undefined), 60_000);
    this.sweepTimer.unref();
  }

  stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    return this.flushSeen();
  }

  async sweepNonces(): Promise<void> {
    await this.db.query('DELETE FROM edge_nonces WHERE seen_at < $1', [this.now() - NONCE_TTL_MS]);
  }

  /** `deferNonce`: requests whose handler claims the nonce itself, in its transaction. */
  middleware(deferNonce?: (req: Request) => boolean) {
    return (req: Request, res: Response, next: NextFunction) => {
      this.authenticate(req, !deferNonce?.(req)).then(
        (edge) => {
          res.locals.edge = edge;
          next();
        },
        (err: unknown) => next(err),
      );
    };
  }

  async authenticate(req: Request, claim = true): Promise<AuthenticatedEdge> {
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const edgeId = h(SYNC_HEADERS.edge);
    const keyId = h(SYNC_HEADERS.keyId);
    const ts = Number(h(SYNC_HEADERS.timestamp));
    const nonce = h(SYNC_HEADERS.nonce);
    const bodySha256 = h(SYNC_HEADERS.bodySha256);
    const signature = h(SYNC_HEADERS.signature);
    if (!edgeId || !keyId || !nonce || !bodySha256 || !signature || !Number.isFinite(ts) || !NONCE_RE.test(nonce)) throw unauthenticated();
    if (Math.abs(this.now() - ts) > MAX_CLOCK_SKEW_MS) throw new HttpError(401, 'sync.error.stale');

    const key = await this.key(edgeId, keyId);
    if (!key || key.revoked) throw unauthenticated();
    if (key.disabled) throw new HttpError(403, 'sync.error.edge_disabled');

    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (sha256Hex(body) !== bodySha256) throw unauthenticated();
    const parts = { method: req.method, path: req.originalUrl, timestamp: ts, nonce, bodySha256, edgeId, keyId };
    if (!verifyRequest(parts, signature, key.key)) throw unauthenticated();

    const edge: AuthenticatedEdge = { edgeId, schoolId: key.schoolId, keyId };
    if (claim) await this.claimNonce(this.db, edge, nonce);
    else edge.unclaimedNonce = nonce;
    this.touch(edgeId);
    return edge;
  }

  /**
   * Records a nonce as seen; a replay (seen before, by any process) is refused with 401.
   * In a transaction, a concurrent replay waits for it and is refused when it commits.
   */
  async claimNonce(q: Queryable, edge: Pick<AuthenticatedEdge, 'edgeId'>, nonce: string): Promise<void> {
    const fresh = await q.query('INSERT INTO edge_nonces (edge_id, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [edge.edgeId, nonce, this.now()]);
    if (fresh.rowCount === 0) throw new HttpError(401, 'sync.error.replay');
  }

  private async key(edgeId: string, keyId: string) {
    const id = `${edgeId}/${keyId}`;
    const cached = this.keys.get(id);
    if (cached && this.now() - cached.at < 5_000) return cached;
    const k = await this.tenancy.edgeKey(edgeId, keyId);
    if (!k) {
      this.keys.delete(id);
      return null;
    }
    const entry = { key: importPublicKey(k.publicKey), schoolId: k.schoolId, disabled: k.disabled, revoked: k.revoked, at: this.now() };
    this.keys.set(id, entry);
    return entry;
  }

  /**
   * last_seen_at for the admin list, noted at most every ten seconds per edge and written
   * for every edge seen within a second in one statement (300 edges cost one UPDATE a
   * second, not thirty).
   */
  private touch(edgeId: string): void {
    const t = this.now();
    if (t - (this.lastSeen.get(edgeId) ?? 0) < 10_000) return;
    this.lastSeen.set(edgeId, t);
    this.seen.set(edgeId, t);
    if (this.touchTimer) return;
    this.touchTimer = setTimeout(() => void this.flushSeen(), 1_000);
    this.touchTimer.unref();
  }

  /** Writes the noted last_seen_at values (also on stop). */
  async flushSeen(): Promise<void> {
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = null;
    if (!this.seen.size) return;
    const rows = [...this.seen];
    this.seen.clear();
    await this.db
      .query('UPDATE edges e SET last_seen_at = GREATEST(COALESCE(e.last_seen_at, 0), t.at) FROM unnest($1::text[], $2::bigint[]) AS t(id, at) WHERE e.id = t.id', [rows.map(([id]) => id), rows.map(([, at]) => at)])
      .catch(() => undefined);
  }
}
