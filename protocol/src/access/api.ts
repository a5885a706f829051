import { z } from 'zod';
import { PersonIdSchema } from '../credentials/schema.js';
import { PanelEventSchema } from '../events/panel.js';
import { PhoneSchema } from '../phone.js';
import {
  ANTI_PASSBACK_MODES,
  ATTENDANCE_STATUSES,
  DAY_KINDS,
  DIRECTIONS,
  DateSchema,
  DirectionSchema,
  GUARDIAN_RELATIONS,
  PERSON_ROLES,
  PersonRoleSchema,
  TimeOfDaySchema,
  ZONE_KINDS,
  type AttendanceStatus,
} from './model.js';

/**
 * Request bodies and response shapes of the edge's gate-access API (/api/access/...).
 * The edge validates requests with these schemas and declares the answers' schemas as
 * its routes' response schemas (checked under test, shown in /api/openapi.json); the
 * panel compiles against the types (`import type`). Documented in docs/access-api.md.
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
/** A phone typed in a form: canonical (see protocol/phone), or none when left empty. */
const phone = z.union([z.string().trim().max(0).transform(() => null), PhoneSchema]).nullable();
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (max 64)');

// ---------------------------------------------------------------- people

export const NewPersonSchema = z.strictObject({
  id: PersonIdSchema.describe('学号/工号, as printed on the card'),
  name,
  roles: z.array(PersonRoleSchema).min(1).max(PERSON_ROLES.length),
  classId: z.number().int().positive().nullable().default(null),
  boarder: z.boolean().default(false),
  dormitoryZone: id.nullable().default(null).describe('Zone id of the boarder’s dormitory'),
  phone: phone.default(null),
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
  phone: phone.optional(),
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

export const PersonViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(PersonRoleSchema),
  classId: z.number().int().nullable(),
  className: z.string().nullable(),
  gradeId: z.number().int().nullable(),
  gradeName: z.string().nullable(),
  boarder: z.boolean(),
  dormitoryZone: z.string().nullable(),
  phone: z.string().nullable(),
  active: z.boolean(),
  /** Version of the newest card issued. */
  cardVersion: z.number().int(),
  /** Cards below this version are refused (revoked). */
  minCardVersion: z.number().int(),
  hasPhoto: z.boolean(),
});
export type PersonView = z.infer<typeof PersonViewSchema>;

export const GuardianLinkViewSchema = z.object({
  studentId: z.string(),
  studentName: z.string(),
  guardianId: z.string(),
  guardianName: z.string(),
  relation: z.enum(GUARDIAN_RELATIONS),
  mayPickUp: z.boolean(),
  receivesNotices: z.boolean(),
});
export type GuardianLinkView = z.infer<typeof GuardianLinkViewSchema>;

export const CardViewSchema = z.object({
  version: z.number().int(),
  issuedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
  revokedWhy: z.string().nullable(),
});
export type CardView = z.infer<typeof CardViewSchema>;

// ---------------------------------------------------------------- roster import

export const RosterImportSchema = z.strictObject({
  fileName: z.string().min(1).max(255).regex(/\.(csv|xlsx)$/i, 'a .csv or .xlsx file'),
  contentBase64: z.string().min(1).max(16 * 1024 * 1024),
  dryRun: z.boolean().default(false).describe('Validate only; import nothing'),
});

export const RosterProblemViewSchema = z.object({
  /** Spreadsheet row (header = 1), or null for the whole file. */
  row: z.number().int().nullable(),
  column: z.string().nullable(),
  code: z.string(),
  message: z.object({ 'zh-CN': z.string(), en: z.string() }),
});
export type RosterProblemView = z.infer<typeof RosterProblemViewSchema>;

export const RosterImportReportSchema = z.object({
  ok: z.boolean(),
  imported: z.boolean(),
  total: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  guardianLinks: z.number().int(),
  errors: z.array(RosterProblemViewSchema),
  warnings: z.array(RosterProblemViewSchema),
});
export type RosterImportReport = z.infer<typeof RosterImportReportSchema>;

