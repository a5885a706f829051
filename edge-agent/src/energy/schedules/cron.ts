import { parse, validateDetailed } from 'node-cron';
import type { SchoolTime } from '../../school/time.js';

/**
 * Cron schedules over an injectable clock. node-cron parses and validates the
 * expression (its field syntax, names like MON, ranges and steps, its error
 * texts); the next firing time is computed here from node-cron's expanded
 * fields in the campus time zone, so a fake clock can run a week of schedules
 * in milliseconds — node-cron's own runner only knows real timers. Day of month
 * and day of week must both match, as in node-cron.
 */
export interface CronFields {
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
}

export class CronError extends Error {
  constructor(
    readonly expression: string,
    readonly detail: string,
  ) {
    super(`invalid cron "${expression}": ${detail}`);
  }
}

export function parseCron(expression: string): CronFields {
  const expr = expression.trim().replace(/\s+/g, ' ');
  if (expr.split(' ').length !== 5) throw new CronError(expression, 'use five fields: minute hour day-of-month month day-of-week');
  const v = validateDetailed(expr);
  if (!v.valid) throw new CronError(expression, v.errors.map((e) => e.message).join('; '));
  const f = parse(expr);
  const numbers = (field: string, values: Array<number | string>): number[] => {
    const out: number[] = [];
    for (const x of values) {
      if (typeof x !== 'number') throw new CronError(expression, `${field}: "${x}" (last-day and nth-weekday forms are not supported)`);
      out.push(x);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  };
  return {
    minutes: numbers('minute', f.minute),
    hours: numbers('hour', f.hour),
    daysOfMonth: new Set(numbers('day of month', f.dayOfMonth)),
    months: new Set(numbers('month', f.month)),
    daysOfWeek: new Set(numbers('day of week', f.dayOfWeek).map((d) => d % 7)),
  };
}

/** The first firing strictly after `afterMs`, or null if none within four years (29 February comes round in four). */
export function nextFiring(fields: CronFields, zone: SchoolTime, afterMs: number): number | null {
  const start = zone.parts(afterMs);
  let y = start.year;
  let m = start.month;
  let d = start.day;
  for (let i = 0; i < 4 * 366 + 1; i++) {
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    if (fields.months.has(m) && fields.daysOfMonth.has(d) && fields.daysOfWeek.has(weekday)) {
      for (const h of fields.hours) {
        for (const min of fields.minutes) {
          const t = zone.toInstant(y, m, d, h, min);
          if (t > afterMs) return t;
        }
      }
    }
    const n = new Date(Date.UTC(y, m - 1, d + 1));
    y = n.getUTCFullYear();
    m = n.getUTCMonth() + 1;
    d = n.getUTCDate();
  }
  return null;
}
