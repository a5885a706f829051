import type { Queryable } from '../db/database.js';

export interface AuditEntry {
  /** The school or district the write belongs to: whose admin sees it. */
  schoolId: string | null;
  districtId: string | null;
  /** Staff account id; null for the admin token. */
  actorId: string | null;
  actorName: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  address: string | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: number;
}

const SECRET_KEYS = /pass(word)?|secret|token|^code$|privateKey/i;

/** Copies a request body for the audit log with passwords, codes and tokens hidden. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[HIDDEN]' : redact(v)]));
  }
  return value;
}

/**
 * The staff audit log: one row per write, appended in the same transaction as the write
 * itself (no write without its row, no row for a write that rolled back). The table
 * refuses UPDATE, DELETE and TRUNCATE (a trigger), so the log only grows.
 */
export class StaffAudit {
  constructor(private readonly now: () => number = Date.now) {}

  async append(q: Queryable, e: AuditEntry): Promise<void> {
    await q.query(
      `INSERT INTO staff_audit (at, school_id, district_id, actor_id, actor_name, action, target, detail, address)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [this.now(), e.schoolId, e.districtId, e.actorId, e.actorName, e.action, e.target, JSON.stringify(e.detail), e.address],
    );
  }

  /** Newest first, for one school or one district; `before` pages by id. */
  async list(q: Queryable, scope: { schoolId: string } | { districtId: string }, opts: { before: number; limit: number; action?: string | undefined; actorId?: string | undefined }): Promise<AuditRow[]> {
    const [col, id] = 'schoolId' in scope ? ['school_id', scope.schoolId] : ['district_id', scope.districtId];
    const r = await q.query<{ id: number; at: number; school_id: string | null; district_id: string | null; actor_id: string | null; actor_name: string; action: string; target: string | null; detail: Record<string, unknown>; address: string | null }>(
      `SELECT id, at, school_id, district_id, actor_id, actor_name, action, target, detail, address FROM staff_audit
       WHERE ${col} = $1 AND id < $2 AND ($4::text IS NULL OR action = $4) AND ($5::text IS NULL OR actor_id = $5)
       ORDER BY id DESC LIMIT $3`,
      [id, opts.before, opts.limit, opts.action ?? null, opts.actorId ?? null],
    );
    return r.rows.map((x) => ({
      id: x.id,
      at: x.at,
      schoolId: x.school_id,
      districtId: x.district_id,
      actorId: x.actor_id,
      actorName: x.actor_name,
      action: x.action,
      target: x.target,
      detail: x.detail,
      address: x.address,
    }));
  }
}
