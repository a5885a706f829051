import { z } from 'zod';
import { NoContent, type ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule } from '../energy-module.js';
import { HHMM_RE, ScheduleSchema } from '../config.js';
import { CalendarEntrySchema } from '../../school/config.js';
import { CronError } from '../schedules/cron.js';
import { DateParam, FACILITY, IdParam, NumericIdParam, dateRange, running } from './common.js';
import { EnergyBookingAnswerSchema, EnergyBookingsAnswerSchema, EnergyCalendarAnswerSchema, EnergyCalendarEntryAnswerSchema, EnergyScheduleAnswerSchema, EnergySchedulesAnswerSchema } from '@campus/protocol/energy/api';

const ScheduleBody = ScheduleSchema.omit({ id: true });

const BookingBody = z
  .strictObject({
    room: z.string().max(64),
    fromDate: DateParam,
    toDate: DateParam,
    days: z.enum(['school', 'all']).default('school'),
    fromTime: z.string().regex(HHMM_RE),
    untilTime: z.string().regex(HHMM_RE),
    note: z.string().trim().max(200).default(''),
  })
  .refine((b) => b.toDate >= b.fromDate, { message: 'toDate must not be before fromDate', path: ['toDate'] })
  .refine((b) => b.fromTime < b.untilTime, { message: 'untilTime must be after fromTime', path: ['untilTime'] });

export function scheduleRoutes(api: ApiRouter, energy: EnergyModule): void {
  api.add({
    method: 'get',
    path: '/api/energy/schedules',
    summary: 'Schedules with their next run',
    tag: 'energy',
    access: [...FACILITY],
    response: EnergySchedulesAnswerSchema,
    handler: () => {
      const s = running(energy);
      return { schedules: s.schedules.list().map((x) => ({ ...x, nextRun: s.runner.nextRun(x.id), circuits: s.topology.circuitsOf(x.target).length })) };
    },
  });

  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/energy/schedules/:id',
    summary: 'Create or replace a schedule (five-field cron in the campus time zone)',
    tag: 'energy',
    access: [...FACILITY],
    params: IdParam,
    body: ScheduleBody,
    audit: 'energy.schedule.put',
    response: EnergyScheduleAnswerSchema,
    handler: ({ params, body }) => {
      const s = running(energy);
      try {
        const saved = s.schedules.put({ ...body, id: params.id });
        s.runner.reload();
        return { schedule: { ...saved, nextRun: s.runner.nextRun(saved.id), circuits: s.topology.circuitsOf(saved.target).length } };
      } catch (e) {
        if (e instanceof CronError) throw new ApiError(400, 'energy.invalid_cron', { expression: e.expression, detail: e.detail });
        throw e;
      }
    },
  });

  api.add({
    method: 'delete',
    owner: 'edge',
    path: '/api/energy/schedules/:id',
    summary: 'Delete a schedule',
    tag: 'energy',
    access: [...FACILITY],
    params: IdParam,
    audit: 'energy.schedule.delete',
    response: NoContent,
    handler: ({ params }) => {
      const s = running(energy);
      if (!s.schedules.remove(params.id)) throw new ApiError(404, 'not_found', { what: params.id });
      s.runner.reload();
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/calendar',
    summary: 'School calendar: entries and the kind of each day in a range',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({ from: DateParam, to: DateParam }),
    response: EnergyCalendarAnswerSchema,
    handler: ({ query }) => {
      const s = running(energy);
      dateRange(query.from, query.to, 400);
      return { entries: s.calendar.list(query), days: s.calendar.days(query.from, query.to) };
    },
  });

  const calendarChanged = () => {
    const s = running(energy);
    s.hours.invalidate();
  };

  api.add({
    method: 'post',
    owner: { cloud: 'calendar' },
    path: '/api/energy/calendar',
    summary: 'Add a holiday, make-up workday (调休) or exam day range',
    tag: 'energy',
    access: [...FACILITY],
    body: CalendarEntrySchema,
    audit: 'energy.calendar.add',
    status: 201,
    response: EnergyCalendarEntryAnswerSchema,
    handler: ({ body }) => {
      const entry = running(energy).calendar.add(body);
      calendarChanged();
      return { entry };
    },
  });

  api.add({
    method: 'put',
    owner: { cloud: 'calendar' },
    path: '/api/energy/calendar/:id',
    summary: 'Change a calendar entry',
    tag: 'energy',
    access: [...FACILITY],
    params: NumericIdParam,
    body: CalendarEntrySchema,
    audit: 'energy.calendar.update',
    response: EnergyCalendarEntryAnswerSchema,
    handler: ({ params, body }) => {
      const entry = running(energy).calendar.update(params.id, body);
      if (!entry) throw new ApiError(404, 'not_found', { what: `calendar ${params.id}` });
      calendarChanged();
      return { entry };
    },
  });

  api.add({
    method: 'delete',
    owner: { cloud: 'calendar' },
    path: '/api/energy/calendar/:id',
    summary: 'Remove a calendar entry',
    tag: 'energy',
    access: [...FACILITY],
    params: NumericIdParam,
    audit: 'energy.calendar.delete',
    response: NoContent,
    handler: ({ params }) => {
      if (!running(energy).calendar.remove(params.id)) throw new ApiError(404, 'not_found', { what: `calendar ${params.id}` });
      calendarChanged();
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/bookings',
    summary: 'Room bookings (evening study, meetings) from a date on',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({ room: z.string().max(64).optional(), from: DateParam.optional() }),
    response: EnergyBookingsAnswerSchema,
    handler: ({ query }) => ({ bookings: running(energy).bookings.list({ room: query.room, onOrAfter: query.from }) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/energy/bookings',
    summary: 'Book a room (schedules with exceptBooked leave it on)',
    tag: 'energy',
    access: [...FACILITY],
    body: BookingBody,
    audit: 'energy.booking.add',
    status: 201,
    response: EnergyBookingAnswerSchema,
    handler: ({ body, user }) => {
      const s = running(energy);
      if (!s.topology.rooms.has(body.room)) throw new ApiError(404, 'energy.unknown_room', { id: body.room });
      const booking = s.bookings.add({ ...body, createdBy: user!.username });
      s.hours.invalidate();
      return { booking };
    },
  });

  api.add({
    method: 'delete',
    owner: 'edge',
    path: '/api/energy/bookings/:id',
    summary: 'Cancel a room booking',
    tag: 'energy',
    access: [...FACILITY],
    params: NumericIdParam,
    audit: 'energy.booking.delete',
    response: NoContent,
    handler: ({ params }) => {
      const s = running(energy);
      if (!s.bookings.remove(params.id)) throw new ApiError(404, 'not_found', { what: `booking ${params.id}` });
      s.hours.invalidate();
      return undefined;
    },
  });
}
