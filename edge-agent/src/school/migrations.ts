import type { Migration } from '../store/migrations.js';

/**
 * The one school calendar. Applied before every domain's migrations; the access and
 * energy domains each carry a migration that moves their old calendar tables in here
 * (access.002, energy.002) so an existing database keeps every entry.
 */
export const SCHOOL_MIGRATIONS: Migration[] = [
  {
    id: 'school.001',
    name: 'school: one calendar (terms, holidays, make-up workdays, exam days) and per-grade timetables',
    sql: `
      CREATE TABLE school_terms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL
      );
      CREATE TABLE school_calendar (
        id INTEGER PRIMARY KEY,
        from_date TEXT NOT NULL,
        to_date TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday', 'exam')),
        name TEXT NOT NULL,
        follows_weekday INTEGER CHECK (follows_weekday IS NULL OR follows_weekday BETWEEN 1 AND 7)
      );
      CREATE INDEX school_calendar_dates ON school_calendar(from_date, to_date);
      CREATE TABLE school_timetables (
        grade_id INTEGER NOT NULL,
        weekday INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 7),
        entry_start TEXT NOT NULL,
        late_after TEXT NOT NULL,
        dismissal_start TEXT NOT NULL,
        dismissal_end TEXT NOT NULL,
        lunch TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (grade_id, weekday)
      );
    `,
  },
];
