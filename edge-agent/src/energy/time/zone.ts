/**
 * Local (school) time in one IANA time zone, fast enough to classify every
 * minute of every meter: the zone's UTC offset is looked up once per hour of
 * UTC time and cached, the rest is integer arithmetic.
 */
export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number;
  minute: number;
  /** 0 = Sunday */
  weekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  /** "YYYY-MM-DD" */
  date: string;
  /** YYYYMMDD as a number (the daily roll-up key). */
  dayKey: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export class Zone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly name: string) {
    // Throws RangeError for an unknown zone: checked at start-up.
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset of local time from UTC at `ms`, in ms. */
  offsetAt(ms: number): number {
    const bucket = Math.floor(ms / HOUR);
    let off = this.offsets.get(bucket);
    if (off === undefined) {
      const p: Record<string, number> = {};
      for (const part of this.fmt.formatToParts(new Date(bucket * HOUR))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - bucket * HOUR;
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(bucket, off);
    }
    return off;
  }

  parts(ms: number): LocalParts {
    const d = new Date(ms + this.offsetAt(ms));
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    const hour = d.getUTCHours();
    const minute = d.getUTCMinutes();
    return {
      year,
      month,
      day,
      hour,
      minute,
      weekday: d.getUTCDay(),
      minuteOfDay: hour * 60 + minute,
      date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      dayKey: year * 10000 + month * 100 + day,
    };
  }

  /** The instant of a local wall time (the earlier one if the zone repeats it). */
  toInstant(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    let t = wall - this.offsetAt(wall);
    const again = wall - this.offsetAt(t);
    if (again !== t) t = again;
    return t;
  }

  /** Start of the local day containing `ms`. */
  startOfDay(ms: number): number {
    const p = this.parts(ms);
    return this.toInstant(p.year, p.month, p.day);
  }

  /** Start of the local day `dayKey` (YYYYMMDD). */
  dayStart(dayKey: number): number {
    return this.toInstant(Math.floor(dayKey / 10000), Math.floor(dayKey / 100) % 100, dayKey % 100);
  }

  /** Instant of "YYYY-MM-DD" local midnight. */
  dateStart(date: string): number {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return this.toInstant(y, m, d);
  }

  /** The next local day's key after `dayKey`. */
  static nextDayKey(dayKey: number): number {
    const y = Math.floor(dayKey / 10000);
    const m = Math.floor(dayKey / 100) % 100;
    const d = dayKey % 100;
    const n = new Date(Date.UTC(y, m - 1, d) + DAY);
    return n.getUTCFullYear() * 10000 + (n.getUTCMonth() + 1) * 100 + n.getUTCDate();
  }
}

export function dayKeyOf(date: string): number {
  return Number(date.replaceAll('-', ''));
}

export function dateOfDayKey(dayKey: number): string {
  const s = String(dayKey);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** "HH:MM" to minutes since midnight ("24:00" = 1440). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
