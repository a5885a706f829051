import type { Migration } from '../store/migrations.js';

/**
 * Gate access tables. People are keyed by the school's own number (学号/工号), the id
 * printed on the card. Pass uses are an append-only log, so "used once" survives a
 * restart. Zones and gates live in the config, so their ids appear here as text.
 */
export const ACCESS_MIGRATIONS: Migration[] = [
  {
    id: 'access.001',
    name: 'access: people, classes, guardians, cards, calendar, timetables, curfews, leaves, passes, anti-passback, attendance',
    sql: `
      CREATE TABLE access_grades (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        sort INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE access_classes (
        id INTEGER PRIMARY KEY,
        grade_id INTEGER NOT NULL REFERENCES access_grades(id),
        name TEXT NOT NULL,
        UNIQUE (grade_id, name)
      );
      CREATE TABLE access_persons (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,
        class_id INTEGER REFERENCES access_classes(id),
        boarder INTEGER NOT NULL DEFAULT 0 CHECK (boarder IN (0, 1)),
        dormitory_zone TEXT,
        phone TEXT,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        card_version INTEGER NOT NULL DEFAULT 0,
        min_card_version INTEGER NOT NULL DEFAULT 1,
        has_photo INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX access_persons_class ON access_persons(class_id);
      CREATE TABLE access_guardians (
        student_id TEXT NOT NULL REFERENCES access_persons(id) ON DELETE CASCADE,
        guardian_id TEXT NOT NULL REFERENCES access_persons(id) ON DELETE CASCADE,
        relation TEXT NOT NULL,
        may_pick_up INTEGER NOT NULL,
        receives_notices INTEGER NOT NULL,
        PRIMARY KEY (student_id, guardian_id)
      );
      CREATE INDEX access_guardians_guardian ON access_guardians(guardian_id);
      CREATE TABLE access_cards (
        person_id TEXT NOT NULL REFERENCES access_persons(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        issued_at INTEGER,
        revoked_at INTEGER,
        revoked_why TEXT,
        PRIMARY KEY (person_id, version)
      );

      CREATE TABLE access_terms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL
      );
      CREATE TABLE access_special_days (
        date TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
        name TEXT NOT NULL,
        follows_weekday INTEGER
      );
      CREATE TABLE access_timetables (
        grade_id INTEGER NOT NULL REFERENCES access_grades(id) ON DELETE CASCADE,
        weekday INTEGER NOT NULL DEFAULT 0,
        entry_start TEXT NOT NULL,
        late_after TEXT NOT NULL,
        dismissal_start TEXT NOT NULL,
        dismissal_end TEXT NOT NULL,
        lunch TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (grade_id, weekday)
      );
      CREATE TABLE access_curfews (
        id INTEGER PRIMARY KEY,
        zone TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('curfew', 'closed')),
        start TEXT NOT NULL,
        end TEXT NOT NULL,
        days TEXT NOT NULL CHECK (days IN ('all', 'school_days'))
      );

      CREATE TABLE access_leaves (
        id INTEGER PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES access_persons(id) ON DELETE CASCADE,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        approved_by TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('approved', 'cancelled')),
        source TEXT NOT NULL DEFAULT 'local',
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        cancelled_why TEXT,
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX access_leaves_person ON access_leaves(person_id, ends_at);
      CREATE INDEX access_leaves_ends ON access_leaves(ends_at);

      CREATE TABLE access_passes (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('visitor', 'pickup')),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
        visitor_name TEXT,
        phone TEXT,
        purpose TEXT,
        host_person_id TEXT,
        holder_person_id TEXT,
        student_ids TEXT NOT NULL DEFAULT '[]',
        valid_from INTEGER NOT NULL,
        valid_until INTEGER NOT NULL,
        one_use INTEGER NOT NULL CHECK (one_use IN (0, 1)),
        gates TEXT NOT NULL DEFAULT '[]',
        zones TEXT NOT NULL DEFAULT '[]',
        credential TEXT,
        source TEXT NOT NULL DEFAULT 'local',
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        cancelled_why TEXT
      );
      CREATE INDEX access_passes_until ON access_passes(valid_until);
      CREATE TABLE access_pass_uses (
        id INTEGER PRIMARY KEY,
        pass_id INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        at INTEGER NOT NULL,
        gate TEXT NOT NULL
      );
      CREATE INDEX access_pass_uses_pass ON access_pass_uses(pass_id);
      CREATE TRIGGER access_pass_uses_append_only BEFORE UPDATE ON access_pass_uses
        BEGIN SELECT RAISE(ABORT, 'pass uses are append-only'); END;

      CREATE TABLE access_passback (
        zone TEXT NOT NULL,
        person_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (zone, person_id)
      ) WITHOUT ROWID;

      CREATE TABLE access_attendance (
        day TEXT NOT NULL,
        person_id TEXT NOT NULL,
        arrived_at INTEGER,
        arrived_gate TEXT,
        late INTEGER NOT NULL DEFAULT 0,
        left_at INTEGER,
        left_gate TEXT,
        left_early INTEGER NOT NULL DEFAULT 0,
        leave_id INTEGER,
        PRIMARY KEY (day, person_id)
      ) WITHOUT ROWID;
      CREATE TABLE access_attendance_sweeps (
        day TEXT NOT NULL,
        grade_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (day, grade_id)
      );
    `,
  },
  {
    id: 'access.002',
    name: 'access: terms, holidays, make-up workdays and timetables move into the one school calendar',
    sql: `
      INSERT INTO school_terms (name, start_date, end_date) SELECT name, start_date, end_date FROM access_terms ORDER BY id;
      INSERT INTO school_calendar (from_date, to_date, kind, name, follows_weekday)
        SELECT d.date, d.date, CASE d.kind WHEN 'holiday' THEN 'holiday' ELSE 'workday' END, d.name,
               CASE d.kind WHEN 'holiday' THEN NULL ELSE d.follows_weekday END
        FROM access_special_days d
        WHERE NOT EXISTS (
          SELECT 1 FROM school_calendar c
          WHERE c.from_date = d.date AND c.to_date = d.date AND c.kind = CASE d.kind WHEN 'holiday' THEN 'holiday' ELSE 'workday' END
        )
        ORDER BY d.date;
      INSERT INTO school_timetables (grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch)
        SELECT grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch FROM access_timetables;
      DROP TABLE access_terms;
      DROP TABLE access_special_days;
      DROP TABLE access_timetables;
    `,
  },
];
