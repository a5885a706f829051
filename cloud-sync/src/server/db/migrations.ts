import { HEALTH_MIGRATIONS } from '../homeschool/health-migrations.js';
import { HOMESCHOOL_MIGRATION, HOMESCHOOL_ROLLCALL_MIGRATION, HOMESCHOOL_VISITS_MIGRATION } from '../homeschool/migrations.js';
import { HOMESCHOOL_FORMS_MIGRATION, HOMESCHOOL_MESSAGES_MIGRATION } from '../homeschool/messages-migrations.js';
import type { Database } from './database.js';
import { DISTRICT_KPI_MIGRATIONS, DISTRICT_MIGRATIONS } from '../district/migrations.js';
import { BUS_REQUEST_MIGRATION } from '../bus/requests.js';
import { OPEN_MIGRATIONS } from '../open/migrations.js';
import { STAFF_NOTICE_MIGRATION } from '../notify/staff-notifier.js';
import { LIVE_MIGRATIONS } from '../live/migrations.js';
import { PHONE_MIGRATION } from './phone-migration.js';

/**
 * Schema, in order. Never edit a shipped migration: add a new one. Every statement runs
 * on PostgreSQL 15 and PGlite alike. Times are ms since epoch in bigint columns so both
 * ends compare them without time-zone surprises; the school's time zone is applied only
 * when text is formatted for people.
 */
