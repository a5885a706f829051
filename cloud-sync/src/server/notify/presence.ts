import { ACCESS_EVENTS, campusPassageOf, type Passage } from '@campus/protocol/access/index';
import type { Queryable } from '../db/database.js';

/**
 * Whether a campus passage changes where a student is, judged from the events stored in
 * the database (never from memory), in the order they happened (occurred-at, then id),
 * not the order they arrived. Every cloud process judges the same stored history the
 * same way; the notice row's unique key makes a second judgement of one event harmless.
 *
 * - repeat: the previous passage went the same way less than the fold window before, or
 *   a passage of the same-direction run that follows (each within the fold window of the
 *   one before) was already notified (this event came late or out of order). The first one of such a run carries
 *   the notice; the caller holds a per-student lock, so two processes cannot both judge
 *   a run's events to be its first.
 * - superseded: the event reached the cloud late and a later passage the other way is
 *   already stored. The parent hears the current state, not the history of an outage
 *   (the history is in the parent app's timeline).
 * - change: anything else, including the first passage ever and a same-direction passage
 *   after a longer gap (the passage the other way was missed, e.g. a gate without a reader).
 *
 * Only campus gates count (进校/离校 means the school's outer gates); dormitory and
 * building doors are moves inside the school and never change this.
 */
export type PresenceVerdict = 'change' | 'repeat' | 'superseded';

/** How far back and ahead a judgement looks (gate events of one student). */
const LOOK = 100;

interface Row {
  id: string;
  reason: string;
  data: unknown;
  occurred_at: number;
}

export interface JudgedEvent {
  id: string;
  occurredAt: number;
  late: boolean;
  passage: Passage;
}

export async function judgePassage(db: Queryable, schoolId: string, studentKey: string, e: JudgedEvent, foldWindowMs: number): Promise<PresenceVerdict> {
  // The passages just before and just after, in one round trip. The type is a literal so the
  // planner can use the partial index events_timeline.
  const rows = (
    await db.query<Row & { side: 'before' | 'after' }>(
      `(SELECT 'before' AS side, id, reason, data, occurred_at FROM events
        WHERE school_id = $1 AND subject = $2 AND type = 'access.decision' AND occurred_at <= $3 AND (occurred_at < $3 OR id < $4::uuid)
        ORDER BY occurred_at DESC, id DESC LIMIT $5)
       UNION ALL
       (SELECT 'after' AS side, id, reason, data, occurred_at FROM events
        WHERE school_id = $1 AND subject = $2 AND type = 'access.decision' AND occurred_at >= $3 AND (occurred_at > $3 OR id > $4::uuid)
        ORDER BY occurred_at ASC, id ASC LIMIT $5)`,
      [schoolId, studentKey, e.occurredAt, e.id, LOOK],
    )
  ).rows;
  const passages = (side: 'before' | 'after') => {
    const list = rows
      .filter((r) => r.side === side)
      .map((r) => ({ id: r.id, at: r.occurred_at, p: campusPassageOf({ type: ACCESS_EVENTS.decision, reason: r.reason, data: r.data }) }))
      .filter((x): x is { id: string; at: number; p: Passage } => x.p !== null);
    // UNION ALL keeps each branch's order in practice, but nothing promises it: sort.
    return list.sort((x, y) => (side === 'before' ? y.at - x.at || (y.id < x.id ? -1 : 1) : x.at - y.at || (x.id < y.id ? -1 : 1)));
  };
  const before = passages('before');
  const after = passages('after');
  const dir = e.passage.direction;
  // The run of same-direction passages that follows this one, each within the fold window
  // of the one before: if one of them already carries the notice, this is its repeat.
  const run: string[] = [];
  let last = e.occurredAt;
  for (const x of after) {
    if (x.p.direction !== dir || x.at - last >= foldWindowMs) break;
    run.push(x.id);
    last = x.at;
  }
  if (run.length) {
    const notified = await db.query(`SELECT 1 FROM notice_verdicts WHERE school_id = $1 AND event_id = ANY($2::uuid[]) AND verdict = 'change' LIMIT 1`, [schoolId, run]);
    if (notified.rows.length) return 'repeat';
  }
  if (e.late && after.some((x) => x.p.direction !== dir)) return 'superseded';
  const prev = before[0];
  if (prev && prev.p.direction === dir && e.occurredAt - prev.at < foldWindowMs) return 'repeat';
  return 'change';
}

/**
 * The verdict for an event, judged once: a retried job or a second process gets the
 * stored one, so a passage never flips between notified and not.
 */
export async function verdictFor(tx: Queryable, schoolId: string, studentKey: string, e: JudgedEvent, foldWindowMs: number, now: number): Promise<PresenceVerdict> {
  await lockStudent(tx, schoolId, studentKey);
  const stored = await tx.query<{ verdict: PresenceVerdict }>('SELECT verdict FROM notice_verdicts WHERE school_id = $1 AND event_id = $2', [schoolId, e.id]);
  if (stored.rows[0]) return stored.rows[0].verdict;
  const verdict = await judgePassage(tx, schoolId, studentKey, e, foldWindowMs);
  await tx.query('INSERT INTO notice_verdicts (school_id, event_id, verdict, judged_at) VALUES ($1, $2, $3, $4)', [schoolId, e.id, verdict, now]);
  return verdict;
}

/** Serialises judgements of one student's passages across every cloud process (transaction-scoped). */
export async function lockStudent(tx: Queryable, schoolId: string, studentKey: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`notice|${schoolId}|${studentKey}`]);
}
