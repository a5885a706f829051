import type { Migration } from '../store/migrations.js';

/**
 * The energy domain's tables. Telemetry tables are WITHOUT ROWID and keyed time
 * (or time slot) first, so each flush touches a contiguous run of pages (few
 * page writes on SD/eMMC). Meters and points get small integer ids for the same
 * reason.
 */
export const ENERGY_MIGRATIONS: Migration[] = [
  {
    id: 'energy.001',
    name: 'energy: telemetry, roll-ups, circuits, overrides, switch log, calendar, bookings, schedules, alarms',
    sql: `
      CREATE TABLE energy_meters (idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, retired INTEGER NOT NULL DEFAULT 0);
      -- A point key is "name@unit"; res is the step raw values are stored in.
      CREATE TABLE energy_points (idx INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, point TEXT NOT NULL, unit TEXT NOT NULL, res REAL NOT NULL);

      -- Raw readings and minute roll-ups are rings: a row's slot is its time window
      -- modulo the retention, and new data overwrites the oldest in place. Deleting
      -- old rows instead would make SQLite rebalance pages and write ~75 % more.

      -- Raw readings on change beyond a deadband, packed per meter and flush window
      -- (see telemetry/raw-codec.ts); slot = (t0 / window) mod slots.
      CREATE TABLE energy_raw (
        slot INTEGER NOT NULL,
        meter INTEGER NOT NULL,
        t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (slot, meter)
      ) WITHOUT ROWID;

      -- 1-minute roll-ups; the epoch minute is lap * slots + slot. dwh: energy in that
      -- minute in tenths of a Wh, integrated from active power (hour rows are exact
      -- from the meter's counter); after: outside operating hours; w_avg: average power
      -- (peaks are in the raw values and the hour rows).
      CREATE TABLE energy_minute (
        slot INTEGER NOT NULL,
        meter INTEGER NOT NULL,
        lap INTEGER NOT NULL,
        dwh INTEGER NOT NULL,
        after INTEGER NOT NULL,
        w_avg INTEGER,
        PRIMARY KEY (slot, meter)
      ) WITHOUT ROWID;

      -- hour: epoch hour (UTC); wh_after: the part outside operating hours.
      CREATE TABLE energy_hour (
        hour INTEGER NOT NULL,
        meter INTEGER NOT NULL,
        wh INTEGER NOT NULL,
        wh_after INTEGER NOT NULL,
        w_avg INTEGER,
        w_max INTEGER,
        minutes INTEGER NOT NULL,
        PRIMARY KEY (hour, meter)
      ) WITHOUT ROWID;

      -- day: local date as YYYYMMDD; kept for good (a row per meter and day).
      CREATE TABLE energy_day (
        day INTEGER NOT NULL,
        meter INTEGER NOT NULL,
        wh INTEGER NOT NULL,
        wh_after INTEGER NOT NULL,
        w_max INTEGER,
        PRIMARY KEY (day, meter)
      ) WITHOUT ROWID;

      -- Which meters count towards which building, room and the campus (kind, scope),
      -- rebuilt from the configuration at start so reports aggregate in SQL.
      CREATE TABLE energy_scope_meters (
        meter INTEGER NOT NULL,
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        PRIMARY KEY (meter, kind, scope)
      ) WITHOUT ROWID;

      -- The counter value already booked into closed hours (written when an hour
      -- closes), so energy used while the edge was down lands in the next hour
      -- instead of being lost.
      CREATE TABLE energy_meter_state (
        meter INTEGER PRIMARY KEY,
        counter_wh INTEGER,
        at INTEGER NOT NULL
      );

      CREATE TABLE energy_circuit_state (
        circuit TEXT PRIMARY KEY,
        desired INTEGER,
        actual INTEGER,
        confirmed INTEGER NOT NULL DEFAULT 0,
        last_at INTEGER,
        last_by_kind TEXT,
        last_by TEXT,
        last_why TEXT
      );

      CREATE TABLE energy_overrides (
        circuit TEXT PRIMARY KEY,
        on_state INTEGER NOT NULL,
        until INTEGER NOT NULL,
        by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE energy_switch_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        circuit TEXT NOT NULL,
        on_state INTEGER NOT NULL,
        actor_kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        why TEXT NOT NULL,
        outcome TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        detail TEXT
      );
      CREATE INDEX energy_switch_log_circuit ON energy_switch_log(circuit, at);
      CREATE TRIGGER energy_switch_log_append_only_u BEFORE UPDATE ON energy_switch_log
        BEGIN SELECT RAISE(ABORT, 'the switch log is append-only'); END;

      CREATE TABLE energy_calendar (
        id INTEGER PRIMARY KEY,
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL
      );

      CREATE TABLE energy_bookings (
        id INTEGER PRIMARY KEY,
        room TEXT NOT NULL,
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        days TEXT NOT NULL,
        from_time TEXT NOT NULL,
        until_time TEXT NOT NULL,
        note TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE energy_schedules (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE energy_alarms (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        subject TEXT NOT NULL,
        building TEXT,
        state TEXT NOT NULL,
        acknowledged INTEGER NOT NULL DEFAULT 0,
        raised_at INTEGER NOT NULL,
        cleared_at INTEGER,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        value REAL,
        limit_value REAL,
        unit TEXT NOT NULL,
        detail TEXT,
        text TEXT NOT NULL
      );
      CREATE INDEX energy_alarms_open ON energy_alarms(state, acknowledged);
      CREATE INDEX energy_alarms_key ON energy_alarms(key, raised_at);
    `,
  },
  {
    id: 'energy.002',
    name: 'energy: the calendar moves into the one school calendar',
    sql: `
      INSERT INTO school_calendar (from_date, to_date, kind, name)
        SELECT e.from_date, e.to_date, e.kind, e.name FROM energy_calendar e
        WHERE e.kind IN ('holiday', 'workday', 'exam')
          AND NOT EXISTS (SELECT 1 FROM school_calendar c WHERE c.from_date = e.from_date AND c.to_date = e.to_date AND c.kind = e.kind AND c.name = e.name)
        ORDER BY e.from_date, e.id;
      DROP TABLE energy_calendar;
    `,
  },
];
