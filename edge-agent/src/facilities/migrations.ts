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
  {
    id: 'facilities.002',
    name: 'facilities: asset register with history, stock-take sessions and their scans',
    sql: `
      CREATE TABLE fac_assets (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        category TEXT NOT NULL,
        state TEXT NOT NULL,
        building TEXT,
        room TEXT,
        custodian TEXT,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        audited_at INTEGER
      );
      CREATE INDEX fac_assets_scope ON fac_assets (building, category);
      CREATE TABLE fac_asset_history (
        code TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (code, seq)
      ) WITHOUT ROWID;
      CREATE TABLE fac_stocktakes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        building TEXT,
        category TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        closed_at INTEGER,
        expected INTEGER NOT NULL
      );
      -- The assets a session expects (its scope when it started).
      CREATE TABLE fac_stocktake_expected (stocktake_id INTEGER NOT NULL, code TEXT NOT NULL, room TEXT, PRIMARY KEY (stocktake_id, code)) WITHOUT ROWID;
      -- One row per asset per session: a second scan of the same asset is counted once.
      CREATE TABLE fac_stocktake_scans (
        stocktake_id INTEGER NOT NULL,
        code TEXT NOT NULL,
        room TEXT NOT NULL,
        outcome TEXT NOT NULL,
        scanned_by TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (stocktake_id, code)
      ) WITHOUT ROWID;
    `,
  },
  {
    id: 'facilities.003',
    name: 'facilities: consumables in the store, their receipts and issues',
    sql: `
      CREATE TABLE fac_stock_items (id TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL, min_qty REAL NOT NULL, qty REAL NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL);
      CREATE TABLE fac_stock_moves (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL REFERENCES fac_stock_items(id),
        delta REAL NOT NULL,
        kind TEXT NOT NULL,
        order_id INTEGER,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        note TEXT
      );
      CREATE INDEX fac_stock_moves_item ON fac_stock_moves (item_id, at);
    `,
  },
  {
    id: 'facilities.004',
    name: 'facilities: a work order may name the asset it is about',
    sql: `
      ALTER TABLE fac_orders ADD COLUMN asset_code TEXT;
      CREATE INDEX fac_orders_asset ON fac_orders (asset_code);
    `,
  },
  {
    id: 'facilities.005',
    name: 'facilities: the duty rota as saved at the desk (replaces the config file rota)',
    sql: `
      CREATE TABLE fac_rota (id INTEGER PRIMARY KEY CHECK (id = 1), entries TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);
    `,
  },
];
