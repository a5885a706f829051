import * as z from 'zod/mini';
import type {
  AttendanceCounts,
  AttendanceDay,
  AttendanceStatus,
  CalendarView,
  ClassAttendance,
  ClassAttendanceDetail,
  DayKind,
  DeviceLinkView,
  Direction,
  FireAlarmView,
  GatesOverview,
  GateView,
  IssuedPass,
  LeaveView,
  PassView,
  PersonRole,
  PersonView,
  ReaderView,
  RelayBoardView,
  RosterImportReport,
  RosterProblemView,
  StudentAttendance,
  ZoneKind,
  ZoneView,
} from '@campus/protocol/access/index';
import { panelEventSchema } from './schemas';

/**
 * Schemas of the edge's /api/access answers (shapes in protocol/src/access/api.ts,
 * documented in docs/access-api.md), each pinned to its protocol type so a change
 * there fails the panel's type-check rather than rendering half a page.
 */

/** The panel may import only types from protocol: these lists mirror its constants. */
export const DIRECTIONS = ['in', 'out'] as const satisfies readonly Direction[];
export const PERSON_ROLES = ['student', 'guardian', 'teacher', 'staff', 'visitor'] as const satisfies readonly PersonRole[];
export const ZONE_KINDS = ['campus', 'dormitory', 'building'] as const satisfies readonly ZoneKind[];
export const DAY_KINDS = ['school_day', 'weekend', 'holiday', 'makeup_workday', 'outside_term'] as const satisfies readonly DayKind[];
export const ATTENDANCE_STATUSES = [
  'not_arrived',
  'arrived',
  'late',
  'absent',
  'on_leave',
  'left_early',
  'left_with_leave',
] as const satisfies readonly AttendanceStatus[];
const LINK_STATES = ['connecting', 'open', 'error', 'closed'] as const satisfies readonly DeviceLinkView['state'][];
const ANTI_PASSBACK = ['off', 'soft', 'strict'] as const satisfies readonly ZoneView['antiPassback'][];

// Each fails to compile when protocol grows a value the panel does not know yet.
type Missing<All, Known> = [Exclude<All, Known>] extends [never] ? true : false;
const _allKnown: [
  Missing<Direction, (typeof DIRECTIONS)[number]>,
  Missing<PersonRole, (typeof PERSON_ROLES)[number]>,
  Missing<ZoneKind, (typeof ZONE_KINDS)[number]>,
  Missing<DayKind, (typeof DAY_KINDS)[number]>,
  Missing<AttendanceStatus, (typeof ATTENDANCE_STATUSES)[number]>,
  Missing<DeviceLinkView['state'], (typeof LINK_STATES)[number]>,
] = [true, true, true, true, true, true];
void _allKnown;

const bilingual = z.object({ 'zh-CN': z.string(), en: z.string() });

// ---------------------------------------------------------------- people

export const personViewSchema: z.ZodMiniType<PersonView> = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.enum(PERSON_ROLES)),
  classId: z.nullable(z.number()),
  className: z.nullable(z.string()),
  gradeId: z.nullable(z.number()),
  gradeName: z.nullable(z.string()),
  boarder: z.boolean(),
  dormitoryZone: z.nullable(z.string()),
  phone: z.nullable(z.string()),
  active: z.boolean(),
  cardVersion: z.number(),
  minCardVersion: z.number(),
  hasPhoto: z.boolean(),
});

export const peoplePageSchema = z.object({ total: z.number(), people: z.array(personViewSchema) });
export const personAnswerSchema = z.object({ person: personViewSchema });

export interface ClassOption {
  id: number;
  name: string;
  students: number;
}
export interface GradeOption {
  id: number;
  name: string;
  classes: ClassOption[];
}

export const gradesSchema: z.ZodMiniType<{ grades: GradeOption[] }> = z.object({
  grades: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      classes: z.array(z.object({ id: z.number(), name: z.string(), students: z.number() })),
    }),
  ),
});

const rosterProblemSchema: z.ZodMiniType<RosterProblemView> = z.object({
  row: z.nullable(z.number()),
  column: z.nullable(z.string()),
  code: z.string(),
  message: bilingual,
});

