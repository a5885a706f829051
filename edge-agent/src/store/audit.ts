import type { Db } from './open.js';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  address: string | null;
}

/** Who did what, when: every write through the API lands here. Append-only. */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  record(e: { actor: string; action: string; target?: string | null; detail?: Record<string, unknown>; address?: string | null }): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)')
      .run(this.now(), e.actor, e.action, e.target ?? null, JSON.stringify(e.detail ?? {}), e.address ?? null);
  }

  list(limit = 100, beforeId?: number): AuditEntry[] {
    const rows = (beforeId
      ? this.db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?').all(beforeId, limit)
      : this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)) as Array<{
      id: number;
      at: number;
      actor: string;
      action: string;
      target: string | null;
      detail: string;
      address: string | null;
    }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