// ---------------------------------------------------------------- places

export const ZoneViewSchema = z.object({
  id: z.string(),
  no: z.number().int(),
  name: z.string(),
  kind: z.enum(ZONE_KINDS),
  antiPassback: z.enum(ANTI_PASSBACK_MODES),
  passbackResetHour: z.number().int(),
});
export type ZoneView = z.infer<typeof ZoneViewSchema>;

export const DeviceLinkViewSchema = z.object({
  id: z.string(),
  state: z.enum(['connecting', 'open', 'error', 'closed']),
  since: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  reconnects: z.number().int(),
});
export type DeviceLinkView = z.infer<typeof DeviceLinkViewSchema>;

export const ReaderViewSchema = z.object({
  id: z.string(),
  gate: z.string(),
  direction: z.enum(DIRECTIONS),
  link: DeviceLinkViewSchema,
  scans: z.number().int(),
  badFrames: z.number().int(),
  lastScanAt: z.number().nullable(),
});
export type ReaderView = z.infer<typeof ReaderViewSchema>;

export const GateViewSchema = z.object({
  id: z.string(),
  no: z.number().int(),
  name: z.string(),
  zone: z.string(),
  directions: z.array(z.enum(DIRECTIONS)),
  turnstile: z.object({ board: z.string(), held: z.boolean(), awaiting: z.object({ in: z.number().int(), out: z.number().int() }) }).nullable(),
  readers: z.array(ReaderViewSchema),
});
export type GateView = z.infer<typeof GateViewSchema>;

export const RelayBoardViewSchema = z.object({
  id: z.string(),
  link: DeviceLinkViewSchema,
  held: z.array(z.number().int()),
  unconfirmed: z.array(z.number().int()),
  pulses: z.number().int(),
  failedCommands: z.number().int(),
});
export type RelayBoardView = z.infer<typeof RelayBoardViewSchema>;

export const FireAlarmViewSchema = z.object({
  active: z.boolean(),
  source: z.string().nullable(),
  since: z.number().nullable(),
  confirmed: z.number().int(),
  total: z.number().int(),
  gatesNotOpen: z.array(z.string()),
});
export type FireAlarmView = z.infer<typeof FireAlarmViewSchema>;

export const GatesOverviewSchema = z.object({
  zones: z.array(ZoneViewSchema),
  gates: z.array(GateViewSchema),
  relayBoards: z.array(RelayBoardViewSchema),
  fireAlarm: FireAlarmViewSchema,
});
export type GatesOverview = z.infer<typeof GatesOverviewSchema>;

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

export const CalendarViewSchema = z.object({
  timeZone: z.string(),
  today: z.object({ date: z.string(), kind: z.enum(DAY_KINDS) }),
  terms: z.array(TermSchema),
  days: z.array(SpecialDaySchema.extend({ date: z.string() })),
  timetables: z.array(TimetableSchema),
  curfews: z.array(CurfewSchema),
});
export type CalendarView = z.infer<typeof CalendarViewSchema>;

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

export const LeaveViewSchema = z.object({
  id: z.number().int(),
  personId: z.string(),
  personName: z.string(),
  className: z.string().nullable(),
  startsAt: z.number(),
  endsAt: z.number(),
  reason: z.string(),
  approvedBy: z.string(),
  status: z.enum(['approved', 'cancelled']),
  source: z.enum(['local', 'cloud']),
  createdBy: z.string(),
  createdAt: z.number(),
});
export type LeaveView = z.infer<typeof LeaveViewSchema>;

export const PersonDetailSchema = PersonViewSchema.extend({
  guardians: z.array(GuardianLinkViewSchema),
  wards: z.array(GuardianLinkViewSchema),
  cards: z.array(CardViewSchema),
  leaves: z.array(LeaveViewSchema),
});
export type PersonDetail = z.infer<typeof PersonDetailSchema>;

export const CancelSchema = z.strictObject({ why: text(200).min(1) });

// ---------------------------------------------------------------- passes

