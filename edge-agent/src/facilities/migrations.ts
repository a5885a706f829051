import type { Migration } from '../store/migrations.js';

/** The facilities domain's tables (never edit a released migration; add facilities.002 …). */
export const FACILITIES_MIGRATIONS: Migration[] = [
  {
    id: 'facilities.001',
    name: 'facilities: checkpoints, rounds, runs, inspections, photos, work orders and their steps',
    sql: `
      CREATE TABLE fac_checkpoints (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE fac_rounds (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at INTEGER NOT NULL);
      -- One run per round window (scheduled) or extra round; closed at the window's end plus grace.
      CREATE TABLE fac_runs (
        id INTEGER PRIMARY KEY,
        round_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        day TEXT NOT NULL,
        opens_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        closes_at INTEGER NOT NULL,
        checkpoints TEXT NOT NULL,
        closed_at INTEGER,
        summary TEXT,
        UNIQUE (round_id, kind, opens_at)
      );
      CREATE INDEX fac_runs_open ON fac_runs (closed_at, closes_at);
      CREATE TABLE fac_inspections (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES fac_runs(id),
        checkpoint_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        at INTEGER NOT NULL,
        inspector TEXT NOT NULL,
        result TEXT NOT NULL,
        late INTEGER NOT NULL,
        out_of_order INTEGER NOT NULL,
        answers TEXT NOT NULL,
        UNIQUE (run_id, checkpoint_id)
      );
      CREATE TABLE fac_photos (id TEXT PRIMARY KEY, type TEXT NOT NULL, bytes INTEGER NOT NULL, uploader TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE fac_orders (
        id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        priority TEXT NOT NULL,
        category TEXT NOT NULL,
        building TEXT NOT NULL,
        place TEXT NOT NULL,
        description TEXT NOT NULL,
        photos TEXT NOT NULL,
        source TEXT NOT NULL,
        source_ref TEXT UNIQUE,
        fault_key TEXT,
        requester TEXT NOT NULL,
        assignee TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        respond_due INTEGER NOT NULL,
        fix_due INTEGER NOT NULL,
        accepted_at INTEGER,
        done_at INTEGER,
        confirmed_at INTEGER,
        respond_breached INTEGER NOT NULL DEFAULT 0,
        fix_breached INTEGER NOT NULL DEFAULT 0,
        rating INTEGER,
        reopen_count INTEGER NOT NULL DEFAULT 0,
        parts TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX fac_orders_state ON fac_orders (state);
      CREATE INDEX fac_orders_assignee ON fac_orders (assignee, state);
      CREATE INDEX fac_orders_requester ON fac_orders (requester);
      CREATE INDEX fac_orders_fault ON fac_orders (fault_key, state);
      CREATE TABLE fac_order_steps (
        order_id INTEGER NOT NULL REFERENCES fac_orders(id),
        seq INTEGER NOT NULL,
        -- The order's version after this step (a note leaves it as it was).
        version INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        note TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (order_id, seq)
      ) WITHOUT ROWID;
    `,
  },
];
