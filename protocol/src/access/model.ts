import { z } from 'zod';

/**
 * The words of gate access shared by the edge, the cloud and the panel: who a person is
 * (one record, several roles), what kind of place a zone is, which way a gate is passed.
 */
export const PERSON_ROLES = ['student', 'guardian', 'teacher', 'staff', 'visitor'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];
export const PersonRoleSchema = z.enum(PERSON_ROLES);

/** campus: the school's outer gates; dormitory: a boarding house; building: a teaching or office building. */
export const ZONE_KINDS = ['campus', 'dormitory', 'building'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

export const DIRECTIONS = ['in', 'out'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const DirectionSchema = z.enum(DIRECTIONS);

/** off: no check; soft: let through but record a warning; strict: refuse a second entry (or exit) in a row. */
export const ANTI_PASSBACK_MODES = ['off', 'soft', 'strict'] as const;
export type AntiPassbackMode = (typeof ANTI_PASSBACK_MODES)[number];

export const GUARDIAN_RELATIONS = ['father', 'mother', 'grandfather', 'grandmother', 'guardian', 'other'] as const;
export type GuardianRelation = (typeof GUARDIAN_RELATIONS)[number];

/** Gate and zone numbers are the short numbers printed on the gate list and carried by passes. */
export const PLACE_NO_MAX = 16_383;
export const PlaceNoSchema = z.number().int().min(1).max(PLACE_NO_MAX);

/** Times of day in the school's time zone, "HH:MM" (24 h). */
export const TIME_OF_DAY_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
export const TimeOfDaySchema = z.string().regex(TIME_OF_DAY_RE, 'time of day as HH:MM, e.g. 07:40');

/** Calendar dates in the school's time zone, "YYYY-MM-DD". */
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const DateSchema = z
  .string()
  .regex(DATE_RE, 'date as YYYY-MM-DD')
  .refine((d) => {
    // 2027-13-40 is no Date at all (toISOString would throw); 2027-02-30 rolls over to March.
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'no such date');

/** What a day is in the school calendar. A 调休 make-up workday is a weekend day with classes. */
export const DAY_KINDS = ['school_day', 'weekend', 'holiday', 'makeup_workday', 'outside_term'] as const;
export type DayKind = (typeof DAY_KINDS)[number];

/**
 * Per-student daily attendance, derived from gate decisions. not_arrived: before the late
 * threshold, no entry yet; absent: after it; on_leave: absent with an approved leave.
 */
export const ATTENDANCE_STATUSES = ['not_arrived', 'arrived', 'late', 'absent', 'on_leave', 'left_early', 'left_with_leave'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];