export const NewVisitorPassSchema = z.strictObject({
  kind: z.literal('visitor'),
  visitorName: name,
  phone: phone.default(null),
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

export const PassViewSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['visitor', 'pickup']),
  status: z.enum(['active', 'cancelled']),
  visitorName: z.string().nullable(),
  phone: z.string().nullable(),
  purpose: z.string().nullable(),
  hostPersonId: z.string().nullable(),
  holderPersonId: z.string().nullable(),
  studentIds: z.array(z.string()),
  validFrom: z.number(),
  validUntil: z.number(),
  oneUse: z.boolean(),
  gates: z.array(z.string()),
  zones: z.array(z.string()),
  uses: z.object({ in: z.number().int(), out: z.number().int() }),
  createdBy: z.string(),
  createdAt: z.number(),
});
export type PassView = z.infer<typeof PassViewSchema>;

export const IssuedPassSchema = z.object({
  pass: PassViewSchema,
  /** The QR text ("SC1:..."), to print or show on a phone. */
  credential: z.string(),
  /** The QR as an SVG document. */
  qrSvg: z.string(),
});
export type IssuedPass = z.infer<typeof IssuedPassSchema>;

// ---------------------------------------------------------------- attendance

export const AttendanceQuerySchema = z.strictObject({ date: DateSchema.optional().describe('School day; default today') });

export const StudentAttendanceSchema = z.object({
  personId: z.string(),
  name: z.string(),
  boarder: z.boolean(),
  status: z.enum(ATTENDANCE_STATUSES),
  arrivedAt: z.number().nullable(),
  arrivedGate: z.string().nullable(),
  leftAt: z.number().nullable(),
  leaveId: z.number().int().nullable(),
});
export type StudentAttendance = z.infer<typeof StudentAttendanceSchema>;

export const AttendanceCountsSchema = z.object({
  students: z.number().int(),
  ...(Object.fromEntries(ATTENDANCE_STATUSES.map((s) => [s, z.number().int()])) as Record<AttendanceStatus, z.ZodNumber>),
});
export type AttendanceCounts = Record<AttendanceStatus, number> & { students: number };

export const ClassAttendanceSchema = z.object({
  classId: z.number().int(),
  className: z.string(),
  gradeId: z.number().int(),
  gradeName: z.string(),
  lateAfter: z.string().nullable(),
  counts: AttendanceCountsSchema,
});
export type ClassAttendance = z.infer<typeof ClassAttendanceSchema>;

export const AttendanceDaySchema = z.object({
  date: z.string(),
  dayKind: z.enum(DAY_KINDS),
  classes: z.array(ClassAttendanceSchema),
  totals: AttendanceCountsSchema,
});
export type AttendanceDay = z.infer<typeof AttendanceDaySchema>;

export const ClassAttendanceDetailSchema = ClassAttendanceSchema.extend({
  date: z.string(),
  dayKind: z.enum(DAY_KINDS),
  students: z.array(StudentAttendanceSchema),
});
export type ClassAttendanceDetail = z.infer<typeof ClassAttendanceDetailSchema>;

// ---------------------------------------------------------------- route answers

export const PeopleAnswerSchema = z.object({ total: z.number().int(), people: z.array(PersonViewSchema) });
export const PersonAnswerSchema = z.object({ person: PersonViewSchema });
export const PersonDetailAnswerSchema = z.object({ person: PersonDetailSchema });
export const ClassesAnswerSchema = z.object({
  grades: z.array(z.object({ id: z.number().int(), name: z.string(), classes: z.array(z.object({ id: z.number().int(), name: z.string(), students: z.number().int() })) })),
});
export const GateOverrideAnswerSchema = z.object({ decision: PanelEventSchema });
export const FireAlarmAnswerSchema = z.object({ fireAlarm: FireAlarmViewSchema });
export const LeavesAnswerSchema = z.object({ leaves: z.array(LeaveViewSchema) });
export const LeaveAnswerSchema = z.object({ leave: LeaveViewSchema });
export const PassesAnswerSchema = z.object({ passes: z.array(PassViewSchema) });
export const PassAnswerSchema = z.object({ pass: PassViewSchema });

