import type { Db } from '../store/index.js';

/**
 * Read-only lookups into the access directory for other domains (the school bus checks
 * a card holder, a leave and today's attendance at the bus door). They read SQLite, the
 * record, so no other domain needs the access domain's in-memory maps or its instance.
 */
export interface CardHolder {
  id: string;
  name: string;
  roles: string[];
  active: boolean;
  minCardVersion: number;
  gradeId: number | null;
}

export function readCardHolder(db: Db, personId: string): CardHolder | undefined {
  const r = db
    .prepare('SELECT p.id, p.name, p.roles, p.active, p.min_card_version AS minCardVersion, c.grade_id AS gradeId FROM access_persons p LEFT JOIN access_classes c ON c.id = p.class_id WHERE p.id = ?')
    .get(personId) as { id: string; name: string; roles: string; active: number; minCardVersion: number; gradeId: number | null } | undefined;
  if (!r) return undefined;
  return { id: r.id, name: r.name, roles: r.roles.split(',').filter(Boolean), active: r.active === 1, minCardVersion: r.minCardVersion, gradeId: r.gradeId };
}

/** An approved leave overlapping [from, to), if any. */
export function readLeaveOverlapping(db: Db, personId: string, from: number, to: number): { id: number; reason: string } | undefined {
  return db
    .prepare("SELECT id, reason FROM access_leaves WHERE person_id = ? AND status = 'approved' AND starts_at < ? AND ends_at > ? ORDER BY starts_at LIMIT 1")
    .get(personId, to, from) as { id: number; reason: string } | undefined;
}

/**
 * Recorded absent on `day`: the attendance sweep for the student's grade has run and no
 * arrival is recorded. Meaningful only where gate attendance reaches this database.
 */
export function readAbsent(db: Db, personId: string, gradeId: number | null, day: string): boolean {
  if (gradeId === null) return false;
  const swept = db.prepare('SELECT 1 FROM access_attendance_sweeps WHERE day = ? AND grade_id = ?').get(day, gradeId);
  if (!swept) return false;
  const a = db.prepare('SELECT arrived_at AS arrivedAt FROM access_attendance WHERE day = ? AND person_id = ?').get(day, personId) as { arrivedAt: number | null } | undefined;
  return !a || a.arrivedAt === null;
}
