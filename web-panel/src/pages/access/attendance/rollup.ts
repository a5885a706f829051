import type { AttendanceCounts, AttendanceStatus, ClassAttendance, DayKind, StudentAttendance } from '@campus/protocol/access/index';

/** The order statuses are shown in: what needs a follow-up call first. */
export const STATUS_ORDER: readonly AttendanceStatus[] = ['absent', 'late', 'left_early', 'not_arrived', 'on_leave', 'left_with_leave', 'arrived'];

/** antd colours per status: red needs action, orange needs a look, green is fine. */
export const STATUS_COLOURS: Record<AttendanceStatus, string> = {
  absent: 'red',
  late: 'orange',
  left_early: 'volcano',
  not_arrived: 'default',
  on_leave: 'blue',
  left_with_leave: 'geekblue',
  arrived: 'green',
};

/** Students who came in today, whatever happened later (late, left with or without leave). */
export function cameToday(c: AttendanceCounts): number {
  return c.arrived + c.late + c.left_early + c.left_with_leave;
}

/**
 * Share of the students expected today who came, 0..100, rounded down so 99.6 % never
 * reads as everybody; students on leave are not expected. null when nobody is expected.
 */
export function turnoutPercent(c: AttendanceCounts): number | null {
  const expected = c.students - c.on_leave;
  if (expected <= 0) return null;
  return Math.floor((cameToday(c) * 100) / expected);
}

/** Days on which the edge takes attendance. */
export function takesAttendance(kind: DayKind): boolean {
  return kind === 'school_day' || kind === 'makeup_workday';
}

const collator = (locale: string) => new Intl.Collator(locale, { numeric: true });

/** By grade, then class, in the order a school lists them (初一 before 初二 is the grade id's job; "2班" before "10班"). */
export function sortClasses<C extends Pick<ClassAttendance, 'gradeId' | 'className'>>(classes: readonly C[], locale: string): C[] {
  const cmp = collator(locale);
  return [...classes].sort((a, b) => a.gradeId - b.gradeId || cmp.compare(a.className, b.className));
}

/** Students needing attention first (in STATUS_ORDER), then by id. */
export function sortStudents(students: readonly StudentAttendance[]): StudentAttendance[] {
  const rank = new Map(STATUS_ORDER.map((s, i) => [s, i]));
  return [...students].sort((a, b) => rank.get(a.status)! - rank.get(b.status)! || a.personId.localeCompare(b.personId));
}

export function withStatus(students: readonly StudentAttendance[], status: AttendanceStatus | null): StudentAttendance[] {
  return status === null ? [...students] : students.filter((s) => s.status === status);
}
