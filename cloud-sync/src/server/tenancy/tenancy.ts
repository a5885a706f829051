import { z } from 'zod';
import type { Database } from '../db/database.js';
import { generateEdgeKeyPair } from '../../shared/signature.js';
import { HttpError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';

export const SchoolInputSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{2,40}$/).optional(),
  name: z.string().min(1).max(100),
  timezone: z.string().min(1).max(64).default('Asia/Shanghai'),
});
export const CampusInputSchema = z.object({
  name: z.string().min(1).max(100),
  site: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
});
export const EdgeInputSchema = z.object({
  name: z.string().min(1).max(100),
  campusId: z.string().max(64).optional(),
});

export interface School {
  id: string;
  name: string;
  timezone: string;
}

/** Returned once when an edge or key is created; the cloud keeps only the public key. */
export interface IssuedCredentials {
  edgeId: string;
  keyId: string;
  privateKey: string;
}

export interface EdgeKey {
  edgeId: string;
  keyId: string;
  schoolId: string;
  publicKey: string;
  disabled: boolean;
  revoked: boolean;
}

/** Schools, campuses, edges and their keys: the tenancy every other query is scoped by. */
export class Tenancy {
  private readonly keyListeners = new Set<(edgeId: string) => void>();

  constructor(private readonly db: Database) {}

  /** Called after an edge's keys or enabled state change in this process (caches drop the edge). */
  onEdgeChanged(listener: (edgeId: string) => void): void {
    this.keyListeners.add(listener);
  }

  private edgeChanged(edgeId: string): void {
    for (const l of this.keyListeners) l(edgeId);
  }

