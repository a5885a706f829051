import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import './messages.js';

/**
 * What a key may do. `records:read` and `events:read` open the read API, `export` the bulk
 * export; `sensitive` adds PIPL-sensitive fields (phone numbers, health facts) to whatever
 * the other scopes return — it opens nothing by itself. `records:write` lets the school's
 * own systems (its academic-affairs system, an HR list) keep the records the cloud owns in
 * step: the one way to write records besides the console (the cloud's admin token only
 * provisions schools and edges).
 */
export const OPEN_SCOPES = ['records:read', 'records:write', 'events:read', 'export', 'sensitive'] as const;
export type OpenScope = (typeof OPEN_SCOPES)[number];

export const ApiKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(64).describe('What the key is for, e.g. "教务系统对接"'),
  scopes: z.array(z.enum(OPEN_SCOPES)).min(1).max(OPEN_SCOPES.length),
  /** ms since epoch; absent = no expiry. */
  expiresAt: z.number().int().positive().nullable().optional(),
});

export interface ApiKeyInfo {
  id: string;
  schoolId: string;
  name: string;
  scopes: OpenScope[];
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** The caller of the open API: bound from the key once per request. */
export interface KeyPrincipal {
  keyId: string;
  schoolId: string;
  name: string;
  scopes: OpenScope[];
}

interface KeyRow {
  id: string;
  school_id: string;
  name: string;
  scopes: OpenScope[];
  secret_hash: string;
  created_by_name: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest();
const info = (r: KeyRow): ApiKeyInfo => ({
  id: r.id,
  schoolId: r.school_id,
  name: r.name,
  scopes: r.scopes,
  createdBy: r.created_by_name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/**
 * Per-school API keys. The key a client sends is `<id>.<secret>`; the cloud keeps the
 * id and a SHA-256 of the secret (32 random bytes: a fast hash is enough, nothing to
 * brute-force), so the secret is shown once, when the key is made, and never again.
 */
export class ApiKeys {
  /** Last-used times are written at most once a minute per key. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async create(q: Queryable, schoolId: string, input: z.infer<typeof ApiKeyInputSchema>, by: { id: string | null; name: string }): Promise<ApiKeyInfo & { key: string }> {
    const id = newId('ok');
    const secret = randomBytes(32).toString('base64url');
    const scopes = [...new Set(input.scopes)].sort() as OpenScope[];
    const r = await q.query<KeyRow>(
      `INSERT INTO open_api_keys (id, school_id, name, scopes, secret_hash, created_by, created_by_name, created_at, expires_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9) RETURNING *`,
      [id, schoolId, input.name, scopes, hash(secret).toString('hex'), by.id, by.name, this.now(), input.expiresAt ?? null],
    );
    return { ...info(r.rows[0]!), key: `${id}.${secret}` };
  }

  async list(q: Queryable, schoolId: string): Promise<ApiKeyInfo[]> {
    const r = await q.query<KeyRow>('SELECT * FROM open_api_keys WHERE school_id = $1 ORDER BY created_at DESC, id', [schoolId]);
    return r.rows.map(info);
  }

  async revoke(q: Queryable, schoolId: string, keyId: string): Promise<ApiKeyInfo> {
    const r = await q.query<KeyRow>('UPDATE open_api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE school_id = $1 AND id = $2 RETURNING *', [schoolId, keyId, this.now()]);
    if (!r.rows[0]) throw new HttpError(404, 'staff.error.not_found');
    this.touched.delete(keyId);
    return info(r.rows[0]);
  }

  /** The principal of an `Authorization: Bearer <id>.<secret>` header; 401 otherwise. */
  async authenticate(header: string | undefined): Promise<KeyPrincipal> {
    const m = /^Bearer\s+(ok_[A-Za-z0-9_-]{6,40})\.([A-Za-z0-9_-]{20,100})$/.exec(header?.trim() ?? '');
    if (!header) throw new HttpError(401, 'open.error.key_missing', undefined, { 'www-authenticate': 'Bearer' });
    if (!m) throw new HttpError(401, 'open.error.key_invalid', undefined, { 'www-authenticate': 'Bearer' });
    const r = await this.db.query<KeyRow>('SELECT * FROM open_api_keys WHERE id = $1', [m[1]]);
    const row = r.rows[0];
    const t = this.now();
    const given = hash(m[2]!);
    const stored = row ? Buffer.from(row.secret_hash, 'hex') : Buffer.alloc(32);
    const ok = timingSafeEqual(given, stored) && row !== undefined;
    if (!ok || !row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= t)) {
      throw new HttpError(401, 'open.error.key_invalid', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (t - (this.touched.get(row.id) ?? 0) > 60_000) {
      this.touched.set(row.id, t);
      await this.db.query('UPDATE open_api_keys SET last_used_at = $2 WHERE id = $1', [row.id, t]);
    }
    return { keyId: row.id, schoolId: row.school_id, name: row.name, scopes: row.scopes };
  }
}

const SCOPE_WHAT: Record<OpenScope, string> = { 'records:read': 'open.scope.records:read', 'records:write': 'open.scope.records:write', 'events:read': 'open.scope.events:read', export: 'open.scope.export', sensitive: 'open.scope.sensitive' };

/** 403 with the scope's name when the key lacks it; 403 when the key is another school's. */
export function requireScope(p: KeyPrincipal, scope: OpenScope, schoolId: string, text: (id: string) => { 'zh-CN': string; en: string }): void {
  if (p.schoolId !== schoolId) throw new HttpError(403, 'open.error.school', { keySchool: p.schoolId, schoolId });
  if (!p.scopes.includes(scope)) {
    const t = text(SCOPE_WHAT[scope]);
    throw new HttpError(403, 'open.error.scope', { scope, what: t['zh-CN'], whatEn: t.en });
  }
}
