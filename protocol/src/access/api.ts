import { z } from 'zod';
import { PersonIdSchema } from '../credentials/schema.js';
import {
  DateSchema,
  DirectionSchema,
  GUARDIAN_RELATIONS,
  PERSON_ROLES,
  PersonRoleSchema,
  TimeOfDaySchema,
  type AntiPassbackMode,
  type AttendanceStatus,
  type DayKind,
  type Direction,
  type GuardianRelation,
  type PersonRole,
  type ZoneKind,
} from './model.js';

/**
 * Request bodies and response shapes of the edge's gate-access API (/api/access/...).
 * The edge validates with these schemas; the panel compiles against the types
 * (`import type`). Documented in docs/access-api.md.
 */

/** An instant: ms since the epoch, or ISO 8601 text. Text without an offset is school-local time. */
export const InstantSchema = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/, 'ISO time, e.g. 2026-09-01T10:30 (school time) or 2026-09-01T02:30Z'),
]);
export type Instant = z.infer<typeof InstantSchema>;

const name = z.string().trim().min(1).max(32);
const text = (max: number) => z.string().trim().max(max);
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (max 64)');

// ---------------------------------------------------------------- people

export const NewPersonSchema = z.strictObject({
  id: PersonIdSchema.describe('学号/工号, as printed on the card'),
  name,
  roles: z.array(PersonRoleSchema).min(1).max(PERSON_ROLES.length),
  classId: z.number().int().positive().nullable().default(null),
  boarder: z.boolean().default(false),
  dormitoryZone: id.nullable().default(null).describe('Zone id of the boarder’s dormitory'),
  phone: text(20).nullable().default(null),
  active: z.boolean().default(true),
  cardVersion: z.number().int().min(0).max(16_383).default(0).describe('Version of the card in the person’s hand; 0 = none issued yet'),
});
export type NewPerson = z.input<typeof NewPersonSchema>;

export const PatchPersonSchema = z.strictObject({
  name: name.optional(),
  roles: z.array(PersonRoleSchema).min(1).max(PERSON_ROLES.length).optional(),
  classId: z.number().int().positive().nullable().optional(),
  boarder: z.boolean().optional(),
  dormitoryZone: id.nullable().optional(),
  phone: text(20).nullable().optional(),
  active: z.boolean().optional(),
});
export type PatchPerson = z.input<typeof PatchPersonSchema>;

export const GuardianLinkSchema = z.strictObject({
  relation: z.enum(GUARDIAN_RELATIONS),
  mayPickUp: z.boolean().default(true),
  receivesNotices: z.boolean().default(true),
});
export type GuardianLinkInput = z.input<typeof GuardianLinkSchema>;

export const RevokeCardSchema = z.strictObject({
  why: text(200).min(1).describe('e.g. 挂失 (reported lost)'),
});

export const RegisterCardSchema = z.strictObject({
  version: z.number().int().min(1).max(16_383),
});

