import type { Curfew, DayKind, LunchWindow, SpecialDay, Term, Timetable } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';
import { addDays, parseTimeOfDay, weekdayOf, type SchoolTime } from './school-time.js';

/** A timetable with its times as minutes since local midnight. */
export interface DaySchedule {
  entryStart: number;
  lateAfter: number;
  dismissalStart: number;
  dismissalEnd: number;
  lunch: Array<{ start: number; end: number; mayLeave: LunchWindow['mayLeave'] }>;
  source: Timetable;
}

export interface CurfewWindow {
  kind: 'curfew' | 'closed';
  start: number;
  end: number;
  days: 'all' | 'school_days';
  source: Curfew;
}

/**
 * The school calendar: terms, holidays, 调休 make-up workdays, per-grade timetables and
 * dormitory curfews. Held in memory (a few hundred rows at most) and replaced as a whole
 * when staff save a new version.
 */
export class SchoolCalendar {
  #terms: Term[] = [];
  #days = new Map<string, SpecialDay>();
  #timetables = new Map<string, DaySchedule>();
  #rawTimetables: Timetable[] = [];
  #curfews = new Map<string, CurfewWindow[]>();
  #rawCurfews: Curfew[] = [];

  constructor(
    private readonly db: Db,
    readonly time: SchoolTime,
  ) {}

  load(): void {
    this.#terms = this.db.prepare('SELECT name, start_date AS startDate, end_date AS endDate FROM access_terms ORDER BY start_date').all() as Term[];
    this.#days = new Map(
      (this.db.prepare('SELECT date, kind, name, follows_weekday AS followsWeekday FROM access_special_days').all() as SpecialDay[]).map((d) => [d.date, d]),
    );
    const rows = this.db
      .prepare('SELECT grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch FROM access_timetables')
      .all() as Array<{ grade_id: number; weekday: number; entry_start: string; late_after: string; dismissal_start: string; dismissal_end: string; lunch: string }>;
    this.#setTimetables(
      rows.map((r) => ({
        gradeId: r.grade_id,
        weekday: r.weekday === 0 ? null : r.weekday,
        entryStart: r.entry_start,
        lateAfter: r.late_after,
        dismissalStart: r.dismissal_start,
        dismissalEnd: r.dismissal_end,
        lunch: JSON.parse(r.lunch) as LunchWindow[],
      })),
    );
    this.#setCurfews(this.db.prepare('SELECT zone, kind, start, end, days FROM access_curfews ORDER BY id').all() as Curfew[]);
  }

  terms(): Term[] {
    return [...this.#terms];
  }

  specialDays(): SpecialDay[] {
    return [...this.#days.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  timetables(): Timetable[] {
    return [...this.#rawTimetables];
  }

  curfews(): Curfew[] {
    return [...this.#rawCurfews];
  }

  dayKind(date: string): DayKind {
    const special = this.#days.get(date);
    if (special) return special.kind === 'holiday' ? 'holiday' : 'makeup_workday';
    if (this.#terms.length > 0 && !this.#terms.some((t) => t.startDate <= date && date <= t.endDate)) return 'outside_term';
    return weekdayOf(date) >= 6 ? 'weekend' : 'school_day';
  }

  isSchoolDay(date: string): boolean {
    const k = this.dayKind(date);
    return k === 'school_day' || k === 'makeup_workday';
  }

  /** The day after `date` is not a school day: boarders go home after dismissal. */
  schoolBreakFollows(date: string): boolean {
    return !this.isSchoolDay(addDays(date, 1));
  }

  /** The grade's schedule on a school day (a make-up day follows its stated weekday); null otherwise. */
  schedule(gradeId: number | null, date: string): DaySchedule | null {
    if (gradeId === null || !this.isSchoolDay(date)) return null;
    const special = this.#days.get(date);
    const weekday = special?.followsWeekday ?? weekdayOf(date);
    return this.#timetables.get(`${gradeId}|${weekday}`) ?? this.#timetables.get(`${gradeId}|0`) ?? null;
  }

  curfewsFor(zoneId: string): readonly CurfewWindow[] {
    return this.#curfews.get(zoneId) ?? [];
  }

  replaceTerms(terms: Term[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM access_terms').run();
      const ins = this.db.prepare('INSERT INTO access_terms (name, start_date, end_date) VALUES (?, ?, ?)');
      for (const t of terms) ins.run(t.name, t.startDate, t.endDate);
    })();
    this.load();
  }

  setSpecialDay(day: SpecialDay): void {
    this.db
      .prepare(
        `INSERT INTO access_special_days (date, kind, name, follows_weekday) VALUES (?, ?, ?, ?)
         ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name, follows_weekday = excluded.follows_weekday`,
      )
      .run(day.date, day.kind, day.name, day.followsWeekday);
    this.load();
  }

  removeSpecialDay(date: string): boolean {
    const n = this.db.prepare('DELETE FROM access_special_days WHERE date = ?').run(date).changes;
    this.load();
    return n > 0;
  }

  replaceTimetables(list: Timetable[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM access_timetables').run();
      const ins = this.db.prepare(
        'INSERT INTO access_timetables (grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const t of list) ins.run(t.gradeId, t.weekday ?? 0, t.entryStart, t.lateAfter, t.dismissalStart, t.dismissalEnd, JSON.stringify(t.lunch));
    })();
    this.load();
  }

  replaceCurfews(list: Curfew[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM access_curfews').run();
      const ins = this.db.prepare('INSERT INTO access_curfews (zone, kind, start, end, days) VALUES (?, ?, ?, ?, ?)');
      for (const c of list) ins.run(c.zone, c.kind, c.start, c.end, c.days);
    })();
    this.load();
  }

  #setTimetables(list: Timetable[]): void {
    this.#rawTimetables = list;
    this.#timetables = new Map(
      list.map((t) => [
        `${t.gradeId}|${t.weekday ?? 0}`,
        {
          entryStart: parseTimeOfDay(t.entryStart),
          lateAfter: parseTimeOfDay(t.lateAfter),
          dismissalStart: parseTimeOfDay(t.dismissalStart),
          dismissalEnd: parseTimeOfDay(t.dismissalEnd),
          lunch: t.lunch.map((l) => ({ start: parseTimeOfDay(l.start), end: parseTimeOfDay(l.end), mayLeave: l.mayLeave })),
          source: t,
        },
      ]),
    );
  }

  #setCurfews(list: Curfew[]): void {
    this.#rawCurfews = list;
    this.#curfews = new Map();
    for (const c of list) {
      const windows = this.#curfews.get(c.zone) ?? [];
      windows.push({ kind: c.kind, start: parseTimeOfDay(c.start), end: parseTimeOfDay(c.end), days: c.days, source: c });
      this.#curfews.set(c.zone, windows);
    }
  }
}
