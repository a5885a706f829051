import type { Direction } from '@campus/protocol/access/index';
import type { SchoolCalendar } from '../../school/calendar.js';
import type { Curfews } from '../calendar.js';
import type { Leaves } from '../leaves.js';
import type { PersonEntry, Zone } from '../model.js';
import { formatTimeOfDay, inWindow, addDays } from '../../school/time.js';

export type TimeVerdict =
  | { ok: true; reason?: 'access.granted.leave' | 'access.granted.late_return'; leaveId?: number }
  | { ok: false; reason: 'access.school_hours' | 'access.boarder_needs_leave' | 'access.curfew' | 'access.dormitory_closed'; params: Record<string, string> };

/**
 * Campus gates: in school hours a student leaves only with an approved leave covering
 * now; lunch windows may let day students (or all) out; boarders leave on a school day
 * only with leave, or after dismissal before a day without school (weekend, holiday).
 */
export function campusExit(cal: SchoolCalendar, leaves: Leaves, p: PersonEntry, gradeId: number | null, now: number): TimeVerdict {
  const { date, minute } = cal.time.local(now);
  if (!cal.isSchoolDay(date)) return { ok: true };
  const schedule = cal.schedule(gradeId, date);
  if (!schedule) return { ok: true };
  const leave = leaves.covering(p.id, now);
  const withLeave: TimeVerdict | null = leave ? { ok: true, reason: 'access.granted.leave', leaveId: leave.id } : null;
  for (const l of schedule.lunch) {
    if (inWindow(minute, l.start, l.end) && (l.mayLeave === 'all_students' || (l.mayLeave === 'day_students' && !p.boarder))) return { ok: true };
  }
  if (p.boarder) {
    if (minute >= schedule.dismissalStart && cal.schoolBreakFollows(date)) return { ok: true };
    return withLeave ?? { ok: false, reason: 'access.boarder_needs_leave', params: {} };
  }
  if (minute >= schedule.entryStart && minute < schedule.dismissalStart) {
    return withLeave ?? { ok: false, reason: 'access.school_hours', params: { dismissalStart: formatTimeOfDay(schedule.dismissalStart) } };
  }
  return { ok: true };
}

/**
 * Dormitory windows. 'curfew': nobody leaves, a return is let in and recorded as late.
 * 'closed': nobody enters (class time). A window crossing midnight belongs to the day it
 * started, which decides whether a school-days-only window applies.
 */
export function dormitory(cal: SchoolCalendar, curfews: Curfews, leaves: Leaves, p: PersonEntry, zone: Zone, direction: Direction, now: number): TimeVerdict {
  const { date, minute } = cal.time.local(now);
  for (const w of curfews.forZone(zone.id)) {
    if (!inWindow(minute, w.start, w.end)) continue;
    const startedOn = w.start > w.end && minute < w.end ? addDays(date, -1) : date;
    if (w.days === 'school_days' && !cal.isSchoolDay(startedOn)) continue;
    const window = { start: formatTimeOfDay(w.start), end: formatTimeOfDay(w.end) };
    if (w.kind === 'curfew') {
      if (direction === 'in') return { ok: true, reason: 'access.granted.late_return' };
      const leave = leaves.covering(p.id, now);
      if (leave) return { ok: true, reason: 'access.granted.leave', leaveId: leave.id };
      return { ok: false, reason: 'access.curfew', params: { curfewStart: window.start, curfewEnd: window.end } };
    }
    if (direction === 'in') {
      const leave = leaves.covering(p.id, now);
      if (leave) return { ok: true, reason: 'access.granted.leave', leaveId: leave.id };
      return { ok: false, reason: 'access.dormitory_closed', params: { closedStart: window.start, closedEnd: window.end } };
    }
  }
  return { ok: true };
}
