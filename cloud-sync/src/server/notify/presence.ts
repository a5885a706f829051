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

/** The passages of one student just before and just after a judged event (campus gates only, nearest first). */
interface Neighbours {
  before: Array<{ id: string; at: number; p: Passage }>;
  after: Array<{ id: string; at: number; p: Passage }>;
}

/**
 * The neighbours of every event, in one round trip: for each, the passages just before and
 * just after it (LOOK each way). The type is a literal so the planner can use the partial
 * index events_timeline.
 */
async function neighboursOf(db: Queryable, schoolId: string, events: ReadonlyArray<{ studentKey: string; e: JudgedEvent }>): Promise<Map<string, Neighbours>> {
  const rows = (
    await db.query<Row & { ev: string; side: 'before' | 'after' }>(
      `SELECT x.ev::text AS ev, n.side, n.id, n.reason, n.data, n.occurred_at
       FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS x(ev, subject, at)
       CROSS JOIN LATERAL (
         (SELECT 'before' AS side, id, reason, data, occurred_at FROM events
          WHERE school_id = $1 AND subject = x.subject AND type = 'access.decision' AND occurred_at <= x.at AND (occurred_at < x.at OR id < x.ev)
          ORDER BY occurred_at DESC, id DESC LIMIT $5)
         UNION ALL
         (SELECT 'after' AS side, id, reason, data, occurred_at FROM events
          WHERE school_id = $1 AND subject = x.subject AND type = 'access.decision' AND occurred_at >= x.at AND (occurred_at > x.at OR id > x.ev)
          ORDER BY occurred_at ASC, id ASC LIMIT $5)
       ) AS n`,
      [schoolId, events.map((x) => x.e.id), events.map((x) => x.studentKey), events.map((x) => x.e.occurredAt), LOOK],
    )
  ).rows;
  const out = new Map<string, Neighbours>(events.map((x) => [x.e.id, { before: [], after: [] }]));
  for (const r of rows) {
    const p = campusPassageOf({ type: ACCESS_EVENTS.decision, reason: r.reason, data: r.data });
    if (p) out.get(r.ev)?.[r.side].push({ id: r.id, at: Number(r.occurred_at), p });
  }
  // UNION ALL keeps each branch's order in practice, but nothing promises it: sort.
  for (const n of out.values()) {
    n.before.sort((x, y) => y.at - x.at || (y.id < x.id ? -1 : 1));
    n.after.sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1));
  }
  return out;
}

/** The run of same-direction passages that follows an event, each within the fold window of the one before. */
function runAfter(e: JudgedEvent, n: Neighbours, foldWindowMs: number): string[] {
  const run: string[] = [];
  let last = e.occurredAt;
  for (const x of n.after) {
    if (x.p.direction !== e.passage.direction || x.at - last >= foldWindowMs) break;
    run.push(x.id);
    last = x.at;
  }
  return run;
}

/** The judgement itself, on the neighbours and on whether a passage of the run that follows already carries the notice. */
function judge(e: JudgedEvent, n: Neighbours, runNotified: boolean, foldWindowMs: number): PresenceVerdict {
  const dir = e.passage.direction;
  if (runNotified) return 'repeat';
  if (e.late && n.after.some((x) => x.p.direction !== dir)) return 'superseded';
  const prev = n.before[0];
  if (prev && prev.p.direction === dir && e.occurredAt - prev.at < foldWindowMs) return 'repeat';
  return 'change';
}

/**
 * The verdicts of a batch of passages (one upload, or the uploads a worker took together),
 * each judged once: a retried job or a second process gets the stored one, so a passage
 * never flips between notified and not. The caller's transaction holds every student's
 * lock (lockStudents) first; the batch costs the same few round trips however many
 * passages it has. Passages of one student in the batch are judged in the order given,
 * each seeing the verdicts of those before it, as if judged one by one.
 */
export async function verdictsFor(
  tx: Queryable,
  schoolId: string,
  events: ReadonlyArray<{ studentKey: string; e: JudgedEvent }>,
  foldWindowMs: number,
  now: number,
): Promise<Map<string, PresenceVerdict>> {
  const verdicts = new Map<string, PresenceVerdict>();
  if (events.length === 0) return verdicts;
  const stored = await tx.query<{ event_id: string; verdict: PresenceVerdict }>('SELECT event_id::text AS event_id, verdict FROM notice_verdicts WHERE school_id = $1 AND event_id = ANY($2::uuid[])', [
    schoolId,
    events.map((x) => x.e.id),
  ]);
  for (const r of stored.rows) verdicts.set(r.event_id, r.verdict);
  const open = events.filter((x) => !verdicts.has(x.e.id));
  if (open.length === 0) return verdicts;
  const neighbours = await neighboursOf(tx, schoolId, open);
  const runs = new Map(open.map((x) => [x.e.id, runAfter(x.e, neighbours.get(x.e.id)!, foldWindowMs)]));
  const inRuns = [...new Set([...runs.values()].flat())];
  const notified = new Set<string>();
  if (inRuns.length) {
    const r = await tx.query<{ event_id: string }>(`SELECT event_id::text AS event_id FROM notice_verdicts WHERE school_id = $1 AND event_id = ANY($2::uuid[]) AND verdict = 'change'`, [schoolId, inRuns]);
    for (const x of r.rows) notified.add(x.event_id);
  }
  const judged: Array<[string, PresenceVerdict]> = [];
  for (const x of open) {
    const run = runs.get(x.e.id)!;
    const v = judge(x.e, neighbours.get(x.e.id)!, run.some((id) => notified.has(id)), foldWindowMs);
    verdicts.set(x.e.id, v);
    judged.push([x.e.id, v]);
    if (v === 'change') notified.add(x.e.id);
  }
  await tx.query('INSERT INTO notice_verdicts (school_id, event_id, verdict, judged_at) SELECT $1, e, v, $4 FROM unnest($2::uuid[], $3::text[]) AS x(e, v)', [
    schoolId,
    judged.map(([id]) => id),
    judged.map(([, v]) => v),
    now,
  ]);
  return verdicts;
}

/**
 * Serialises judgements of each student's passages across every cloud process
 * (transaction-scoped), all the batch's students in one round trip, always in the same
 * (hash) order so two batches never wait for each other in a cycle.
 */
export async function lockStudents(tx: Queryable, schoolId: string, studentKeys: readonly string[]): Promise<void> {
  if (studentKeys.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k) AS s ORDER BY h', [
    studentKeys.map((k) => `notice|${schoolId}|${k}`),
  ]);
}
