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
