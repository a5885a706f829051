import { z } from 'zod';
import { CALENDAR_KINDS } from './calendar.js';

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = z.string().regex(DATE_RE, 'date "YYYY-MM-DD"');

/** A calendar entry as staff and the config file write it. */
export const CalendarEntrySchema = z
  .strictObject({
    from: date,
    to: date.optional(),
    kind: z.enum(CALENDAR_KINDS),
    name: z.string().trim().min(1).max(64),
    followsWeekday: z.number().int().min(1).max(7).nullable().optional().describe('A make-up workday follows this weekday’s timetable (1 = Monday … 7 = Sunday).'),
  })
  .refine((e) => !e.to || e.to >= e.from, 'to must not be before from');

/** The school's shared facts: its time zone, regular school weekdays and first calendar. */
export const SchoolConfigSchema = z
  .strictObject({
    timeZone: z.string().min(1).default('Asia/Shanghai').describe('The school’s time zone: timetables, curfews, attendance days, schedules, operating hours, tariffs and daily totals use it.'),
    schoolDays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .default([1, 2, 3, 4, 5])
      .describe('Regular school weekdays, ISO: 1 = Monday … 7 = Sunday (the calendar’s holidays, make-up workdays and exam days override them).'),
    calendar: z
      .array(CalendarEntrySchema)
      .default([])
      .describe('Calendar entries imported on first start (later edited in the panel or sent by the cloud): {from, to?, kind: holiday|workday|exam, name, followsWeekday?}. "workday" is a make-up workday (调休).'),
  })
  .superRefine((c, ctx) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: c.timeZone });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['timeZone'], message: `未知时区 / unknown time zone ${c.timeZone}` });
    }
  })
  .prefault({})
  .describe('The school (学校): time zone, school weekdays and the one school calendar shared by gates, attendance and energy.');

export type SchoolConfig = z.infer<typeof SchoolConfigSchema>;