  async createSchool(input: z.input<typeof SchoolInputSchema>): Promise<School> {
    const s = SchoolInputSchema.parse(input);
    const id = s.id ?? newId('sch');
    const r = await this.db.query('INSERT INTO schools (id, name, timezone, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [id, s.name, s.timezone, Date.now()]);
    if (r.rowCount === 0) throw new HttpError(409, 'sync.error.invalid', { detail: `school ${id} exists` });
    return { id, name: s.name, timezone: s.timezone };
  }

  async listSchools(): Promise<School[]> {
    return (await this.db.query<School>('SELECT id, name, timezone FROM schools ORDER BY created_at')).rows;
  }

  async school(id: string): Promise<School> {
    const r = await this.db.query<School>('SELECT id, name, timezone FROM schools WHERE id = $1', [id]);
    if (!r.rows[0]) throw notFound();
    return r.rows[0];
  }

  async createCampus(schoolId: string, input: z.input<typeof CampusInputSchema>): Promise<{ id: string; schoolId: string; name: string; site: string }> {
    const c = CampusInputSchema.parse(input);
    await this.school(schoolId);
    const id = newId('cmp');
    const r = await this.db.query('INSERT INTO campuses (id, school_id, name, site) VALUES ($1, $2, $3, $4) ON CONFLICT (site) DO NOTHING', [id, schoolId, c.name, c.site]);
    if (r.rowCount === 0) throw new HttpError(409, 'sync.error.invalid', { detail: `site ${c.site} is taken` });
    return { id, schoolId, name: c.name, site: c.site };
  }

  async sitesOf(schoolId: string): Promise<Set<string>> {
    const r = await this.db.query<{ site: string }>('SELECT site FROM campuses WHERE school_id = $1', [schoolId]);
    return new Set(r.rows.map((x) => x.site));
  }

  async createEdge(schoolId: string, input: z.input<typeof EdgeInputSchema>): Promise<{ edgeId: string; credentials: IssuedCredentials }> {
    const e = EdgeInputSchema.parse(input);
    await this.school(schoolId);
    if (e.campusId) {
      const c = await this.db.query('SELECT 1 FROM campuses WHERE id = $1 AND school_id = $2', [e.campusId, schoolId]);
      if (!c.rows.length) throw notFound();
    }
    const edgeId = newId('edge');
    await this.db.query('INSERT INTO edges (id, school_id, campus_id, name, created_at) VALUES ($1, $2, $3, $4, $5)', [edgeId, schoolId, e.campusId ?? null, e.name, Date.now()]);
    return { edgeId, credentials: await this.issueKey(edgeId) };
  }

  /**
   * Key rotation: a new key is valid at once; old keys stay valid until revoked (so the
   * edge can switch without a gap) unless `revokeOthers` is set.
   */
  async issueKey(edgeId: string, opts: { revokeOthers?: boolean } = {}): Promise<IssuedCredentials> {
    const pair = generateEdgeKeyPair();
    const keyId = newId('key');
    await this.db.transaction(async (tx) => {
      const e = await tx.query('SELECT 1 FROM edges WHERE id = $1', [edgeId]);
      if (!e.rows.length) throw notFound();
      if (opts.revokeOthers) await tx.query('UPDATE edge_keys SET revoked_at = $2 WHERE edge_id = $1 AND revoked_at IS NULL', [edgeId, Date.now()]);
      await tx.query('INSERT INTO edge_keys (id, edge_id, public_key, created_at) VALUES ($1, $2, $3, $4)', [keyId, edgeId, pair.publicKey, Date.now()]);
    });
    this.edgeChanged(edgeId);
    return { edgeId, keyId, privateKey: pair.privateKey };
  }

  async revokeKey(edgeId: string, keyId: string): Promise<void> {
    const r = await this.db.query('UPDATE edge_keys SET revoked_at = $3 WHERE id = $2 AND edge_id = $1 AND revoked_at IS NULL', [edgeId, keyId, Date.now()]);
    if (r.rowCount === 0) throw notFound();
    this.edgeChanged(edgeId);
  }

  async setEdgeDisabled(edgeId: string, disabled: boolean): Promise<void> {
    const r = await this.db.query('UPDATE edges SET disabled = $2 WHERE id = $1', [edgeId, disabled]);
    if (r.rowCount === 0) throw notFound();
    this.edgeChanged(edgeId);
  }

  async listEdges(schoolId: string): Promise<{ id: string; name: string; campusId: string | null; disabled: boolean; lastSeenAt: number | null; keys: { id: string; createdAt: number; revokedAt: number | null }[] }[]> {
    const edges = await this.db.query<{ id: string; name: string; campus_id: string | null; disabled: boolean; last_seen_at: number | null }>(
      'SELECT id, name, campus_id, disabled, last_seen_at FROM edges WHERE school_id = $1 ORDER BY created_at',
      [schoolId],
    );
    const keys = await this.db.query<{ id: string; edge_id: string; created_at: number; revoked_at: number | null }>(
      'SELECT k.id, k.edge_id, k.created_at, k.revoked_at FROM edge_keys k JOIN edges e ON e.id = k.edge_id WHERE e.school_id = $1 ORDER BY k.created_at',
      [schoolId],
    );
    return edges.rows.map((e) => ({
      id: e.id,
      name: e.name,
      campusId: e.campus_id,
      disabled: e.disabled,
      lastSeenAt: e.last_seen_at,
      keys: keys.rows.filter((k) => k.edge_id === e.id).map((k) => ({ id: k.id, createdAt: k.created_at, revokedAt: k.revoked_at })),
    }));
  }

  async edgeKey(edgeId: string, keyId: string): Promise<EdgeKey | null> {
    const r = await this.db.query<{ school_id: string; public_key: string; disabled: boolean; revoked_at: number | null }>(
      'SELECT e.school_id, k.public_key, e.disabled, k.revoked_at FROM edge_keys k JOIN edges e ON e.id = k.edge_id WHERE k.id = $1 AND k.edge_id = $2',
      [keyId, edgeId],
    );
    const row = r.rows[0];
    if (!row) return null;
    return { edgeId, keyId, schoolId: row.school_id, publicKey: row.public_key, disabled: row.disabled, revoked: row.revoked_at !== null };
  }
}