export const MIGRATIONS: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'tenancy, events, change feed, notices, parent app, job table',
    sql: `
CREATE TABLE schools (
  id text PRIMARY KEY,
  name text NOT NULL,
  timezone text NOT NULL DEFAULT 'Asia/Shanghai',
  -- Change-feed counter. Writers bump it under the row lock, so seq values commit in order.
  change_seq bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL
);
CREATE TABLE campuses (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  name text NOT NULL,
  -- The edge's "site" in every event envelope; globally unique so a site names one school.
  site text NOT NULL UNIQUE
);
CREATE TABLE edges (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  campus_id text REFERENCES campuses(id),
  name text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  last_seen_at bigint
);
CREATE TABLE edge_keys (
  id text PRIMARY KEY,
  edge_id text NOT NULL REFERENCES edges(id),
  public_key text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint
);
CREATE TABLE edge_nonces (
  edge_id text NOT NULL,
  nonce text NOT NULL,
  seen_at bigint NOT NULL,
  PRIMARY KEY (edge_id, nonce)
);
CREATE INDEX edge_nonces_age ON edge_nonces (seen_at);
CREATE TABLE events (
  school_id text NOT NULL,
  id uuid NOT NULL,
  site text NOT NULL,
  edge_id text NOT NULL,
  type text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  clock_trusted boolean NOT NULL,
  reason text NOT NULL,
  severity text NOT NULL,
  priority smallint NOT NULL,
  source text NOT NULL,
  subject text,
  data jsonb NOT NULL,
  PRIMARY KEY (school_id, id)
);
-- Only the event types a guardian sees are indexed by person; telemetry stays cheap to ingest.
CREATE INDEX events_timeline ON events (school_id, subject, occurred_at DESC)
  WHERE type IN ('access.decision', 'attendance.late', 'attendance.absent');
CREATE TABLE records (
  school_id text NOT NULL REFERENCES schools(id),
  kind text NOT NULL,
  key text NOT NULL,
  data jsonb,
  deleted boolean NOT NULL DEFAULT false,
  seq bigint NOT NULL,
  changed_at bigint NOT NULL,
  PRIMARY KEY (school_id, kind, key)
);
CREATE INDEX records_feed ON records (school_id, seq);
CREATE INDEX records_guardianship_student ON records (school_id, (data->>'studentId')) WHERE kind = 'guardianship';
CREATE INDEX records_guardianship_guardian ON records (school_id, (data->>'guardianId')) WHERE kind = 'guardianship';
CREATE INDEX records_person_phone ON records ((data->>'phone')) WHERE kind = 'person';
CREATE TABLE guardian_accounts (
  phone text PRIMARY KEY,
  prefs jsonb NOT NULL DEFAULT '{}',
  created_at bigint NOT NULL
);
CREATE TABLE otp_codes (
  phone text PRIMARY KEY,
  code_hash text NOT NULL,
  sent_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0
);
CREATE TABLE parent_sessions (
  token_hash text PRIMARY KEY,
  phone text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE TABLE push_subscriptions (
  endpoint text PRIMARY KEY,
  phone text NOT NULL,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX push_subscriptions_phone ON push_subscriptions (phone);
CREATE TABLE notices (
  id bigserial PRIMARY KEY,
  school_id text NOT NULL,
  event_id uuid NOT NULL,
  phone text NOT NULL,
  student_key text NOT NULL,
  kind text NOT NULL,
  text_zh text NOT NULL,
  text_en text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  late boolean NOT NULL,
  -- pending | sent | failed | quiet (held back by quiet hours) | muted (kind switched off) | no_channel
  status text NOT NULL,
  created_at bigint NOT NULL,
  UNIQUE (school_id, event_id, phone)
);
CREATE INDEX notices_phone ON notices (phone, occurred_at DESC);
CREATE TABLE notice_deliveries (
  notice_id bigint NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
  channel text NOT NULL,
  target text NOT NULL,
  -- pending | sent | failed | gone (subscription removed)
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  last_attempt_at bigint,
  delivered_at bigint,
  PRIMARY KEY (notice_id, channel, target)
);
-- The job table used when the database is PGlite (pg-boss needs a real server).
CREATE TABLE job_queue (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  data jsonb NOT NULL,
  state text NOT NULL DEFAULT 'created',
  attempts integer NOT NULL DEFAULT 0,
  run_after bigint NOT NULL,
  last_error text,
  created_at bigint NOT NULL
);
CREATE INDEX job_queue_ready ON job_queue (name, run_after) WHERE state = 'created';
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
`,
  },
  {
    id: 2,
    name: 'notices held in quiet hours and their summaries',
    sql: `
-- A summary of held notices is about several events: it has none of its own.
ALTER TABLE notices ALTER COLUMN event_id DROP NOT NULL;
-- status held: kept until hold_until (the end of the quiet hours), then folded into the
-- summary notice summary_id (status summarized). kind summary: that summary.
ALTER TABLE notices ADD COLUMN hold_until bigint;
ALTER TABLE notices ADD COLUMN summary_id bigint;
CREATE INDEX notices_held ON notices (hold_until) WHERE status = 'held';
CREATE INDEX notices_summary_pending ON notices (created_at) WHERE kind = 'summary' AND status = 'pending';
-- Why a gate passage did or did not become a notice: change | repeat | superseded.
-- Judged once per event (a retried job reuses it), the answer to "why no notice?".
CREATE TABLE notice_verdicts (
  school_id text NOT NULL,
  event_id uuid NOT NULL,
  verdict text NOT NULL,
  judged_at bigint NOT NULL,
  PRIMARY KEY (school_id, event_id)
);
`,
  },
  {
    id: 3,
    name: 'districts, staff accounts and roles, staff sessions and codes, staff audit, edge feed cursors',
    sql: `
CREATE TABLE districts (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL
);
CREATE TABLE district_schools (
  district_id text NOT NULL REFERENCES districts(id),
  school_id text NOT NULL REFERENCES schools(id),
  PRIMARY KEY (district_id, school_id)
);
CREATE INDEX district_schools_school ON district_schools (school_id);
-- A staff account belongs to one school or to one district, never both.
CREATE TABLE staff_accounts (
  id text PRIMARY KEY,
  school_id text REFERENCES schools(id),
  district_id text REFERENCES districts(id),
  username text NOT NULL,
  display_name text NOT NULL,
  -- The school's person record (records kind 'person'): one person, maybe also a guardian.
  person_key text,
  phone text,
  -- scrypt$N$r$p$salt$hash; NULL = signs in only with a phone code.
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  failed_signins integer NOT NULL DEFAULT 0,
  locked_until bigint,
  -- Bumped by every change: an edit based on an older version is refused (409).
  version integer NOT NULL DEFAULT 1,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CHECK ((school_id IS NULL) <> (district_id IS NULL))
);
CREATE UNIQUE INDEX staff_accounts_username ON staff_accounts (lower(username));
CREATE UNIQUE INDEX staff_accounts_phone ON staff_accounts (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX staff_accounts_person ON staff_accounts (school_id, person_key) WHERE person_key IS NOT NULL;
CREATE INDEX staff_accounts_district ON staff_accounts (district_id) WHERE district_id IS NOT NULL;
CREATE INDEX staff_accounts_school ON staff_accounts (school_id) WHERE school_id IS NOT NULL;
-- One row per role; a head teacher has one row per class (class_id '' for other roles).
CREATE TABLE staff_roles (
  account_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  role text NOT NULL,
  class_id text NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, role, class_id)
);
CREATE TABLE staff_sessions (
  token_hash text PRIMARY KEY,
  account_id text NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  address text
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
CREATE TABLE staff_otp_codes (
  phone text PRIMARY KEY,
  code_hash text NOT NULL,
  sent_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0
);
-- Every staff write: who, what, when, on what. Rows are never changed or removed.
CREATE TABLE staff_audit (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL,
  school_id text,
  district_id text,
  actor_id text,
  actor_name text NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}',
  address text
);
CREATE INDEX staff_audit_school ON staff_audit (school_id, id) WHERE school_id IS NOT NULL;
CREATE INDEX staff_audit_district ON staff_audit (district_id, id) WHERE district_id IS NOT NULL;
CREATE FUNCTION staff_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'staff_audit is append-only'; END $$;
CREATE TRIGGER staff_audit_no_change BEFORE UPDATE OR DELETE ON staff_audit FOR EACH ROW EXECUTE FUNCTION staff_audit_append_only();
CREATE TRIGGER staff_audit_no_truncate BEFORE TRUNCATE ON staff_audit FOR EACH STATEMENT EXECUTE FUNCTION staff_audit_append_only();
-- The change-feed cursor an edge last asked from: it has applied every change up to it.
ALTER TABLE edges ADD COLUMN feed_cursor bigint NOT NULL DEFAULT 0;
ALTER TABLE edges ADD COLUMN feed_cursor_at bigint;
`,
  },
  {
    id: 4,
    name: 'events partitioned by month of occurred_at (db/partitions.ts keeps the months and the retention)',
    sql: `
ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_timeline RENAME TO events_unpartitioned_timeline;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;
-- An event's occurred_at never changes (the edge stamps it once), so (school, id, occurred_at)
-- is as unique as (school, id) was, and a resent batch still adds nothing.
CREATE TABLE events (
  school_id text NOT NULL,
  id uuid NOT NULL,
  site text NOT NULL,
  edge_id text NOT NULL,
  type text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  clock_trusted boolean NOT NULL,
  reason text NOT NULL,
  severity text NOT NULL,
  priority smallint NOT NULL,
  source text NOT NULL,
  subject text,
  data jsonb NOT NULL,
  PRIMARY KEY (school_id, id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_timeline ON events (school_id, subject, occurred_at DESC)
  WHERE type IN ('access.decision', 'attendance.late', 'attendance.absent');
INSERT INTO events SELECT * FROM events_unpartitioned;
DROP TABLE events_unpartitioned;
`,
  },
  {
    id: 5,
    name: 'edge self-report on change-feed requests (backlog, clock trusted, version) for the console',
    sql: `
ALTER TABLE edges ADD COLUMN report_backlog integer;
ALTER TABLE edges ADD COLUMN report_clock_trusted boolean;
ALTER TABLE edges ADD COLUMN report_version text;
ALTER TABLE edges ADD COLUMN report_at bigint;
`,
  },
  HOMESCHOOL_MIGRATION,
  HOMESCHOOL_VISITS_MIGRATION,
  HOMESCHOOL_ROLLCALL_MIGRATION,
  {
    id: 9,
    name: 'school bus positions (JT/T 808 terminals and bus boxes)',
    sql: `
-- One row per position fix of a school bus, from a JT/T 808 terminal or a bus box's GPS.
-- A fix resent (no reply reached the terminal, an outbox batch retried) lands on the same key.
CREATE TABLE bus_positions (
  school_id text NOT NULL,
  vehicle_id text NOT NULL,
  at bigint NOT NULL,
  source text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  speed_kmh real NOT NULL,
  heading smallint,
  backfill boolean NOT NULL DEFAULT false,
  alarm bigint NOT NULL DEFAULT 0,
  status bigint NOT NULL DEFAULT 0,
  trip_id text,
  received_at bigint NOT NULL,
  PRIMARY KEY (school_id, vehicle_id, at, source)
);
CREATE INDEX bus_positions_latest ON bus_positions (school_id, vehicle_id, at DESC);
-- Trips, stops and rides of the bus boxes, as the parent live view and the alarms read them.
-- Safety alarms of the school bus (end-of-trip check missed, handover failed), escalated
-- step by step (attendant → transport manager → school admin) until someone acknowledges.
CREATE TABLE bus_alarms (
  school_id text NOT NULL,
  id uuid NOT NULL,
  kind text NOT NULL,
  trip_id text,
  route_id text,
  text_zh text NOT NULL,
  text_en text NOT NULL,
  occurred_at bigint NOT NULL,
  created_at bigint NOT NULL,
  level smallint NOT NULL DEFAULT -1,
  acknowledged_at bigint,
  acknowledged_by text,
  PRIMARY KEY (school_id, id)
);
CREATE INDEX bus_alarms_open ON bus_alarms (school_id, created_at DESC);
CREATE TABLE bus_alarm_steps (
  school_id text NOT NULL,
  alarm_id uuid NOT NULL,
  level smallint NOT NULL,
  role text NOT NULL,
  target text NOT NULL,
  name text,
  status text NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (school_id, alarm_id, level, target)
);
CREATE INDEX events_bus ON events (school_id, type, occurred_at DESC) WHERE type IN ('bus.trip', 'bus.stop', 'bus.boarding', 'bus.alighting', 'bus.check', 'bus.handover');
`,
  },
  ...LIVE_MIGRATIONS,
  ...DISTRICT_KPI_MIGRATIONS,
  BUS_REQUEST_MIGRATION,
  STAFF_NOTICE_MIGRATION,
  HOMESCHOOL_MESSAGES_MIGRATION,
  HOMESCHOOL_FORMS_MIGRATION,
  ...HEALTH_MIGRATIONS,
  ...OPEN_MIGRATIONS,
  ...DISTRICT_MIGRATIONS,
  PHONE_MIGRATION,
];

/** Applies the migrations not yet applied (up to `until`, for tests that need an older schema). */
export async function migrate(db: Database, until = Infinity): Promise<number[]> {
  // Merged branches each add migrations: ids must stay strictly increasing in array order.
  MIGRATIONS.forEach((m, i) => {
    if (i > 0 && m.id <= MIGRATIONS[i - 1]!.id) throw new Error(`migration ${m.id} (${m.name}) comes after ${MIGRATIONS[i - 1]!.id}: ids must increase`);
  });
  await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.id > until) break;
    const done = await db.transaction(async (tx) => {
      // Two cloud processes starting together: the second waits, then sees it applied.
      await tx.query('SELECT pg_advisory_xact_lock(727274)');
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id]);
      if (seen.rows.length) return false;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, Date.now()]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  return applied;
}

/**
 * Our migrations have no quoted semicolons at line end (a function body is kept on one
 * line), so splitting on ";" at line end is safe.
 */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}
