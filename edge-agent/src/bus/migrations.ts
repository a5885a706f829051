import type { Migration } from '../store/migrations.js';

/** The school bus tables. Never edit a released migration; add bus.002 and on. */
export const BUS_MIGRATIONS: readonly Migration[] = [
  {
    id: 'bus.001',
    name: 'school bus: routes, assignments, stop changes, trips, riders, stop visits, positions',
    sql: `
      CREATE TABLE bus_routes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        vehicle_plate TEXT,
        body TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('config', 'api', 'cloud')),
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE bus_assignments (
        person_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('morning', 'afternoon')),
        from_date TEXT NOT NULL,
        route_id TEXT NOT NULL,
        stop_id TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (person_id, direction, from_date)
      ) WITHOUT ROWID;
      CREATE TABLE bus_stop_changes (
        person_id TEXT NOT NULL,
        date TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('morning', 'afternoon')),
        route_id TEXT NOT NULL,
        stop_id TEXT NOT NULL,
        PRIMARY KEY (person_id, date, direction)
      ) WITHOUT ROWID;
      CREATE TABLE bus_trips (
        id TEXT PRIMARY KEY,
        route_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('morning', 'afternoon')),
        date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        opened_at INTEGER NOT NULL,
        opened_by TEXT NOT NULL,
        closed_at INTEGER,
        closed_by TEXT,
        checked_at INTEGER,
        last_stop_at INTEGER,
        check_alarm_at INTEGER,
        UNIQUE (route_id, date, direction)
      );
      CREATE UNIQUE INDEX bus_trips_one_open ON bus_trips(status) WHERE status = 'open';
      CREATE TABLE bus_riders (
        trip_id TEXT NOT NULL REFERENCES bus_trips(id),
        person_id TEXT NOT NULL,
        on_board INTEGER NOT NULL CHECK (on_board IN (0, 1)),
        board_stop TEXT,
        boarded_at INTEGER NOT NULL,
        alight_stop TEXT,
        alighted_at INTEGER,
        manual INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (trip_id, person_id)
      ) WITHOUT ROWID;
      CREATE TABLE bus_stop_visits (
        trip_id TEXT NOT NULL REFERENCES bus_trips(id),
        stop_id TEXT NOT NULL,
        arrived_at INTEGER NOT NULL,
        departed_at INTEGER,
        PRIMARY KEY (trip_id, stop_id, arrived_at)
      ) WITHOUT ROWID;
      CREATE TABLE bus_positions (
        id INTEGER PRIMARY KEY,
        trip_id TEXT,
        at INTEGER NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        speed_kmh REAL NOT NULL,
        course REAL
      );
      CREATE INDEX bus_positions_at ON bus_positions(at);
    `,
  },
  {
    id: 'bus.002',
    name: 'school bus: cloud keys and handover flags, vehicles, pickup persons, trip plans, handovers',
    sql: `
      ALTER TABLE bus_assignments ADD COLUMN handover INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE bus_assignments ADD COLUMN cloud_key TEXT;
      CREATE INDEX bus_assignments_cloud ON bus_assignments(cloud_key) WHERE cloud_key IS NOT NULL;
      ALTER TABLE bus_stop_changes ADD COLUMN source TEXT NOT NULL DEFAULT 'api';
      ALTER TABLE bus_stop_changes ADD COLUMN cloud_key TEXT;
      CREATE INDEX bus_stop_changes_cloud ON bus_stop_changes(cloud_key) WHERE cloud_key IS NOT NULL;
      ALTER TABLE bus_riders ADD COLUMN pickup_state TEXT CHECK (pickup_state IN ('waiting', 'handed_over', 'returned'));
      ALTER TABLE bus_riders ADD COLUMN pickup_stop TEXT;
      ALTER TABLE bus_riders ADD COLUMN pickup_since INTEGER;
      ALTER TABLE bus_riders ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE bus_vehicles (
        id TEXT PRIMARY KEY,
        plate TEXT NOT NULL,
        kind TEXT NOT NULL,
        seats INTEGER NOT NULL,
        terminal_phone TEXT,
        active INTEGER NOT NULL
      );
      -- Pickup persons without phone or code key: those stay sealed in cloud_records.
      CREATE TABLE bus_pickup_persons (
        key TEXT PRIMARY KEY,
        student_id TEXT NOT NULL,
        tag INTEGER NOT NULL,
        name TEXT NOT NULL,
        relation TEXT NOT NULL,
        photo_id TEXT,
        pass_version INTEGER NOT NULL,
        valid_from INTEGER,
        valid_until INTEGER,
        has_code INTEGER NOT NULL
      );
      CREATE INDEX bus_pickup_persons_student ON bus_pickup_persons(student_id);
      CREATE TABLE bus_trip_plans (
        key TEXT PRIMARY KEY,
        route_id TEXT NOT NULL,
        date TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('morning', 'afternoon')),
        vehicle_id TEXT NOT NULL,
        driver_id TEXT NOT NULL,
        attendant_id TEXT NOT NULL
      );
      CREATE INDEX bus_trip_plans_day ON bus_trip_plans(date, route_id, direction);
      CREATE TABLE bus_handovers (
        id TEXT PRIMARY KEY,
        trip_id TEXT NOT NULL REFERENCES bus_trips(id),
        person_id TEXT NOT NULL,
        stop_id TEXT,
        at INTEGER NOT NULL,
        pickup_key TEXT NOT NULL,
        pickup_name TEXT NOT NULL,
        relation TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('pass', 'code')),
        by TEXT NOT NULL
      );
      CREATE INDEX bus_handovers_trip ON bus_handovers(trip_id);
    `,
  },
];
