import type { Db } from '../store/index.js';

export interface Leave {
  id: number;
  personId: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  approvedBy: string;
  status: 'approved' | 'cancelled';
  source: 'local' | 'cloud';
  createdBy: string;
  createdAt: number;
}

const COLUMNS = `id, person_id AS personId, starts_at AS startsAt, ends_at AS endsAt, reason, approved_by AS approvedBy, status, source,
  created_by AS createdBy, created_at AS createdAt`;

/**
 * Approved leave (请假/离校) records. The gate asks "does this student hold a leave
 * covering now?" on every exit in school hours, so approved leaves that have not ended
 * are kept in memory by person.
 */
export class Leaves {
  readonly #open = new Map<string, Leave[]>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  load(): void {
    this.#open.clear();
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM access_leaves WHERE status = 'approved' AND ends_at > ?`).all(this.now()) as Leave[];
    for (const l of rows) this.#add(l);
  }

  /** The approved leave covering `at`, if any. */
  covering(personId: string, at: number): Leave | undefined {
    const list = this.#open.get(personId);
    if (!list) return undefined;
    for (const l of list) if (l.startsAt <= at && at < l.endsAt) return l;
    return undefined;
  }

  /** Any approved leave overlapping [from, to). */
  overlapping(personId: string, from: number, to: number): Leave | undefined {
    const list = this.#open.get(personId);
    if (!list) return undefined;
    for (const l of list) if (l.startsAt < to && from < l.endsAt) return l;
    return undefined;
  }

  create(l: Omit<Leave, 'id' | 'status' | 'createdAt'>): Leave {
    const createdAt = this.now();
    const id = Number(
      this.db
        .prepare('INSERT INTO access_leaves (person_id, starts_at, ends_at, reason, approved_by, source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(l.personId, l.startsAt, l.endsAt, l.reason, l.approvedBy, l.source, l.createdBy, createdAt).lastInsertRowid,
    );
    const leave: Leave = { ...l, id, status: 'approved', createdAt };
    this.#add(leave);
    return leave;
  }

  cancel(id: number, why: string): Leave | undefined {
    const n = this.db
      .prepare("UPDATE access_leaves SET status = 'cancelled', cancelled_at = ?, cancelled_why = ? WHERE id = ? AND status = 'approved'")
      .run(this.now(), why, id).changes;
    const leave = this.get(id);
    if (n > 0 && leave) {
      const list = this.#open.get(leave.personId)?.filter((l) => l.id !== id) ?? [];
      if (list.length > 0) this.#open.set(leave.personId, list);
      else this.#open.delete(leave.personId);
    }
    return leave;
  }

  get(id: number): Leave | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM access_leaves WHERE id = ?`).get(id) as Leave | undefined;
  }

  list(q: { from?: number; to?: number; endsAfter?: number; personIds?: readonly string[]; includeCancelled: boolean; limit: number }): Leave[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.from !== undefined && q.to !== undefined) {
      where.push('starts_at < ? AND ends_at > ?');
      params.push(q.to, q.from);
    }
    if (q.endsAfter !== undefined) {
      where.push('ends_at > ?');
      params.push(q.endsAfter);
    }
    if (q.personIds) {
      if (q.personIds.length === 0) return [];
      where.push(`person_id IN (${q.personIds.map(() => '?').join(',')})`);
      params.push(...q.personIds);
    }
    if (!q.includeCancelled) where.push("status = 'approved'");
    params.push(q.limit);
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM access_leaves ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY starts_at DESC LIMIT ?`)
      .all(...params) as Leave[];
  }

  /** Forgets leaves that have ended (they stay in SQLite). */
  prune(now: number): void {
    for (const [personId, list] of this.#open) {
      const open = list.filter((l) => l.endsAt > now);
      if (open.length === 0) this.#open.delete(personId);
      else if (open.length !== list.length) this.#open.set(personId, open);
    }
  }

  #add(l: Leave): void {
    const t = this.now();
    const list = (this.#open.get(l.personId) ?? []).filter((x) => x.endsAt > t);
    list.push(l);
    this.#open.set(l.personId, list);
  }
}
