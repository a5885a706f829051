import { z } from 'zod';
import { PhoneSchema } from '../phone.js';
import { PERSON_ROLES, TimeOfDaySchema } from '../access/model.js';
import { PolicyTargetSchema } from '../usb/policy.js';
import { PolicyContentSchema } from '../usb/policy-content.js';
import { BUS_RECORD_SCHEMAS } from '../bus/records.js';

/**
 * Records the cloud owns (when a cloud is configured) and sends down to every edge of
 * the school through the change feed. One record = one owner (DESIGN.md §3): the edge
 * never edits these, it only applies them. Keys are the cloud's stable ids.
 */
export const RECORD_KINDS = [
  'person',
  'guardianship',
  'card',
  'leave',
  'visitor_pass',
  'calendar',
  'timetable',
  'usb_policy',
  // The school bus (protocol/bus/records.ts): the transport manager's records.
  'bus_vehicle',
  'bus_route',
  'bus_assignment',
  'bus_stop_change',
  'pickup_person',
  'bus_trip',
  // Health (晨检/申报): who declared today, and whether the school requires it (the gate reminds the guard).
  'health_declaration',
  'health_policy',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const ms = z.number().int().nonnegative();

export const PersonRecordSchema = z.object({
  name: z.string().min(1).max(64),
  /** A person is one record with several roles: a teacher can also be a parent. */
  roles: z.array(z.enum(PERSON_ROLES)).min(1),
  classId: z.string().max(64).optional(),
  /** Mainland mobile number; guardians sign in to the parent app with it. */
  phone: PhoneSchema.optional(),
  wechatOpenId: z.string().max(64).optional(),
  active: z.boolean().default(true),
});

export const GuardianshipRecordSchema = z.object({
  studentId: z.string().min(1).max(128),
  guardianId: z.string().min(1).max(128),
  relation: z.string().min(1).max(32),
  mayPickUp: z.boolean(),
  receivesNotices: z.boolean(),
});

/** Revocation is by card version: a card whose version is below the record's is refused. */
export const CardRecordSchema = z.object({
  personId: z.string().min(1).max(128),
  version: z.number().int().nonnegative(),
  revoked: z.boolean(),
  validUntil: ms.nullable().optional(),
});

export const LeaveRecordSchema = z.object({
  personId: z.string().min(1).max(128),
  from: ms,
  until: ms,
  reason: z.string().max(200).optional(),
  approvedBy: z.string().max(128).optional(),
});

export const VisitorPassRecordSchema = z.object({
  name: z.string().min(1).max(64),
  phone: PhoneSchema.optional(),
  host: z.string().max(128).optional(),
  validFrom: ms,
  validUntil: ms,
  gates: z.array(z.string().max(64)).optional(),
});

export const CalendarRecordSchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  kind: z.enum(['school_day', 'holiday', 'makeup_day']),
  /** Local time by which students count as on time, "HH:MM". */
  entryBy: z.string().regex(/^\d{2}:\d{2}$/).optional(),
  note: z.string().max(200).optional(),
});

/**
 * A grade's timetable (作息时间): when the gates open for its students, after when an
 * arrival is late, and when dismissal starts and ends. `grade` is the grade as class ids
 * name it ("初二" of "初二-3班"); `weekday` null is every school day, 1..7 (Monday = 1)
 * overrides that day. Keys are the cloud's ids (ASCII), so one grade may carry several
 * records, one per weekday; the cloud refuses a second record for the same grade and
 * weekday. On the edge, cloud timetables take the place of the edge's own for that grade
 * and weekday (lunch windows stay the edge's).
 */
export const TimetableRecordSchema = z
  .object({
    grade: z.string().trim().min(1).max(32),
    weekday: z.number().int().min(1).max(7).nullable().default(null),
    entryStart: TimeOfDaySchema,
    lateAfter: TimeOfDaySchema,
    dismissalStart: TimeOfDaySchema,
    dismissalEnd: TimeOfDaySchema,
  })
  .superRefine((t, ctx) => {
    if (!(t.entryStart <= t.lateAfter && t.lateAfter <= t.dismissalStart && t.dismissalStart <= t.dismissalEnd)) {
      ctx.addIssue({ code: 'custom', path: ['lateAfter'], message: 'times must be in order: entryStart ≤ lateAfter ≤ dismissalStart ≤ dismissalEnd' });
    }
  });

/**
 * A USB policy written in the cloud: the same `{ target, content }` IT pushes in the
 * panel (protocol/usb). The cloud refuses a record the edge could not push; the edge
 * checks again with this schema when it applies one.
 */
export const UsbPolicyRecordSchema = z.strictObject({ target: PolicyTargetSchema, content: PolicyContentSchema });

/** A guardian declared the child's health for the school day `date` (one record per child, replaced each day; no health facts in it). */
export const HealthDeclarationRecordSchema = z.object({
  personId: z.string().min(1).max(128),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

/** The school's epidemic switch: a declaration is required before school (one record, key "school"). */
export const HealthPolicyRecordSchema = z.object({ requireDeclaration: z.boolean() });

export const RECORD_SCHEMAS = {
  person: PersonRecordSchema,
  guardianship: GuardianshipRecordSchema,
  card: CardRecordSchema,
  leave: LeaveRecordSchema,
  visitor_pass: VisitorPassRecordSchema,
  calendar: CalendarRecordSchema,
  timetable: TimetableRecordSchema,
  usb_policy: UsbPolicyRecordSchema,
  ...BUS_RECORD_SCHEMAS,
  health_declaration: HealthDeclarationRecordSchema,
  health_policy: HealthPolicyRecordSchema,
} as const satisfies Record<RecordKind, z.ZodType>;

export type RecordData<K extends RecordKind> = z.infer<(typeof RECORD_SCHEMAS)[K]>;

export const RecordKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and _.:- only');
