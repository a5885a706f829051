import type { LeaveRequest } from '../../../api/access';
import { schoolLocalInput } from '../people/passForm';

/** What the leave form holds. Times are school-local "YYYY-MM-DDTHH:MM" (datetime-local inputs). */
export interface LeaveForm {
  personId: string;
  startsAt: string;
  endsAt: string;
  reason: string;
  approvedBy: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A leave asked for during the day usually lasts to the end of it. */
const END_OF_SCHOOL_DAY = '18:00';

/** From now (to the minute) to the end of today's school day, or four hours when that has passed. */
export function defaultLeaveWindow(now: number, timeZone: string): { startsAt: string; endsAt: string } {
  const from = Math.floor(now / MINUTE) * MINUTE;
  const startsAt = schoolLocalInput(from, timeZone);
  const endOfDay = `${startsAt.slice(0, 10)}T${END_OF_SCHOOL_DAY}`;
  return { startsAt, endsAt: endOfDay > startsAt ? endOfDay : schoolLocalInput(from + 4 * HOUR, timeZone) };
}

/** The request for the edge, or 'badWindow' when the end is not after the start. */
export function leaveRequest(form: LeaveForm): { request: LeaveRequest } | { problem: 'badWindow' } {
  // Same fixed-width format on both sides, so text order is time order.
  if (!(form.endsAt > form.startsAt)) return { problem: 'badWindow' };
  return { request: { personId: form.personId, startsAt: form.startsAt, endsAt: form.endsAt, reason: form.reason.trim(), approvedBy: form.approvedBy.trim() } };
}

export type Phase = 'later' | 'now' | 'over';

export function phaseOf(from: number, until: number, now: number): Phase {
  if (now < from) return 'later';
  return now < until ? 'now' : 'over';
}

/** The school day ("YYYY-MM-DD") an instant falls on, in the school's time zone. */
export function schoolDate(at: number, timeZone: string): string {
  return schoolLocalInput(at, timeZone).slice(0, 10);
}

/**
 * What the office looks at: records that end on `today` (the school day, as the edge
 * sees it) or later, earliest start first. Earlier ones are history, on the person's page.
 */
export function todayAndLater<T>(records: readonly T[], window: (r: T) => { from: number; until: number }, today: string, timeZone: string): T[] {
  return records
    .filter((r) => schoolDate(window(r).until, timeZone) >= today)
    .sort((a, b) => window(a).from - window(b).from);
}
