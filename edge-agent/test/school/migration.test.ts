import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/index.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { SchoolCalendar } from '../../src/school/calendar.js';
import { SchoolTime } from '../../src/school/time.js';
import { tempDir } from '../helpers/edge.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** The migrations an edge of the previous release had applied: before the one school calendar. */
const OLD = ALL_MIGRATIONS.filter((m) => !['school.001', 'access.002', 'energy.002'].includes(m.id));

describe('the two old calendars migrate into the one school calendar', () => {
  it('keeps every entry of both (terms, special days, energy ranges, timetables) and drops the old tables', () => {
    const d = tempDir('school-migrate-');
    cleanups.push(() => d.remove());
    const file = join(d.path, 'edge.db');
    const old = openDatabase({ file, backupDir: join(d.path, 'b'), migrations: OLD });
    old.exec(`
      INSERT INTO access_grades (id, name) VALUES (1, '初一');
      INSERT INTO access_terms (name, start_date, end_date) VALUES ('2026秋季学期', '2026-09-01', '2027-01-20');
      INSERT INTO access_special_days (date, kind, name, follows_weekday) VALUES ('2026-10-01', 'holiday', '国庆节', NULL);
      INSERT INTO access_special_days (date, kind, name, follows_weekday) VALUES ('2026-10-10', 'makeup_workday', '国庆调休', 4);
      INSERT INTO access_special_days (date, kind, name, follows_weekday) VALUES ('2026-11-20', 'holiday', '校运会', NULL);
      INSERT INTO access_timetables (grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch) VALUES (1, 0, '07:00', '07:30', '16:30', '18:00', '[]');
      INSERT INTO energy_calendar (from_date, to_date, kind, name) VALUES ('2026-10-01', '2026-10-07', 'holiday', '国庆节');
      INSERT INTO energy_calendar (from_date, to_date, kind, name) VALUES ('2026-11-05', '2026-11-06', 'exam', '期中考试');
      INSERT INTO energy_calendar (from_date, to_date, kind, name) VALUES ('2026-10-10', '2026-10-10', 'workday', '国庆调休');
    `);
    old.close();

    const db = openDatabase({ file, backupDir: join(d.path, 'b'), migrations: ALL_MIGRATIONS });
    cleanups.push(() => db.close());
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
    for (const gone of ['access_terms', 'access_special_days', 'access_timetables', 'energy_calendar']) expect(tables).not.toContain(gone);

    const cal = new SchoolCalendar(db, new SchoolTime('Asia/Shanghai'));
    expect(cal.terms()).toEqual([{ name: '2026秋季学期', startDate: '2026-09-01', endDate: '2027-01-20' }]);
    // Every entry of both; the same make-up day written in both calendars is kept once (with its weekday).
    const entries = cal.list().map((e) => `${e.from}..${e.to} ${e.kind} ${e.name}${e.followsWeekday ? ` →${e.followsWeekday}` : ''}`);
    expect(entries.sort()).toEqual(
      [
        '2026-10-01..2026-10-01 holiday 国庆节',
        '2026-10-01..2026-10-07 holiday 国庆节',
        '2026-10-10..2026-10-10 workday 国庆调休 →4',
        '2026-11-05..2026-11-06 exam 期中考试',
        '2026-11-20..2026-11-20 holiday 校运会',
      ].sort(),
    );
    expect(cal.timetables()).toEqual([{ gradeId: 1, weekday: null, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [] }]);
    // One answer for every reader: gates, attendance and energy.
    expect(cal.day('2026-10-05')).toMatchObject({ school: false, holiday: true, kind: 'holiday' });
    expect(cal.day('2026-10-10')).toMatchObject({ school: true, makeup: true, kind: 'makeup_workday' });
    expect(cal.schedule(1, '2026-10-10')?.entryStart).toBe(7 * 60);
    expect(cal.day('2026-11-20')).toMatchObject({ school: false, holiday: true });
    expect(cal.day('2026-11-05')).toMatchObject({ school: true, exam: true });
    expect(cal.day('2027-02-15')).toMatchObject({ school: false, kind: 'outside_term' });
  });
});
