/**
 * District view (issue 12, deliver 3): one row per school and school-local day, kept up
 * to date on ingest (district/rollup.ts) and rebuildable from the events. Counts only:
 * nothing in it names a person.
 */
export const DISTRICT_MIGRATIONS = [
  {
    id: 41,
    name: 'district view: daily roll-up per school',
    sql: `
CREATE TABLE district_daily (
  school_id text NOT NULL REFERENCES schools(id),
  day date NOT NULL,
  -- Active students on the cloud roster when the day was last rolled up.
  students integer NOT NULL DEFAULT 0,
  entries integer NOT NULL DEFAULT 0,
  late integer NOT NULL DEFAULT 0,
  absent integer NOT NULL DEFAULT 0,
  left_early integer NOT NULL DEFAULT 0,
  gate_refused integer NOT NULL DEFAULT 0,
  gate_forced integer NOT NULL DEFAULT 0,
  fire_alarms integer NOT NULL DEFAULT 0,
  energy_wh bigint NOT NULL DEFAULT 0,
  energy_after_wh bigint NOT NULL DEFAULT 0,
  usb_blocked integer NOT NULL DEFAULT 0,
  updated_at bigint NOT NULL,
  PRIMARY KEY (school_id, day)
);
CREATE INDEX district_daily_day ON district_daily (day, school_id);
`,
  },
];

/**
 * Exact attendance, bus punctuality and repair KPIs (migration 11; ids 10–12 were this
 * work's to use, so it comes before district_daily itself in the list and keeps to tables
 * of its own, one row per school-day beside district_daily's).
 * - district_presence: who had a granted entry on a school-day, one row per student; it
 *   stays in the school's scope like the events it comes from, the report reads only counts.
 * - district_daily_kpi: pupils present (the distinct count of district_presence), bus stops
 *   reached with a timetable time and of those on time, work orders submitted / done /
 *   confirmed, ratings, SLA breaches.
 */
export const DISTRICT_KPI_MIGRATIONS = [
  {
    id: 11,
    name: 'district view: exact attendance, bus punctuality, repair KPIs',
    sql: `
CREATE TABLE district_presence (
  school_id text NOT NULL REFERENCES schools(id),
  day date NOT NULL,
  student_key text NOT NULL,
  PRIMARY KEY (school_id, day, student_key)
);
CREATE TABLE district_daily_kpi (
  school_id text NOT NULL REFERENCES schools(id),
  day date NOT NULL,
  present integer NOT NULL DEFAULT 0,
  bus_arrivals integer NOT NULL DEFAULT 0,
  bus_on_time integer NOT NULL DEFAULT 0,
  repairs_opened integer NOT NULL DEFAULT 0,
  repairs_done integer NOT NULL DEFAULT 0,
  repairs_confirmed integer NOT NULL DEFAULT 0,
  repairs_rating_sum integer NOT NULL DEFAULT 0,
  repairs_rated integer NOT NULL DEFAULT 0,
  repairs_sla_breached integer NOT NULL DEFAULT 0,
  updated_at bigint NOT NULL,
  PRIMARY KEY (school_id, day)
);
`,
  },
];
