import type { Migration } from '../store/migrations.js';

export const SYNC_MIGRATIONS: Migration[] = [
  {
    id: 'sync.001',
    name: 'sync: per-lane outbox cursors, cloud-owned records and the change-feed cursor',
    sql: `
      -- The outbox is the event log itself: lane = priority, order = seq.
      CREATE INDEX events_priority_seq ON events(priority, seq);
      CREATE TABLE sync_cursor (
        lane INTEGER PRIMARY KEY CHECK (lane BETWEEN 0 AND 3),
        seq INTEGER NOT NULL
      );
      INSERT INTO sync_cursor (lane, seq) VALUES (0, 0), (1, 0), (2, 0), (3, 0);
      -- Records the cloud owns (roster, cards, leaves, passes, calendars, USB policies),
      -- exactly as the change feed delivered them; domains project them into their own state.
      CREATE TABLE cloud_records (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        data TEXT NOT NULL,
        feed_seq INTEGER NOT NULL,
        changed_at INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
      ) WITHOUT ROWID;
      CREATE TABLE sync_feed (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cursor INTEGER NOT NULL
      );
      INSERT INTO sync_feed (id, cursor) VALUES (1, 0);
    `,
  },
];
