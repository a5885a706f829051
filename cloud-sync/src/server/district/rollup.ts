import { ACCESS_EVENTS, ATTENDANCE_EVENTS } from '@campus/protocol/access/events';
import { BUS_EVENTS } from '@campus/protocol/bus/events';
import { FACILITIES_EVENTS } from '@campus/protocol/facilities/events';
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

/**
 * Counters of district_daily_kpi (migration 11, a table of its own: district_daily comes
 * later in the migration order): pupils present, bus punctuality and repair work orders.
 */
export const KPI_COUNTERS = ['bus_arrivals', 'bus_on_time', 'repairs_opened', 'repairs_done', 'repairs_confirmed', 'repairs_rating_sum', 'repairs_rated', 'repairs_sla_breached'] as const;
export type KpiCounter = (typeof KPI_COUNTERS)[number];
export type DayKpis = Record<KpiCounter, number>;
type AnyCounter = Counter | KpiCounter;
type Day = DayCounts & DayKpis & { present: Set<string> };

/** A stop reached at most this long after its timetable time counts as on time (arriving early is on time). */
export const BUS_ON_TIME_MINUTES = 5;

const zero = (): Day => ({ ...(Object.fromEntries([...COUNTERS, ...KPI_COUNTERS].map((c) => [c, 0])) as DayCounts & DayKpis), present: new Set<string>() });
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
/** Minutes since school-local midnight of an instant. */
function localMinutes(ms: number, timeZone: string): number {
  let f = timeFormatters.get(timeZone);
  if (!f) timeFormatters.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const [h, m] = f.format(ms).split(':').map(Number);
  return h! * 60 + m!;
}

/** Where one event's counts go: counters of a school-day, and the students with an entry that day. */
export interface DaySink {
  add(day: string, c: AnyCounter, n: number): void;
  present(day: string, studentKey: string): void;
}

function dayMap(): { days: Map<string, Day>; sink: DaySink } {
  const days = new Map<string, Day>();
  const get = (d: string) => days.get(d) ?? days.set(d, zero()).get(d)!;
  return { days, sink: { add: (d, c, n) => void (get(d)[c] += n), present: (d, k) => void get(d).present.add(k) } };
}

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
 * - present (district_presence, then a count): the distinct people with a granted entry
 *   that school-day; only those on the roster as students are kept (the SQL checks).
 * - bus_arrivals / bus_on_time: stops a bus box reported reached with a timetable time,
 *   and of those the ones reached no more than BUS_ON_TIME_MINUTES late;
 * - repairs_*: work orders submitted, done, confirmed (rating summed), SLA breaches.
 */
