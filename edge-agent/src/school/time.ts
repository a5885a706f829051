/**
 * School-local time: the ONE conversion between UTC instants and the school's wall
 * time for the whole edge. Timetables, curfews, attendance days, schedules,
 * operating hours, tariffs and daily energy totals are school-local ("07:40",
 * "2026-09-01"); the edge clock and events are UTC ms.
 *
 * Weekdays are ISO everywhere: 1 = Monday … 7 = Sunday (cron expressions keep
 * cron's own 0–6 inside their parser, nowhere else).
 *
 * The zone's offset is cached per quarter hour of UTC time (zones with 30/45 minute
 * offsets and DST changes at quarter hours stay exact), so the gate's hot path and
 * the per-meter-minute telemetry path do no Intl formatting.
 */
export interface LocalTime {
  /** YYYY-MM-DD in the school's zone. */
  date: string;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

export interface LocalParts extends LocalTime {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  hour: number;
  /** Minute of the hour, 0..59. */
  minuteOfHour: number;
  /** Minutes since local midnight (same as `minute`). */
  minuteOfDay: number;
  /** YYYYMMDD as a number (the daily roll-up key). */
  dayKey: number;
}

const QUARTER_HOUR = 15 * 60_000;
const DAY = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "HH:MM" to minutes since midnight ("24:00" = 1440). */
export function parseTimeOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Minutes since midnight to "HH:MM". */
export function formatTimeOfDay(minute: number): string {
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

/** Is `minute` inside [start, end)? A window whose end is not after its start crosses midnight. */
export function inWindow(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function addDays(date: string, days: number): string {
  const d = new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** ISO weekday of a calendar date: 1 = Monday ... 7 = Sunday. */
export function weekdayOf(date: string): number {
  const wd = new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

export function dayKeyOf(date: string): number {
  return Number(date.replaceAll('-', ''));
}

export function dateOfDayKey(dayKey: number): string {
  const s = String(dayKey);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** The day key after `dayKey` (YYYYMMDD). */
export function nextDayKey(dayKey: number): number {
  const n = new Date(Date.UTC(Math.floor(dayKey / 10000), (Math.floor(dayKey / 100) % 100) - 1, dayKey % 100) + DAY);
  return n.getUTCFullYear() * 10000 + (n.getUTCMonth() + 1) * 100 + n.getUTCDate();
}

/** Throws RangeError for a zone name this Node does not know. */
export function assertTimeZone(name: string): void {
  new Intl.DateTimeFormat('en', { timeZone: name });
}

export class SchoolTime {
  readonly #format: Intl.DateTimeFormat;
  readonly #offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    // Throws RangeError for an unknown zone (config validation checks it first).
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset of the zone from UTC at `ms`, in ms. */
  offset(ms: number): number {
    const bucket = Math.floor(ms / QUARTER_HOUR);
    let off = this.#offsets.get(bucket);
    if (off === undefined) {
      const at = bucket * QUARTER_HOUR;
      const p: Record<string, number> = {};
      for (const part of this.#format.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at;
      if (this.#offsets.size > 100_000) this.#offsets.clear();
      this.#offsets.set(bucket, off);
    }
    return off;
  }

  /** Date, minute of day and ISO weekday of an instant. */
  local(ms: number): LocalTime {
    const d = new Date(ms + this.offset(ms));
    const wd = d.getUTCDay();
    return {
      date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
      minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
      weekday: wd === 0 ? 7 : wd,
    };
  }

  /** Every local field of an instant. */
  parts(ms: number): LocalParts {
    const d = new Date(ms + this.offset(ms));
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const hour = d.getUTCHours();
    const minuteOfHour = d.getUTCMinutes();
    const wd = d.getUTCDay();
    const minute = hour * 60 + minuteOfHour;
    return {
      year,
      month,
      day,
      hour,
      minuteOfHour,
      minute,
      minuteOfDay: minute,
      weekday: wd === 0 ? 7 : wd,
      date: `${year}-${pad(month)}-${pad(day)}`,
      dayKey: year * 10000 + month * 100 + day,
    };
  }

  /** The instant of a local wall time (the earlier one if the zone repeats it). */
  toInstant(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    let t = wall - this.offset(wall);
    const again = wall - this.offset(t);
    if (again !== t) t = again;
    return t;
  }

  /** The instant of a school-local date and time of day (minutes since midnight). */
  instant(date: string, minute: number): number {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return this.toInstant(y, m, d, 0, minute);
  }

  /** Instant of "YYYY-MM-DD" local midnight. */
  dateStart(date: string): number {
    return this.instant(date, 0);
  }

  /** Start of the local day `dayKey` (YYYYMMDD). */
  dayStart(dayKey: number): number {
    return this.toInstant(Math.floor(dayKey / 10000), Math.floor(dayKey / 100) % 100, dayKey % 100);
  }

  /** Start of the local day containing `ms`. */
  startOfDay(ms: number): number {
    const p = this.parts(ms);
    return this.toInstant(p.year, p.month, p.day);
  }

  /** ms epoch, or ISO text; text without an offset is school-local. */
  parse(input: number | string): number {
    if (typeof input === 'number') return input;
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(input);
    if (!m) return NaN;
    const [, date, hh, mm, ss = '0', frac = '0', zone] = m;
    const extra = Number(ss) * 1000 + Number(frac.padEnd(3, '0'));
    if (zone) return Date.parse(`${date}T${hh}:${mm}:${pad(Number(ss))}.${frac.padEnd(3, '0')}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
    return this.instant(date!, Number(hh) * 60 + Number(mm)) + extra;
  }

  /** "YYYY-MM-DD HH:MM" in the school's zone, for texts. */
  format(ms: number): string {
    const l = this.local(ms);
    return `${l.date} ${formatTimeOfDay(l.minute)}`;
  }

  /** The next local day's key after `dayKey` (kept for callers that hold a SchoolTime). */
  static nextDayKey(dayKey: number): number {
    return nextDayKey(dayKey);
  }
}
