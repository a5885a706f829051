
/**
 * Schema migrations, one list per domain, each migration with a stable id
 * ("core.001", "access.003"). Applied ids are recorded in `schema_migrations`; each
 * runs in its own transaction. A database holding an id this build does not know
 * was written by a newer version and is refused. Never edit a released migration:
 * add a new one. Each domain declares its list in its own folder
 * (DomainDefinition.migrations); src/migrations.ts puts core, school and the registered
 * domains' lists in the order they are applied.
 */
export interface Migration {
  /** "<domain>.<NNN>", unique and never reused. */
  id: string;
  name: string;
  sql: string;
}

export const CORE_MIGRATIONS: Migration[] = [
  {
    id: 'core.001',
    name: 'core: events, users, sessions, audit, mqtt clients, settings',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        clock_trusted INTEGER NOT NULL CHECK (clock_trusted IN (0, 1)),
        reason TEXT NOT NULL,
        severity TEXT NOT NULL,
        priority INTEGER NOT NULL,
        source TEXT NOT NULL,
        subject TEXT,
        data TEXT NOT NULL
      );
      CREATE INDEX events_type_seq ON events(type, seq);
      CREATE INDEX events_subject_seq ON events(subject, seq) WHERE subject IS NOT NULL;
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL,
        locale TEXT NOT NULL DEFAULT 'zh-CN',
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        address TEXT
      );
      CREATE INDEX sessions_expiry ON sessions(expires_at);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT NOT NULL,
        address TEXT
      );
      CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

      CREATE TABLE mqtt_clients (
        client_id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        last_seen INTEGER,
        last_address TEXT
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];
