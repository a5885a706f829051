import { ACCESS_EVENTS, ATTENDANCE_EVENTS } from '@campus/protocol/access/events';
import { ENERGY_EVENTS } from '@campus/protocol/energy/edge-events';
import { USB_EVENT_TYPES } from '@campus/protocol/usb/messages';
import type { EventEnvelope } from '@campus/protocol';
import type { Database, Queryable } from '../db/database.js';
import type { IngestHook } from '../edge-api/ingest.js';
import type { Job, JobQueue } from '../jobs/queue.js';

export const REBUILD_JOB = 'district.rebuild';

/** The counters of one school-day (columns of district_daily). */
export const COUNTERS = ['entries', 'late', 'absent', 'left_early', 'gate_refused', 'gate_forced', 'fire_alarms', 'energy_wh', 'energy_after_wh', 'usb_blocked'] as const;
export type Counter = (typeof COUNTERS)[number];
export type DayCounts = Record<Counter, number>;

const zero = (): DayCounts => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as DayCounts;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** School-local date "YYYY-MM-DD" of an instant. */
export function localDay(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(ms);
}

/**
 * What one event adds to its school-day. Only counts: no name or id of a person is kept.
 * - entries: granted gate decisions inward; gate_refused: refused decisions;
 *   gate_forced: a passage the turnstile saw without a decision; fire_alarms: alarms raised;
 * - late / absent / left_early: the edge's attendance events (their `day`);
 * - energy_wh / energy_after_wh: hourly roll-ups, all meters (Wh, of which after hours);
 * - usb_blocked: USB devices blocked on school PCs.
 */
export function countEvent(e: Pick<EventEnvelope, 'type' | 'occurredAt' | 'data'>, timeZone: string, add: (day: string, c: Counter, n: number) => void): void {
  const d = e.data;
  const day = () => localDay(e.occurredAt, timeZone);
  switch (e.type) {
    case ACCESS_EVENTS.decision:
      if (d.granted === true && d.direction === 'in') add(day(), 'entries', 1);
      else if (d.granted === false) add(day(), 'gate_refused', 1);
      return;
    case ACCESS_EVENTS.passage:
      if (d.outcome === 'unexpected') add(day(), 'gate_forced', 1);
      return;
    case ACCESS_EVENTS.fireAlarm:
      if (d.active === true) add(day(), 'fire_alarms', 1);
      return;
    case ATTENDANCE_EVENTS.late:
    case ATTENDANCE_EVENTS.absent:
    case ATTENDANCE_EVENTS.leftEarly: {
      const dd = typeof d.day === 'string' && DAY_RE.test(d.day) ? d.day : day();
      add(dd, e.type === ATTENDANCE_EVENTS.late ? 'late' : e.type === ATTENDANCE_EVENTS.absent ? 'absent' : 'left_early', 1);
      return;
    }
    case ENERGY_EVENTS.rollupHour: {
      if (!Array.isArray(d.m)) return;
      const at = typeof d.hour === 'number' ? d.hour : e.occurredAt;
      let wh = 0;
      let after = 0;
      for (const row of d.m as unknown[]) {
        if (!Array.isArray(row)) continue;
        const [, w, a] = row as [unknown, unknown, unknown];
        if (typeof w === 'number' && Number.isFinite(w) && w > 0) wh += w;
        if (typeof a === 'number' && Number.isFinite(a) && a > 0) after += a;
      }
      const dd = localDay(at, timeZone);
      if (wh) add(dd, 'energy_wh', Math.round(wh));
      if (after) add(dd, 'energy_after_wh', Math.round(after));
      return;
    }
    case USB_EVENT_TYPES.blocked:
      add(day(), 'usb_blocked', 1);
      return;
    default:
      return;
  }
}

const lockKey = (schoolId: string) => `district_daily:${schoolId}`;

/**
 * The district roll-up: one row per school and school-local day in `district_daily`,
 * added to in the ingest transaction from the events it newly stored (each event counts
 * once, however often an edge resends it), and rebuilt from the stored events by a job
 * (events that arrived before this table existed, or after a change of the rules). A
 * year over 300 schools is then ~110,000 small rows, not millions of events.
 */
export class DistrictRollup implements IngestHook {
  private readonly schoolCache = new Map<string, { tz: string; students: number; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    await this.queue.work<{ schoolId: string }>(REBUILD_JOB, (jobs: Job<{ schoolId: string }>[]) => this.rebuildJobs(jobs));
  }

  /** Time zone and active students of a school, re-read at most once a minute. */
  private async school(q: Queryable, schoolId: string): Promise<{ tz: string; students: number }> {
    const c = this.schoolCache.get(schoolId);
    if (c && this.now() - c.at < 60_000) return c;
    const r = await q.query<{ tz: string; students: number }>(
      `SELECT s.timezone AS tz, (SELECT count(*) FROM records p WHERE p.school_id = s.id AND p.kind = 'person' AND NOT p.deleted
                 AND p.data->'roles' ? 'student' AND COALESCE((p.data->>'active')::boolean, true)) AS students
       FROM schools s WHERE s.id = $1`,
      [schoolId],
    );
    const v = { tz: r.rows[0]?.tz ?? 'Asia/Shanghai', students: Number(r.rows[0]?.students ?? 0), at: this.now() };
    this.schoolCache.set(schoolId, v);
    return v;
  }

