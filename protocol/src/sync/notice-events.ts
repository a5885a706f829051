import { z } from 'zod';

/**
 * Edge events the cloud turns into guardian notices. The edge's access domain emits
 * `access.decision` for every gate scan; the cloud notifies only on granted passes.
 * The envelope's `subject` is the person key of the student (as in the roster).
 */
export const NOTICE_EVENT_TYPES = {
  gatePass: 'access.decision',
  late: 'attendance.late',
  absent: 'attendance.absent',
} as const;

/**
 * The fields of `access.decision` data (protocol/src/access/events.ts) the cloud reads.
 * Only passes through a campus gate (zoneKind "campus", or no zone given) are entries and
 * exits; dormitory and building doors are not.
 */
export type GatePassData = z.infer<typeof GatePassDataSchema>;

export const GatePassDataSchema = z.object({
  direction: z.enum(['in', 'out']),
  granted: z.boolean(),
  /** Gate id. */
  gate: z.string().max(64).optional(),
  /** Gate name as staff and parents know it ("东门"), shown in the notice. */
  gateName: z.string().max(64).optional(),
  zoneKind: z.string().max(32).optional(),
});

export function gateLabel(d: GatePassData): string | undefined {
  return d.gateName ?? d.gate;
}

export const AttendanceDataSchema = z.object({
  /** Local date of the school day, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** For late: minutes after the bell. */
  minutesLate: z.number().int().nonnegative().optional(),
});

/** Kinds of notice a guardian can switch on or off in the parent app. */
export const NOTICE_KINDS = ['entry', 'exit', 'late', 'absence', 'safety'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
