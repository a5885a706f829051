import { z } from 'zod';
import { ATTENDANCE_STATUSES, DirectionSchema, ZONE_KINDS, type Direction } from './model.js';

/** Event types of gate access and attendance (the envelope's `type`). */
export const ACCESS_EVENTS = {
  /** Every decision at a gate: a scan, a bad frame from a reader, a guard override. */
  decision: 'access.decision',
  /** What the turnstile's pass sensor saw after an opening. */
  passage: 'access.passage',
  fireAlarm: 'access.fire_alarm',
  /** A reader or relay board went offline or came back. */
  device: 'access.device',
  /** A card was revoked (lost, replaced): the person's minimum card version went up. */
  card: 'access.card',
  roster: 'access.roster',
  leave: 'access.leave',
  pass: 'access.pass',
  /** A student came in without today's health declaration while the school requires one: the guard reminds them. */
  health: 'access.health',
} as const;

export const ATTENDANCE_EVENTS = {
  late: 'attendance.late',
  absent: 'attendance.absent',
  leftEarly: 'attendance.left_early',
  leftWithLeave: 'attendance.left_with_leave',
} as const;

export const CREDENTIAL_KIND_VALUES = ['card', 'visitor', 'pickup'] as const;

/** What the gate did after a decision. */
export const OPENING_RESULTS = ['pulsed', 'held-open', 'relay-failed', 'no-turnstile', 'closed'] as const;
export type OpeningResult = (typeof OPENING_RESULTS)[number];

/**
 * `data` of an `access.decision` event. Flat (strings, numbers, booleans, null) at the top
 * level so the reason text `reason.<code>` can use any field as a parameter; extra reason
 * parameters (validUntil, currentVersion, ...) are added beside these.
 */
export const AccessDecisionDataSchema = z
  .object({
    granted: z.boolean(),
    gate: z.string(),
    gateNo: z.number().int(),
    gateName: z.string(),
    zone: z.string(),
    zoneNo: z.number().int(),
    zoneKind: z.enum(ZONE_KINDS),
    direction: DirectionSchema,
    reader: z.string().nullable(),
    personId: z.string().nullable(),
    personName: z.string().nullable(),
    className: z.string().nullable(),
    /** Name and class for texts ("张三（初一 3班）"), or the pass/person id when nobody is known. */
    who: z.string(),
    credentialKind: z.enum(CREDENTIAL_KIND_VALUES).nullable(),
    kid: z.string().nullable(),
    cardVersion: z.number().int().nullable(),
    passId: z.number().int().nullable(),
    leaveId: z.number().int().nullable(),
    /** Guard override: who and why. */
    overrideBy: z.string().nullable(),
    overrideWhy: z.string().nullable(),
    opened: z.enum(OPENING_RESULTS),
    /** The reason in Chinese, for MQTT subscribers without the catalogue. */
    explanation: z.string(),
    /** Decisions folded into this one (a reader spewing garbage is recorded once per window). */
    suppressedBefore: z.number().int().nonnegative(),
  })
  .catchall(z.unknown());
export type AccessDecisionData = z.infer<typeof AccessDecisionDataSchema>;

export interface AccessPassageData {
  gate: string;
  gateName: string;
  direction: Direction;
  outcome: 'passed' | 'not-passed' | 'unexpected' | 'cancelled';
  personId: string | null;
  decisionId: string | null;
  seconds: number | null;
}

export interface AccessFireAlarmData {
  active: boolean;
  source: string;
  why: string | null;
  held: number;
  total: number;
  gatesNotOpen: string[];
}

export interface AccessDeviceData {
  device: string;
  deviceKind: 'reader' | 'relay-bus';
  gate: string | null;
  state: 'connecting' | 'open' | 'error' | 'closed';
  code: string | null;
}

/** Data of attendance.* events (late, absent, left early, …): the one schema the edge writes and the cloud reads. */
export const AttendanceEventDataSchema = z.object({
  /** School-local date of the school day, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date "YYYY-MM-DD"'),
  personId: z.string(),
  personName: z.string(),
  who: z.string(),
  classId: z.number().int().nullable(),
  className: z.string().nullable(),
  status: z.enum(ATTENDANCE_STATUSES),
  at: z.number().nullable(),
  gate: z.string().nullable(),
  leaveId: z.number().int().nullable(),
  zoneKind: z.enum(ZONE_KINDS).optional(),
});
export type AttendanceEventData = z.infer<typeof AttendanceEventDataSchema>;
