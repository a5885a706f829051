import { z } from 'zod';

/**
 * The district report (教育局): what the cloud answers at GET /api/staff/district/report
 * and the console's district page shows. Counts and rates per school and month only —
 * nothing in it names or identifies a child. Rates are 0..1 (null without school days).
 */
const rate = z.number().min(0).max(1).nullable();

export const SchoolFiguresSchema = z.object({
  schoolId: z.string(),
  name: z.string(),
  /** Active students on the cloud roster (latest roll-up in the range). */
  students: z.number().int(),
  schoolDays: z.number().int(),
  /**
   * Pupil-days present: per school-day, the distinct students on the roster with a granted
   * entry the edges uploaded (exact, not roster minus absences).
   */
  present: z.number().int(),
  /** Pupil-days present / expected pupil-days (roster students × school days). */
  attendanceRate: rate,
  /** Absence events (the edge's attendance sweep) / expected pupil-days. */
  absenceRate: rate,
  /** Late arrivals (the edge's attendance sweep, from its timetable) per pupil-day present. */
  lateRate: rate,
  late: z.number().int(),
  absent: z.number().int(),
  leftEarly: z.number().int(),
  entries: z.number().int(),
  /** Refused scans + forced passages + fire alarms. */
  gateIncidents: z.number().int(),
  gateRefused: z.number().int(),
  gateForced: z.number().int(),
  fireAlarms: z.number().int(),
  energyKwh: z.number(),
  energyKwhPerPupil: z.number().nullable(),
  afterHoursKwh: z.number(),
  afterHoursShare: rate,
  usbBlocked: z.number().int(),
  /** Bus stops reached with a timetable time (bus boxes), and of those on time (≤ 5 min late). */
  busArrivals: z.number().int(),
  busOnTime: z.number().int(),
  /** busOnTime / busArrivals; null without timed arrivals (see `unavailable`). */
  busPunctuality: rate,
  /** Work orders (报修) submitted, done, confirmed by the requester; SLA breaches escalated. */
  repairsOpened: z.number().int(),
  repairsDone: z.number().int(),
  repairsConfirmed: z.number().int(),
  repairsSlaBreached: z.number().int(),
  /** Mean requester rating (1–5) of confirmed orders; null without ratings. */
  repairRating: z.number().nullable(),
});
export type SchoolFigures = z.infer<typeof SchoolFiguresSchema>;

export const DistrictMonthSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/),
  attendanceRate: rate,
  lateRate: rate,
  energyKwh: z.number(),
  afterHoursKwh: z.number(),
  gateIncidents: z.number().int(),
  usbBlocked: z.number().int(),
  busPunctuality: rate,
  repairsOpened: z.number().int(),
});

export const DistrictReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  schools: z.array(SchoolFiguresSchema),
  total: SchoolFiguresSchema.omit({ schoolId: true, name: true }).extend({ schools: z.number().int() }),
  months: z.array(DistrictMonthSchema),
  /** What the cloud cannot report from what it stores (said, not guessed), in both languages. */
  unavailable: z.array(z.object({ id: z.string(), text: z.object({ 'zh-CN': z.string(), en: z.string() }) })),
});
export type DistrictReport = z.infer<typeof DistrictReportSchema>;