export function countEvent(e: Pick<EventEnvelope, 'type' | 'occurredAt' | 'data'> & { subject?: string | null }, timeZone: string, sink: DaySink): void {
  const d = e.data;
  const add = sink.add;
  const day = () => localDay(e.occurredAt, timeZone);
  switch (e.type) {
    case ACCESS_EVENTS.decision:
      if (d.granted === true && d.direction === 'in') {
        add(day(), 'entries', 1);
        if (e.subject) sink.present(day(), e.subject);
      } else if (d.granted === false) add(day(), 'gate_refused', 1);
      return;
    case BUS_EVENTS.stop: {
      const m = typeof d.scheduledAt === 'string' ? HHMM_RE.exec(d.scheduledAt) : null;
      if (!m) return; // no timetable time: nothing to be punctual against
      const late = localMinutes(e.occurredAt, timeZone) - (Number(m[1]) * 60 + Number(m[2]));
      add(day(), 'bus_arrivals', 1);
      if (late <= BUS_ON_TIME_MINUTES) add(day(), 'bus_on_time', 1);
      return;
    }
    case FACILITIES_EVENTS.orderChanged:
      if (d.state === 'submitted') add(day(), 'repairs_opened', 1);
      else if (d.state === 'done') add(day(), 'repairs_done', 1);
      else if (d.state === 'confirmed') {
        add(day(), 'repairs_confirmed', 1);
        if (typeof d.rating === 'number' && Number.isInteger(d.rating) && d.rating >= 1 && d.rating <= 5) {
          add(day(), 'repairs_rating_sum', d.rating);
          add(day(), 'repairs_rated', 1);
        }
      }
      return;
    case FACILITIES_EVENTS.orderEscalated:
      add(day(), 'repairs_sla_breached', 1);
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
    const { days, sink } = dayMap();
    for (const e of events) countEvent(e, tz, sink);
    if (!days.size) return;
    // Under the school's roll-up lock, shared with other ingests (a rebuild takes it
    // exclusively): taken by the upsert itself before its first row, one round trip.
    await this.upsert(tx, schoolId, students, days, 'add');
  }

  /**
   * One statement for a batch's days: the students present are added to district_presence
   * (a student already there that day adds nothing), the new ones counted into
   * district_daily_kpi with the bus and repair counters, and district_daily's counters
   * added to ('add', ingest) or set ('replace', rebuild). In 'add' mode the school's shared
   * roll-up lock is a one-row CTE every insert reads from, so it is held before any row is
   * written. Presence keeps only keys on the roster as students (a teacher's card, a
   * visitor's pass and an unknown key count as entries, never as pupils present).
   */
  private async upsert(q: Queryable, schoolId: string, students: number, days: Map<string, Day>, mode: 'add' | 'replace'): Promise<void> {
    const list = [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
    const cols = COUNTERS.join(', ');
    const kcols = KPI_COUNTERS.join(', ');
    const set = COUNTERS.map((c) => (mode === 'add' ? `${c} = district_daily.${c} + EXCLUDED.${c}` : `${c} = EXCLUDED.${c}`)).join(', ');
    const kset = ['present', ...KPI_COUNTERS].map((c) => (mode === 'add' ? `${c} = district_daily_kpi.${c} + EXCLUDED.${c}` : `${c} = EXCLUDED.${c}`)).join(', ');
    const presence = list.flatMap(([day, v]) => [...v.present].map((k) => [day, k] as const));
    let i = 4;
    const param = () => `$${i++}`;
    const dayP = param();
    const counterP = COUNTERS.map(() => `${param()}::bigint[]`);
    const kpiP = KPI_COUNTERS.map(() => `${param()}::bigint[]`);
    const presDayP = param();
    const presKeyP = param();
    const lockP = mode === 'add' ? param() : null;
    const lock = lockP ? `lock AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(hashtext(${lockP})) AS taken)` : `lock AS MATERIALIZED (SELECT true AS taken)`;
    await q.query(
      `WITH ${lock},
       fresh AS (
         INSERT INTO district_presence (school_id, day, student_key)
         SELECT $1, t.day::date, t.k FROM lock, unnest(${presDayP}::text[], ${presKeyP}::text[]) AS t(day, k)
         WHERE EXISTS (SELECT 1 FROM records r WHERE r.school_id = $1 AND r.kind = 'person' AND r.key = t.k AND NOT r.deleted AND r.data->'roles' ? 'student')
         ON CONFLICT DO NOTHING RETURNING day),
       kpi AS (
         INSERT INTO district_daily_kpi (school_id, day, present, ${kcols}, updated_at)
         SELECT $1, t.day::date, COALESCE(p.n, 0), ${KPI_COUNTERS.map((c) => `t.${c}`).join(', ')}, $3
         FROM lock, unnest(${dayP}::text[], ${kpiP.join(', ')}) AS t(day, ${kcols})
           LEFT JOIN (SELECT day, count(*) AS n FROM fresh GROUP BY day) p ON p.day = t.day::date
         ON CONFLICT (school_id, day) DO UPDATE SET ${kset}, updated_at = EXCLUDED.updated_at)
       INSERT INTO district_daily (school_id, day, students, ${cols}, updated_at)
       SELECT $1, t.day::date, $2, ${COUNTERS.map((c) => `t.${c}`).join(', ')}, $3
       FROM lock, unnest(${dayP}::text[], ${counterP.join(', ')}) AS t(day, ${cols})
       ON CONFLICT (school_id, day) DO UPDATE SET students = EXCLUDED.students, ${set}, updated_at = EXCLUDED.updated_at`,
      [
        schoolId,
        students,
        this.now(),
        list.map(([d]) => d),
        ...COUNTERS.map((c) => list.map(([, v]) => v[c])),
        ...KPI_COUNTERS.map((c) => list.map(([, v]) => v[c])),
        presence.map(([d]) => d),
        presence.map(([, k]) => k),
        ...(mode === 'add' ? [lockKey(schoolId)] : []),
      ],
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
      const { days, sink } = dayMap();
      let after: [number, string] = [-1, '00000000-0000-0000-0000-000000000000'];
      let n = 0;
      for (;;) {
        const r = await tx.query<{ id: string; type: string; occurred_at: number; received_at: number; subject: string | null; data: Record<string, unknown> }>(
          `SELECT id, type, occurred_at, received_at, subject, data FROM events
           WHERE school_id = $1 AND (school_id, received_at, id) > ($1, $2, $3::uuid)
             AND type = ANY($4::text[]) ORDER BY received_at, id LIMIT 5000`,
          [schoolId, after[0], after[1], ROLLED_UP_TYPES],
        );
        for (const x of r.rows) countEvent({ type: x.type, occurredAt: x.occurred_at, subject: x.subject, data: x.data }, tz, sink);
        n += r.rows.length;
        if (r.rows.length < 5000) break;
        const last = r.rows.at(-1)!;
        after = [last.received_at, last.id];
      }
      await tx.query('DELETE FROM district_daily WHERE school_id = $1', [schoolId]);
      await tx.query('DELETE FROM district_daily_kpi WHERE school_id = $1', [schoolId]);
      await tx.query('DELETE FROM district_presence WHERE school_id = $1', [schoolId]);
      if (days.size) await this.upsert(tx, schoolId, students, days, 'replace');
      return n;
    });
  }
}

const ROLLED_UP_TYPES = [
  ACCESS_EVENTS.decision,
  ACCESS_EVENTS.passage,
  ACCESS_EVENTS.fireAlarm,
  ATTENDANCE_EVENTS.late,
  ATTENDANCE_EVENTS.absent,
  ATTENDANCE_EVENTS.leftEarly,
  ENERGY_EVENTS.rollupHour,
  USB_EVENT_TYPES.blocked,
  BUS_EVENTS.stop,
  FACILITIES_EVENTS.orderChanged,
  FACILITIES_EVENTS.orderEscalated,
];
