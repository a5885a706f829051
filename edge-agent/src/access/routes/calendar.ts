import { z } from 'zod';
import { CalendarViewSchema, CurfewsSchema, DateSchema, SpecialDaySchema, TermsSchema, TimetablesSchema, type CalendarView } from '@campus/protocol/access/index';
import { NoContent, type ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { AccessService } from '../service.js';
import { ADMIN, GUARD, ready, type AccessRouteDeps } from './shared.js';

function view(s: AccessService): CalendarView {
  const today = s.time.local(s.now()).date;
  return {
    timeZone: s.time.timeZone,
    today: { date: today, kind: s.calendar.dayKind(today) },
    terms: s.calendar.terms(),
    days: s.calendar.specialDays(),
    timetables: s.calendar.timetables(),
    curfews: s.curfews.list(),
  };
}

export function calendarRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  api.add({
    method: 'get',
    path: '/api/access/calendar',
    summary: 'School calendar: terms, holidays and make-up workdays, timetables per grade, dormitory curfews, and what today is',
    tag: 'access',
    access: GUARD,
    response: CalendarViewSchema,
    handler: () => view(ready(deps)),
  });

  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/access/calendar/terms',
    summary: 'Replace the terms',
    tag: 'access',
    access: ADMIN,
    body: TermsSchema,
    audit: 'access.calendar.terms',
    response: CalendarViewSchema,
    handler: ({ body }) => {
      const s = ready(deps);
      for (const t of body.terms) if (t.endDate < t.startDate) throw new ApiError(400, 'request.invalid', { detail: `${t.name}: endDate before startDate` });
      s.calendar.replaceTerms(body.terms);
      return view(s);
    },
  });

  api.add({
    method: 'put',
    owner: { cloud: 'calendar' },
    path: '/api/access/calendar/days/:date',
    summary: 'Mark a date as a holiday or a 调休 make-up workday',
    tag: 'access',
    access: ADMIN,
    params: z.strictObject({ date: DateSchema }),
    body: SpecialDaySchema,
    audit: 'access.calendar.day',
    response: CalendarViewSchema,
    handler: ({ params, body }) => {
      const s = ready(deps);
      s.calendar.setSpecialDay({ ...body, date: params.date });
      return view(s);
    },
  });

  api.add({
    method: 'delete',
    owner: { cloud: 'calendar' },
    path: '/api/access/calendar/days/:date',
    summary: 'Make a date an ordinary day again',
    tag: 'access',
    access: ADMIN,
    params: z.strictObject({ date: DateSchema }),
    audit: 'access.calendar.day.remove',
    response: NoContent,
    handler: ({ params }) => {
      const s = ready(deps);
      if (!s.calendar.removeSpecialDay(params.date)) throw new ApiError(404, 'not_found', { what: params.date });
      return undefined;
    },
  });

  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/access/timetables',
    summary: 'Replace the per-grade timetables (entry, late threshold, dismissal, lunch windows)',
    tag: 'access',
    access: ADMIN,
    body: TimetablesSchema,
    audit: 'access.timetables',
    response: CalendarViewSchema,
    handler: ({ body }) => {
      const s = ready(deps);
      const seen = new Set<string>();
      for (const t of body.timetables) {
        if (!s.people.grade(t.gradeId)) throw new ApiError(404, 'access.unknown_grade', { gradeId: t.gradeId });
        const key = `${t.gradeId}|${t.weekday ?? 0}`;
        if (seen.has(key)) throw new ApiError(400, 'request.invalid', { detail: `grade ${t.gradeId} weekday ${t.weekday ?? '-'} appears twice` });
        seen.add(key);
        if (!(t.entryStart <= t.lateAfter && t.lateAfter <= t.dismissalStart && t.dismissalStart <= t.dismissalEnd)) {
          throw new ApiError(400, 'request.invalid', { detail: `grade ${t.gradeId}: entryStart ≤ lateAfter ≤ dismissalStart ≤ dismissalEnd` });
        }
      }
      s.calendar.replaceTimetables(body.timetables);
      return view(s);
    },
  });

  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/access/curfews',
    summary: 'Replace the dormitory curfew and closed windows',
    tag: 'access',
    access: ADMIN,
    body: CurfewsSchema,
    audit: 'access.curfews',
    response: CalendarViewSchema,
    handler: ({ body }) => {
      const s = ready(deps);
      for (const c of body.curfews) if (s.zones.get(c.zone)?.kind !== 'dormitory') throw new ApiError(400, 'access.not_dormitory', { zone: c.zone });
      s.curfews.replace(body.curfews);
      return view(s);
    },
  });
}
