import type { DayKind, LunchWindow, SpecialDay, Term, Timetable } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';
import { addDays, dateOfDayKey, dayKeyOf, nextDayKey, parseTimeOfDay, weekdayOf, type SchoolTime } from './time.js';

/** Kinds of calendar entry: a holiday range, a 调休 make-up workday, an exam day (a school day with its own hours). */
export const CALENDAR_KINDS = ['holiday', 'workday', 'exam'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

export interface CalendarEntry {
  id: number;
  from: string;
  to: string;
  kind: CalendarKind;
  name: string;
  /** A make-up workday follows this ISO weekday's timetable (1 = Monday … 7 = Sunday); null: its own weekday's. */
  followsWeekday: number | null;
}

export interface CalendarEntryInput {
  from: string;
  to?: string | undefined;
  kind: CalendarKind;
  name: string;
  followsWeekday?: number | null | undefined;
}

/** What one date is, for schedules, operating hours, attendance and gate rules alike. */
export interface DayInfo {
  date: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Classes are held: a regular weekday not covered by a holiday, a make-up workday (调休) or an exam day. */
  school: boolean;
  exam: boolean;
  holiday: boolean;
  /** A make-up workday on a day that is not a regular school day. */
  makeup: boolean;
  /** Outside every term (when terms are set): no classes. */
  outsideTerm: boolean;
  /** Name of the calendar entry that decided the day, if any. */
  name: string | null;
  /** For the gate and attendance: school_day, weekend, holiday, makeup_workday or outside_term. */
  kind: DayKind;
}

export type DayFilter = 'all' | 'school' | 'non_school' | 'exam';

/** A timetable with its times as minutes since local midnight. */
export interface DaySchedule {
  entryStart: number;
  lateAfter: number;
  dismissalStart: number;
  dismissalEnd: number;
  lunch: Array<{ start: number; end: number; mayLeave: LunchWindow['mayLeave'] }>;
  source: Timetable;
}

const MAX_RANGE_DAYS = 800;

/**
 * The school calendar — ONE for the whole edge: terms, holidays, 调休 make-up
 * workdays, exam days and per-grade timetables, on one weekday convention (ISO,
 * Monday = 1). Gate rules, attendance, energy schedules and operating hours, the
 * cloud's calendar projection and the panel's calendar pages all read and write
 * this object (tables `school_terms`, `school_calendar`, `school_timetables`).
 *
 * Precedence for a date: a make-up workday or an exam day makes it a school day,
 * even on a weekend or inside a holiday range; otherwise a holiday makes it a day
 * off; otherwise outside every term (when terms are set) is a day off; otherwise
 * the regular school weekdays decide. Held in memory (a few hundred rows) and
 * reloaded after every write; listeners hear of every change.
 */
export class SchoolCalendar {
  #terms: Term[] = [];
  #entries: CalendarEntry[] = [];
  #timetables = new Map<string, DaySchedule>();
  #rawTimetables: Timetable[] = [];
  /** Timetables the cloud sent (timetable records), in memory: replayed from the edge's cloud records at start. */
  #cloudTimetables: Timetable[] = [];
  readonly #cache = new Map<number, DayInfo>();
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    readonly time: SchoolTime,
    /** Regular school weekdays, ISO (1 = Monday … 7 = Sunday). */
    readonly schoolDays: readonly number[] = [1, 2, 3, 4, 5],
  ) {
    this.load();
  }

  /** Re-reads every table (after another process wrote to the database). */
  load(): void {
    this.#terms = this.db.prepare('SELECT name, start_date AS startDate, end_date AS endDate FROM school_terms ORDER BY start_date, id').all() as Term[];
    this.#entries = this.db
      .prepare('SELECT id, from_date AS "from", to_date AS "to", kind, name, follows_weekday AS followsWeekday FROM school_calendar ORDER BY from_date, id')
      .all() as CalendarEntry[];
    const rows = this.db
      .prepare('SELECT grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch FROM school_timetables')
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
    this.#cache.clear();
  }

  /** Called after every change made through this object. Returns an unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    this.load();
    for (const fn of this.#listeners) fn();
  }

  // ------------------------------------------------------------ questions

  day(date: string): DayInfo {
    const key = dayKeyOf(date);
    let info = this.#cache.get(key);
    if (!info) {
      info = this.#compute(date);
      if (this.#cache.size > 5000) this.#cache.clear();
      this.#cache.set(key, info);
    }
    return info;
  }

  /** The days from `from` to `to` inclusive (at most 800). */
  days(from: string, to: string): DayInfo[] {
    const out: DayInfo[] = [];
    for (let k = dayKeyOf(from), end = dayKeyOf(to); k <= end && out.length < MAX_RANGE_DAYS; k = nextDayKey(k)) out.push(this.day(dateOfDayKey(k)));
    return out;
  }

  dayKind(date: string): DayKind {
    return this.day(date).kind;
  }

  isSchoolDay(date: string): boolean {
    return this.day(date).school;
  }

  /** The day after `date` is not a school day: boarders go home after dismissal. */
  schoolBreakFollows(date: string): boolean {
    return !this.isSchoolDay(addDays(date, 1));
  }

  matches(filter: DayFilter, date: string): boolean {
    if (filter === 'all') return true;
    const d = this.day(date);
    if (filter === 'school') return d.school;
    if (filter === 'exam') return d.exam;
    return !d.school;
  }

  /** The grade's schedule on a school day (a make-up day follows its stated weekday); null otherwise. */
  schedule(gradeId: number | null, date: string): DaySchedule | null {
    if (gradeId === null || !this.isSchoolDay(date)) return null;
    const weekday = this.#covering(date).find((e) => e.kind === 'workday' && e.followsWeekday)?.followsWeekday ?? weekdayOf(date);
    return this.#timetables.get(`${gradeId}|${weekday}`) ?? this.#timetables.get(`${gradeId}|0`) ?? null;
  }

  // ------------------------------------------------------------ terms

  terms(): Term[] {
    return [...this.#terms];
  }

  replaceTerms(terms: readonly Term[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM school_terms').run();
      const ins = this.db.prepare('INSERT INTO school_terms (name, start_date, end_date) VALUES (?, ?, ?)');
      for (const t of terms) ins.run(t.name, t.startDate, t.endDate);
    })();
    this.#changed();
  }

  // ------------------------------------------------------------ entries (ranges)

  list(range?: { from?: string | undefined; to?: string | undefined }): CalendarEntry[] {
    return this.#entries.filter((e) => (!range?.from || e.to >= range.from) && (!range?.to || e.from <= range.to)).map((e) => ({ ...e }));
  }

  add(e: CalendarEntryInput): CalendarEntry {
    const info = this.db
      .prepare('INSERT INTO school_calendar (from_date, to_date, kind, name, follows_weekday) VALUES (?, ?, ?, ?, ?)')
      .run(e.from, e.to ?? e.from, e.kind, e.name, e.kind === 'workday' ? (e.followsWeekday ?? null) : null);
    this.#changed();
    return this.#entries.find((x) => x.id === Number(info.lastInsertRowid))!;
  }

  update(id: number, e: CalendarEntryInput): CalendarEntry | undefined {
    const info = this.db
      .prepare('UPDATE school_calendar SET from_date = ?, to_date = ?, kind = ?, name = ?, follows_weekday = ? WHERE id = ?')
      .run(e.from, e.to ?? e.from, e.kind, e.name, e.kind === 'workday' ? (e.followsWeekday ?? null) : null, id);
    this.#changed();
    return info.changes ? this.#entries.find((x) => x.id === id) : undefined;
  }

  remove(id: number): boolean {
    const n = this.db.prepare('DELETE FROM school_calendar WHERE id = ?').run(id).changes;
    this.#changed();
    return n > 0;
  }

  /** Imports entries when the calendar is empty (first start from the config file). */
  seed(entries: readonly CalendarEntryInput[]): number {
    if (this.#entries.length > 0 || entries.length === 0) return 0;
    const ins = this.db.prepare('INSERT INTO school_calendar (from_date, to_date, kind, name, follows_weekday) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const e of entries) ins.run(e.from, e.to ?? e.from, e.kind, e.name, e.kind === 'workday' ? (e.followsWeekday ?? null) : null);
    })();
    this.#changed();
    return entries.length;
  }

  // ------------------------------------------------------------ single days (the gate office's and the cloud's view)

  /** Holidays and make-up workdays as single dates (ranges expanded), sorted. */
  specialDays(): SpecialDay[] {
    const byDate = new Map<string, SpecialDay>();
    for (const e of this.#entries) {
      if (e.kind === 'exam') continue;
      for (let k = dayKeyOf(e.from), end = dayKeyOf(e.to), n = 0; k <= end && n < MAX_RANGE_DAYS; k = nextDayKey(k), n++) {
        const date = dateOfDayKey(k);
        const prev = byDate.get(date);
        // A make-up workday wins over a holiday range that covers it, as in day().
        if (prev && prev.kind === 'makeup_workday') continue;
        byDate.set(date, { date, kind: e.kind === 'holiday' ? 'holiday' : 'makeup_workday', name: e.name, followsWeekday: e.kind === 'workday' ? e.followsWeekday : null });
      }
    }
    return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  /** Marks one date a holiday or a make-up workday, replacing what was set for that single date. */
  setSpecialDay(day: SpecialDay): void {
    this.db.transaction(() => {
      this.#deleteSingle(day.date);
      this.db
        .prepare('INSERT INTO school_calendar (from_date, to_date, kind, name, follows_weekday) VALUES (?, ?, ?, ?, ?)')
        .run(day.date, day.date, day.kind === 'holiday' ? 'holiday' : 'workday', day.name, day.kind === 'makeup_workday' ? day.followsWeekday : null);
    })();
    this.#changed();
  }

  /** Makes a date an ordinary day again: removes the single-date holiday or make-up entries on it. */
  removeSpecialDay(date: string): boolean {
    const n = this.#deleteSingle(date);
    this.#changed();
    return n > 0;
  }

  #deleteSingle(date: string): number {
    return this.db.prepare("DELETE FROM school_calendar WHERE from_date = ? AND to_date = ? AND kind IN ('holiday', 'workday')").run(date, date).changes;
  }

  // ------------------------------------------------------------ timetables

  /** The timetables in force: the edge's own, with the cloud's taking the place of any for the same grade and weekday. */
  timetables(): Timetable[] {
    return [...this.#rawTimetables];
  }

  /** The timetables the cloud sent (a subset of `timetables()`). */
  cloudTimetables(): Timetable[] {
    return [...this.#cloudTimetables];
  }

  /**
   * Sets the timetables the cloud owns (one per grade and weekday). They are not stored
   * in `school_timetables`: the edge's own stay there, and come back for a grade and
   * weekday the cloud no longer sets. Returns whether anything changed.
   */
  setCloudTimetables(list: readonly Timetable[]): boolean {
    const norm = (l: readonly Timetable[]) => JSON.stringify([...l].map((t) => ({ ...t, weekday: t.weekday ?? null })).sort((a, b) => a.gradeId - b.gradeId || (a.weekday ?? 0) - (b.weekday ?? 0)));
    if (norm(list) === norm(this.#cloudTimetables)) return false;
    this.#cloudTimetables = [...list];
    this.#changed();
    return true;
  }

  replaceTimetables(list: readonly Timetable[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM school_timetables').run();
      const ins = this.db.prepare(
        'INSERT INTO school_timetables (grade_id, weekday, entry_start, late_after, dismissal_start, dismissal_end, lunch) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const t of list) ins.run(t.gradeId, t.weekday ?? 0, t.entryStart, t.lateAfter, t.dismissalStart, t.dismissalEnd, JSON.stringify(t.lunch));
    })();
    this.#changed();
  }

  // ------------------------------------------------------------ internals

  #covering(date: string): CalendarEntry[] {
    return this.#entries.filter((e) => e.from <= date && e.to >= date);
  }

  #compute(date: string): DayInfo {
    const weekday = weekdayOf(date);
    const covering = this.#covering(date);
    const pick = (k: CalendarKind) => covering.find((e) => e.kind === k);
    const makeup = pick('workday');
    const exam = pick('exam');
    const holiday = pick('holiday');
    const regular = this.schoolDays.includes(weekday);
    const outsideTerm = this.#terms.length > 0 && !this.#terms.some((t) => t.startDate <= date && date <= t.endDate);
    const school = Boolean(makeup || exam) || (regular && !holiday && !outsideTerm);
    const kind: DayKind = makeup || exam ? (regular ? 'school_day' : 'makeup_workday') : holiday ? 'holiday' : outsideTerm ? 'outside_term' : regular ? 'school_day' : 'weekend';
    return {
      date,
      weekday,
      school,
      exam: Boolean(exam),
      holiday: Boolean(holiday) && !makeup && !exam,
      makeup: Boolean(makeup) && !regular,
      outsideTerm,
      name: (makeup ?? exam ?? holiday)?.name ?? null,
      kind,
    };
  }

  #setTimetables(own: Timetable[]): void {
    const slot = (t: Timetable) => `${t.gradeId}|${t.weekday ?? 0}`;
    const fromCloud = new Set(this.#cloudTimetables.map(slot));
    const ownBySlot = new Map(own.map((t) => [slot(t), t]));
    // A cloud timetable carries no lunch windows: those of the edge's own for that slot stay.
    const cloud = this.#cloudTimetables.map((t) => (t.lunch.length ? t : { ...t, lunch: ownBySlot.get(slot(t))?.lunch ?? [] }));
    const list = [...own.filter((t) => !fromCloud.has(slot(t))), ...cloud];
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
}