export const rosterReportSchema: z.ZodMiniType<RosterImportReport> = z.object({
  ok: z.boolean(),
  imported: z.boolean(),
  total: z.number(),
  created: z.number(),
  updated: z.number(),
  guardianLinks: z.number(),
  errors: z.array(rosterProblemSchema),
  warnings: z.array(rosterProblemSchema),
});

// ---------------------------------------------------------------- gates

const linkSchema: z.ZodMiniType<DeviceLinkView> = z.object({
  id: z.string(),
  state: z.enum(LINK_STATES),
  since: z.number(),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
  reconnects: z.number(),
});

const readerSchema: z.ZodMiniType<ReaderView> = z.object({
  id: z.string(),
  gate: z.string(),
  direction: z.enum(DIRECTIONS),
  link: linkSchema,
  scans: z.number(),
  badFrames: z.number(),
  lastScanAt: z.nullable(z.number()),
});

const gateSchema: z.ZodMiniType<GateView> = z.object({
  id: z.string(),
  no: z.number(),
  name: z.string(),
  zone: z.string(),
  directions: z.array(z.enum(DIRECTIONS)),
  turnstile: z.nullable(
    z.object({
      board: z.string(),
      held: z.boolean(),
      awaiting: z.object({ in: z.number(), out: z.number() }),
    }),
  ),
  readers: z.array(readerSchema),
});

const zoneSchema: z.ZodMiniType<ZoneView> = z.object({
  id: z.string(),
  no: z.number(),
  name: z.string(),
  kind: z.enum(ZONE_KINDS),
  antiPassback: z.enum(ANTI_PASSBACK),
  passbackResetHour: z.number(),
});

const relayBoardSchema: z.ZodMiniType<RelayBoardView> = z.object({
  id: z.string(),
  link: linkSchema,
  held: z.array(z.number()),
  unconfirmed: z.array(z.number()),
  pulses: z.number(),
  failedCommands: z.number(),
});

export const fireAlarmSchema: z.ZodMiniType<FireAlarmView> = z.object({
  active: z.boolean(),
  source: z.nullable(z.string()),
  since: z.nullable(z.number()),
  confirmed: z.number(),
  total: z.number(),
  gatesNotOpen: z.array(z.string()),
});

export const gatesOverviewSchema: z.ZodMiniType<GatesOverview> = z.object({
  zones: z.array(zoneSchema),
  gates: z.array(gateSchema),
  relayBoards: z.array(relayBoardSchema),
  fireAlarm: fireAlarmSchema,
});

export const overrideAnswerSchema = z.object({ decision: panelEventSchema });
export const fireAlarmAnswerSchema = z.object({ fireAlarm: fireAlarmSchema });

/**
 * The `data` of an `access.decision` event, as far as the gate view reads it. Reason
 * parameters and fields added later pass through unread.
 */
export interface DecisionData {
  granted: boolean;
  gate: string;
  gateName: string;
  zoneName?: string;
  direction: Direction;
  reader: string | null;
  personId: string | null;
  personName: string | null;
  className: string | null;
  who: string;
  credentialKind: 'card' | 'visitor' | 'pickup' | null;
  passId: number | null;
  overrideBy: string | null;
  overrideWhy: string | null;
  overriddenDecision?: string | null;
  opened: 'pulsed' | 'held-open' | 'relay-failed' | 'no-turnstile' | 'closed';
  suppressedBefore: number;
}

export const decisionDataSchema: z.ZodMiniType<DecisionData> = z.object({
  granted: z.boolean(),
  gate: z.string(),
  gateName: z.string(),
  zoneName: z.optional(z.string()),
  direction: z.enum(DIRECTIONS),
  reader: z.nullable(z.string()),
  personId: z.nullable(z.string()),
  personName: z.nullable(z.string()),
  className: z.nullable(z.string()),
  who: z.string(),
  credentialKind: z.nullable(z.enum(['card', 'visitor', 'pickup'])),
  passId: z.nullable(z.number()),
  overrideBy: z.nullable(z.string()),
  overrideWhy: z.nullable(z.string()),
  overriddenDecision: z.optional(z.nullable(z.string())),
  opened: z.enum(['pulsed', 'held-open', 'relay-failed', 'no-turnstile', 'closed']),
  suppressedBefore: z.number(),
});