export const PeopleQuerySchema = z.strictObject({
  q: text(32).optional().describe('Name or id contains'),
  classId: z.coerce.number().int().positive().optional(),
  role: PersonRoleSchema.optional(),
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface PersonView {
  id: string;
  name: string;
  roles: PersonRole[];
  classId: number | null;
  className: string | null;
  gradeId: number | null;
  gradeName: string | null;
  boarder: boolean;
  dormitoryZone: string | null;
  phone: string | null;
  active: boolean;
  /** Version of the newest card issued. */
  cardVersion: number;
  /** Cards below this version are refused (revoked). */
  minCardVersion: number;
  hasPhoto: boolean;
}

export interface GuardianLinkView {
  studentId: string;
  studentName: string;
  guardianId: string;
  guardianName: string;
  relation: GuardianRelation;
  mayPickUp: boolean;
  receivesNotices: boolean;
}

export interface CardView {
  version: number;
  issuedAt: number | null;
  revokedAt: number | null;
  revokedWhy: string | null;
}

export interface PersonDetail extends PersonView {
  guardians: GuardianLinkView[];
  wards: GuardianLinkView[];
  cards: CardView[];
  leaves: LeaveView[];
}

// ---------------------------------------------------------------- roster import

export const RosterImportSchema = z.strictObject({
  fileName: z.string().min(1).max(255).regex(/\.(csv|xlsx)$/i, 'a .csv or .xlsx file'),
  contentBase64: z.string().min(1).max(16 * 1024 * 1024),
  dryRun: z.boolean().default(false).describe('Validate only; import nothing'),
});

export interface RosterProblemView {
  /** Spreadsheet row (header = 1), or null for the whole file. */
  row: number | null;
  column: string | null;
  code: string;
  message: { 'zh-CN': string; en: string };
}

export interface RosterImportReport {
  ok: boolean;
  imported: boolean;
  total: number;
  created: number;
  updated: number;
  guardianLinks: number;
  errors: RosterProblemView[];
  warnings: RosterProblemView[];
}

// ---------------------------------------------------------------- places

export interface ZoneView {
  id: string;
  no: number;
  name: string;
  kind: ZoneKind;
  antiPassback: AntiPassbackMode;
  passbackResetHour: number;
}

export interface DeviceLinkView {
  id: string;
  state: 'connecting' | 'open' | 'error' | 'closed';
  since: number;
  error: { code: string; message: string } | null;
  reconnects: number;
}

export interface ReaderView {
  id: string;
  gate: string;
  direction: Direction;
  link: DeviceLinkView;
  scans: number;
  badFrames: number;
  lastScanAt: number | null;
}

export interface GateView {
  id: string;
  no: number;
  name: string;
  zone: string;
  directions: Direction[];
  turnstile: { board: string; held: boolean; awaiting: { in: number; out: number } } | null;
  readers: ReaderView[];
}

export interface RelayBoardView {
  id: string;
  link: DeviceLinkView;
  held: number[];
  unconfirmed: number[];
  pulses: number;
  failedCommands: number;
}

export interface FireAlarmView {
  active: boolean;
  source: string | null;
  since: number | null;
  confirmed: number;
  total: number;
  gatesNotOpen: string[];
}

export interface GatesOverview {
  zones: ZoneView[];
  gates: GateView[];
  relayBoards: RelayBoardView[];
  fireAlarm: FireAlarmView;
}

export const OpenGateSchema = z.strictObject({
  direction: DirectionSchema,
  why: text(200).min(1).describe('Why the guard opens the gate (recorded)'),
  personId: PersonIdSchema.optional().describe('Who was let through, if known'),
  decisionId: z.string().max(64).optional().describe('The refused decision being overridden'),
});

export const FireAlarmSchema = z.strictObject({
  active: z.boolean(),
  why: text(200).min(1),
});

// ---------------------------------------------------------------- calendar

export const TermSchema = z.strictObject({
  name: name,
  startDate: DateSchema,
  endDate: DateSchema,
});
export const TermsSchema = z.strictObject({ terms: z.array(TermSchema).max(20) });

export const SpecialDaySchema = z.strictObject({
  kind: z.enum(['holiday', 'makeup_workday']),
  name: text(32).min(1),
  /** A 调休 make-up day follows this weekday’s timetable (1 = Monday ... 7 = Sunday). */
  followsWeekday: z.number().int().min(1).max(7).nullable().default(null),
});

export const LunchWindowSchema = z.strictObject({
  start: TimeOfDaySchema,
  end: TimeOfDaySchema,
  /** Who may leave campus in this window without a leave record. */
  mayLeave: z.enum(['none', 'day_students', 'all_students']).default('day_students'),
});

export const TimetableSchema = z.strictObject({
  gradeId: z.number().int().positive(),
  /** null: every school day; 1..7: only this weekday (overrides the default). */
  weekday: z.number().int().min(1).max(7).nullable().default(null),
  entryStart: TimeOfDaySchema.describe('Gates open for students'),
  lateAfter: TimeOfDaySchema.describe('Arrivals after this are late'),
  dismissalStart: TimeOfDaySchema.describe('School hours end: students may leave from here'),
  dismissalEnd: TimeOfDaySchema,
  lunch: z.array(LunchWindowSchema).max(3).default([]),
});
export const TimetablesSchema = z.strictObject({ timetables: z.array(TimetableSchema).max(200) });

export const CurfewSchema = z.strictObject({
  zone: id.describe('Dormitory zone id'),
  /** curfew: boarders may not leave, a return is recorded as late; closed: nobody enters (class time). */
  kind: z.enum(['curfew', 'closed']),
  start: TimeOfDaySchema,
  end: TimeOfDaySchema,
  days: z.enum(['all', 'school_days']).default('all'),
});
export const CurfewsSchema = z.strictObject({ curfews: z.array(CurfewSchema).max(100) });

export type Term = z.infer<typeof TermSchema>;
export type SpecialDay = z.infer<typeof SpecialDaySchema> & { date: string };
export type Timetable = z.infer<typeof TimetableSchema>;
export type LunchWindow = z.infer<typeof LunchWindowSchema>;
export type Curfew = z.infer<typeof CurfewSchema>;

export interface CalendarView {
  timeZone: string;
  today: { date: string; kind: DayKind };
  terms: Term[];
  days: SpecialDay[];
  timetables: Timetable[];
  curfews: Curfew[];
}

// ---------------------------------------------------------------- leaves

export const NewLeaveSchema = z
  .strictObject({
    personId: PersonIdSchema,
    startsAt: InstantSchema,
    endsAt: InstantSchema,
    reason: text(200).min(1),
    approvedBy: text(32).min(1).describe('Who approved it, e.g. the head teacher'),
  });

export const LeavesQuerySchema = z.strictObject({
  date: DateSchema.optional().describe('Leaves overlapping this school day'),
  from: DateSchema.optional().describe('Leaves that have not ended before this school day (this day and later)'),
  personId: PersonIdSchema.optional(),
  classId: z.coerce.number().int().positive().optional(),
  includeCancelled: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export interface LeaveView {
  id: number;
  personId: string;
  personName: string;
  className: string | null;
  startsAt: number;
  endsAt: number;
  reason: string;
  approvedBy: string;
  status: 'approved' | 'cancelled';
  source: 'local' | 'cloud';
  createdBy: string;
  createdAt: number;
}

export const CancelSchema = z.strictObject({ why: text(200).min(1) });

// ---------------------------------------------------------------- passes

export const NewVisitorPassSchema = z.strictObject({
  kind: z.literal('visitor'),
  visitorName: name,
  phone: text(20).nullable().default(null),
  purpose: text(100).nullable().default(null),
  hostPersonId: PersonIdSchema,
  validFrom: InstantSchema,
  validUntil: InstantSchema,
  oneUse: z.boolean().default(true),
  gates: z.array(id).max(4).default([]).describe('Gate ids; with zones at least one place'),
  zones: z.array(id).max(4).default([]),
});

export const NewPickupPassSchema = z.strictObject({
  kind: z.literal('pickup'),
  holderPersonId: PersonIdSchema,
  studentIds: z.array(PersonIdSchema).min(1).max(10),
  validFrom: InstantSchema,
  validUntil: InstantSchema,
  oneUse: z.boolean().default(false),
});

export const NewPassSchema = z.discriminatedUnion('kind', [NewVisitorPassSchema, NewPickupPassSchema]);

export const PassesQuerySchema = z.strictObject({
  kind: z.enum(['visitor', 'pickup']).optional(),
  status: z.enum(['active', 'cancelled', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export interface PassView {
  id: number;
  kind: 'visitor' | 'pickup';
  status: 'active' | 'cancelled';
  visitorName: string | null;
  phone: string | null;
  purpose: string | null;
  hostPersonId: string | null;
  holderPersonId: string | null;
  studentIds: string[];
  validFrom: number;
  validUntil: number;
  oneUse: boolean;
  gates: string[];
  zones: string[];
  uses: { in: number; out: number };
  createdBy: string;
  createdAt: number;
}

export interface IssuedPass {
  pass: PassView;
  /** The QR text ("SC1:..."), to print or show on a phone. */
  credential: string;
  /** The QR as an SVG document. */
  qrSvg: string;
}

// ---------------------------------------------------------------- attendance

export const AttendanceQuerySchema = z.strictObject({ date: DateSchema.optional().describe('School day; default today') });

export interface StudentAttendance {
  personId: string;
  name: string;
  boarder: boolean;
  status: AttendanceStatus;
  arrivedAt: number | null;
  arrivedGate: string | null;
  leftAt: number | null;
  leaveId: number | null;
}

export type AttendanceCounts = Record<AttendanceStatus, number> & { students: number };

export interface ClassAttendance {
  classId: number;
  className: string;
  gradeId: number;
  gradeName: string;
  lateAfter: string | null;
  counts: AttendanceCounts;
}

export interface AttendanceDay {
  date: string;
  dayKind: DayKind;
  classes: ClassAttendance[];
  totals: AttendanceCounts;
}

export interface ClassAttendanceDetail extends ClassAttendance {
  date: string;
  dayKind: DayKind;
  students: StudentAttendance[];
}