  async stored(tx: Queryable, schoolId: string, events: EventEnvelope[]): Promise<void> {
    const { tz, students } = await this.school(tx, schoolId);
    const days = new Map<string, DayCounts>();
    for (const e of events) countEvent(e, tz, (day, c, n) => ((days.get(day) ?? days.set(day, zero()).get(day)!)[c] += n));
    if (!days.size) return;
    // Under the school's roll-up lock, shared with other ingests (a rebuild takes it
    // exclusively): taken by the upsert itself before its first row, one round trip.
    await this.upsert(tx, schoolId, students, days, 'add');
  }

  private async upsert(q: Queryable, schoolId: string, students: number, days: Map<string, DayCounts>, mode: 'add' | 'replace'): Promise<void> {
    const list = [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
    const cols = COUNTERS.join(', ');
    const set = COUNTERS.map((c) => (mode === 'add' ? `${c} = district_daily.${c} + EXCLUDED.${c}` : `${c} = EXCLUDED.${c}`)).join(', ');
    const lockParam = COUNTERS.length + 5;
    // 'add' (ingest): the shared lock is a one-row subquery joined before any row is written.
    const lock = mode === 'add' ? `(SELECT pg_advisory_xact_lock_shared(hashtext($${lockParam}))) AS lock(taken), ` : '';
    await q.query(
      `INSERT INTO district_daily (school_id, day, students, ${cols}, updated_at)
       SELECT $1, day::date, $2, ${COUNTERS.map((c) => `t.${c}`).join(', ')}, $3
       FROM ${lock}unnest($4::text[], ${COUNTERS.map((_, i) => `$${i + 5}::bigint[]`).join(', ')}) AS t(day, ${cols})
       ON CONFLICT (school_id, day) DO UPDATE SET students = EXCLUDED.students, ${set}, updated_at = EXCLUDED.updated_at`,
      [schoolId, students, this.now(), list.map(([d]) => d), ...COUNTERS.map((c) => list.map(([, v]) => v[c])), ...(mode === 'add' ? [lockKey(schoolId)] : [])],
    );
  }

  /** Queues a rebuild of each school's rows from its stored events. */
  async queueRebuild(q: Queryable, schoolIds: string[]): Promise<void> {
    for (const schoolId of schoolIds) await this.queue.send(q, REBUILD_JOB, { schoolId });
  }

  private async rebuildJobs(jobs: Job<{ schoolId: string }>[]): Promise<void> {
    for (const j of jobs) await this.rebuild(j.data.schoolId);
  }

  /**
   * Recounts a school from all its stored events, in one transaction holding the school's
   * roll-up lock, so an ingest running meanwhile is counted exactly once (it waits).
   */
  async rebuild(schoolId: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(schoolId)]);
      this.schoolCache.delete(schoolId);
      const { tz, students } = await this.school(tx, schoolId);
      const days = new Map<string, DayCounts>();
      let after: [number, string] = [-1, '00000000-0000-0000-0000-000000000000'];
      let n = 0;
      for (;;) {
        const r = await tx.query<{ id: string; type: string; occurred_at: number; received_at: number; data: Record<string, unknown> }>(
          `SELECT id, type, occurred_at, received_at, data FROM events
           WHERE school_id = $1 AND (school_id, received_at, id) > ($1, $2, $3::uuid)
             AND type = ANY($4::text[]) ORDER BY received_at, id LIMIT 5000`,
          [schoolId, after[0], after[1], ROLLED_UP_TYPES],
        );
        for (const x of r.rows) countEvent({ type: x.type, occurredAt: x.occurred_at, data: x.data }, tz, (day, c, k) => ((days.get(day) ?? days.set(day, zero()).get(day)!)[c] += k));
        n += r.rows.length;
        if (r.rows.length < 5000) break;
        const last = r.rows.at(-1)!;
        after = [last.received_at, last.id];
      }
      await tx.query('DELETE FROM district_daily WHERE school_id = $1', [schoolId]);
      if (days.size) await this.upsert(tx, schoolId, students, days, 'replace');
      return n;
    });
  }
}

const ROLLED_UP_TYPES = [ACCESS_EVENTS.decision, ACCESS_EVENTS.passage, ACCESS_EVENTS.fireAlarm, ATTENDANCE_EVENTS.late, ATTENDANCE_EVENTS.absent, ATTENDANCE_EVENTS.leftEarly, ENERGY_EVENTS.rollupHour, USB_EVENT_TYPES.blocked];
