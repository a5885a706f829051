/**
 * Wall time in the school's time zone. Timetables, curfews and attendance days are
 * school-local ("07:40", "2026-09-01"), while the edge clock and events are UTC ms.
 * The zone's offset is cached per quarter hour, so the gate's hot path does no Intl
 * formatting.
 */
export interface LocalTime {
  /** YYYY-MM-DD in the school's zone. */
  date: string;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

const QUARTER_HOUR = 15 * 60_000;

export function parseTimeOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function formatTimeOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Is `minute` inside [start, end)? A window whose end is not after its start crosses midnight. */
export function inWindow(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function addDays(date: string, days: number): string {
  const d = new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function weekdayOf(date: string): number {
  const wd = new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

export class SchoolTime {
  readonly #format: Intl.DateTimeFormat;
  #bucket = NaN;
  #bucketOffset = 0;

  constructor(readonly timeZone: string) {
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
    if (bucket === this.#bucket) return this.#bucketOffset;
    const parts: Record<string, number> = {};
    for (const p of this.#format.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    const offset = asUtc - (ms - (((ms % 1000) + 1000) % 1000));
    this.#bucket = bucket;
    this.#bucketOffset = offset;
    return offset;
  }

  local(ms: number): LocalTime {
    const d = new Date(ms + this.offset(ms));
    const wd = d.getUTCDay();
    return {
      date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
      minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
      weekday: wd === 0 ? 7 : wd,
    };
  }

  /** The instant of a school-local date and time of day (minutes). */
  instant(date: string, minute: number): number {
    const [y, m, d] = date.split('-').map(Number);
    const naive = Date.UTC(y!, m! - 1, d!, 0, minute);
    let guess = naive - this.offset(naive);
    const corrected = naive - this.offset(guess);
    if (corrected !== guess) guess = corrected;
    return guess;
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
}