// ---------------------------------------------------------------- calendar, passes

/** The part of the calendar the panel reads: the school's time zone and what today is. */
export type SchoolToday = Pick<CalendarView, 'timeZone' | 'today'>;

export const schoolTodaySchema: z.ZodMiniType<SchoolToday> = z.object({
  timeZone: z.string(),
  today: z.object({ date: z.string(), kind: z.enum(DAY_KINDS) }),
});

const passViewSchema: z.ZodMiniType<PassView> = z.object({
  id: z.number(),
  kind: z.enum(['visitor', 'pickup']),
  status: z.enum(['active', 'cancelled']),
  visitorName: z.nullable(z.string()),
  phone: z.nullable(z.string()),
  purpose: z.nullable(z.string()),
  hostPersonId: z.nullable(z.string()),
  holderPersonId: z.nullable(z.string()),
  studentIds: z.array(z.string()),
  validFrom: z.number(),
  validUntil: z.number(),
  oneUse: z.boolean(),
  gates: z.array(z.string()),
  zones: z.array(z.string()),
  uses: z.object({ in: z.number(), out: z.number() }),
  createdBy: z.string(),
  createdAt: z.number(),
});

export const issuedPassSchema: z.ZodMiniType<IssuedPass> = z.object({
  pass: passViewSchema,
  credential: z.string(),
  qrSvg: z.string(),
});

export const passListSchema = z.object({ passes: z.array(passViewSchema) });
export const passAnswerSchema = z.object({ pass: passViewSchema });

// ---------------------------------------------------------------- leaves

const leaveViewSchema: z.ZodMiniType<LeaveView> = z.object({
  id: z.number(),
  personId: z.string(),
  personName: z.string(),
  className: z.nullable(z.string()),
  startsAt: z.number(),
  endsAt: z.number(),
  reason: z.string(),
  approvedBy: z.string(),
  status: z.enum(['approved', 'cancelled']),
  source: z.enum(['local', 'cloud']),
  createdBy: z.string(),
  createdAt: z.number(),
});

export const leaveListSchema = z.object({ leaves: z.array(leaveViewSchema) });
export const leaveAnswerSchema = z.object({ leave: leaveViewSchema });

// ---------------------------------------------------------------- attendance

const countsSchema: z.ZodMiniType<AttendanceCounts> = z.object({
  not_arrived: z.number(),
  arrived: z.number(),
  late: z.number(),
  absent: z.number(),
  on_leave: z.number(),
  left_early: z.number(),
  left_with_leave: z.number(),
  students: z.number(),
});

const classAttendanceShape = {
  classId: z.number(),
  className: z.string(),
  gradeId: z.number(),
  gradeName: z.string(),
  lateAfter: z.nullable(z.string()),
  counts: countsSchema,
};

const classAttendanceSchema: z.ZodMiniType<ClassAttendance> = z.object(classAttendanceShape);

export const attendanceDaySchema: z.ZodMiniType<AttendanceDay> = z.object({
  date: z.string(),
  dayKind: z.enum(DAY_KINDS),
  classes: z.array(classAttendanceSchema),
  totals: countsSchema,
});

const studentAttendanceSchema: z.ZodMiniType<StudentAttendance> = z.object({
  personId: z.string(),
  name: z.string(),
  boarder: z.boolean(),
  status: z.enum(ATTENDANCE_STATUSES),
  arrivedAt: z.nullable(z.number()),
  arrivedGate: z.nullable(z.string()),
  leftAt: z.nullable(z.number()),
  leaveId: z.nullable(z.number()),
});

export const classAttendanceDetailSchema: z.ZodMiniType<ClassAttendanceDetail> = z.object({
  ...classAttendanceShape,
  date: z.string(),
  dayKind: z.enum(DAY_KINDS),
  students: z.array(studentAttendanceSchema),
});
