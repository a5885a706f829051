import type { Db } from '../../store/index.js';
import type { CalendarEntryInput, CalendarKind, DayFilter } from '../config.js';
import { Zone, dayKeyOf, dateOfDayKey } from '../time/zone.js';

export interface CalendarEntry {
  id: number;
  from: string;
  to: string;
  kind: CalendarKind;
  name: string;
}

export interface DayInfo {
  date: string;
  weekday: number;
  /** Classes are held: a weekday that is not a holiday, a make-up workday (调休) or an exam day. */
  school: boolean;
  exam: boolean;
  holiday: boolean;
  makeup: boolean;
  /** Name of the calendar entry that decided the day, if any. */
  name: string | null;
}

/**
 * The school calendar: which days are school days. Weekdays in `schoolDays` are
 * school days unless a holiday covers them; a make-up workday (调休) or an exam
 * day is a school day even on a weekend and wins over a holiday range that
 * covers it. Stored in the edge database (the cloud owns it when configured).
 */
export class SchoolCalendar {
  private entries: CalendarEntry[] = [];
  private readonly cache = new Map<number, DayInfo>();

  constructor(
    private readonly db: Db,
    private readonly schoolDays: readonly number[],
  ) {
    this.reload();
  }

  private reload(): void {
    this.entries = (this.db.prepare('SELECT id, from_date AS "from", to_date AS "to", kind, name FROM energy_calendar ORDER BY from_date, id').all() as CalendarEntry[]).map((e) => ({ ...e }));
    this.cache.clear();
  }

  list(range?: { from?: string; to?: string }): CalendarEntry[] {
    return this.entries.filter((e) => (!range?.from || e.to >= range.from) && (!range?.to || e.from <= range.to));
  }

  add(e: CalendarEntryInput): CalendarEntry {
    const info = this.db
      .prepare('INSERT INTO energy_calendar (from_date, to_date, kind, name) VALUES (?, ?, ?, ?)')
      .run(e.from, e.to ?? e.from, e.kind, e.name);
    this.reload();
    return this.entries.find((x) => x.id === Number(info.lastInsertRowid))!;
  }

  update(id: number, e: CalendarEntryInput): CalendarEntry | undefined {
    const info = this.db.prepare('UPDATE energy_calendar SET from_date = ?, to_date = ?, kind = ?, name = ? WHERE id = ?').run(e.from, e.to ?? e.from, e.kind, e.name, id);
    this.reload();
    return info.changes ? this.entries.find((x) => x.id === id) : undefined;
  }

  remove(id: number): boolean {
    const info = this.db.prepare('DELETE FROM energy_calendar WHERE id = ?').run(id);
    this.reload();
    return info.changes > 0;
  }

  /** Imports entries when the calendar is empty (first start from the config file). */
  seed(entries: readonly CalendarEntryInput[]): number {
    if (this.entries.length > 0 || entries.length === 0) return 0;
    const insert = this.db.prepare('INSERT INTO energy_calendar (from_date, to_date, kind, name) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const e of entries) insert.run(e.from, e.to ?? e.from, e.kind, e.name);
    })();
    this.reload();
    return entries.length;
  }

  day(date: string): DayInfo {
    const key = dayKeyOf(date);
    let info = this.cache.get(key);
    if (!info) {
      info = this.compute(date);
      if (this.cache.size > 5000) this.cache.clear();
      this.cache.set(key, info);
    }
    return info;
  }

  /** The days from `from` to `to` inclusive ("YYYY-MM-DD"). */
  days(from: string, to: string): DayInfo[] {
    const out: DayInfo[] = [];
    for (let k = dayKeyOf(from), end = dayKeyOf(to); k <= end && out.length < 800; k = Zone.nextDayKey(k)) out.push(this.day(dateOfDayKey(k)));
    return out;
  }

  matches(filter: DayFilter, date: string): boolean {
    if (filter === 'all') return true;
    const d = this.day(date);
    if (filter === 'school') return d.school;
    if (filter === 'exam') return d.exam;
    return !d.school;
  }

  private compute(date: string): DayInfo {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const covering = this.entries.filter((e) => e.from <= date && e.to >= date);
    const pick = (k: CalendarKind) => covering.find((e) => e.kind === k);
    const makeup = pick('workday');
    const exam = pick('exam');
    const holiday = pick('holiday');
    const regular = this.schoolDays.includes(weekday);
    const school = Boolean(makeup || exam) || (regular && !holiday);
    return {
      date,
      weekday,
      school,
      exam: Boolean(exam),
      holiday: Boolean(holiday) && !makeup && !exam,
      makeup: Boolean(makeup) && !regular,
      name: (makeup ?? exam ?? holiday)?.name ?? null,
    };
  }
}
