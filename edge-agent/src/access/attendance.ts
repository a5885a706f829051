import type { NewEvent } from '@campus/protocol';
import {
  ATTENDANCE_EVENTS,
  ATTENDANCE_STATUSES,
  type AttendanceCounts,
  type AttendanceDay,
  type AttendanceEventData,
  type AttendanceStatus,
  type ClassAttendance,
  type ClassAttendanceDetail,
  type StudentAttendance,
} from '@campus/protocol/access/index';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/index.js';
import type { DaySchedule, SchoolCalendar } from '../school/calendar.js';
import type { Decision } from './decision.js';
import type { Leaves } from './leaves.js';
import { isStudentOnly, type PersonEntry } from './model.js';
import type { People } from './people.js';
import { formatTimeOfDay, inWindow } from '../school/time.js';

interface Row {
  day: string;
  person_id: string;
  arrived_at: number | null;
  arrived_gate: string | null;
  late: number;
  left_at: number | null;
  left_gate: string | null;
  left_early: number;
  leave_id: number | null;
}

interface AttendanceStatements {
  row: Statement<unknown[]>;
  arrive: Statement<unknown[]>;
  leave: Statement<unknown[]>;
}

function emptyCounts(): AttendanceCounts {
  const c = { students: 0 } as AttendanceCounts;
  for (const s of ATTENDANCE_STATUSES) c[s] = 0;
  return c;
}

/**
 * Daily attendance per student, derived from granted gate decisions on school days:
 * the first entry (late after the grade's threshold), the last exit (early without
 * leave during school hours, or with leave). Boarders live on campus, so any granted
 * scan of theirs before dismissal counts as arriving. Absences are announced once per
 * grade and day, after the late threshold, as `attendance.absent` events.
 */
export class Attendance {
  readonly #swept = new Set<string>();
  #statements: AttendanceStatements | null = null;

  constructor(
    private readonly db: Db,
    private readonly people: People,
    private readonly leaves: Leaves,
    private readonly calendar: SchoolCalendar,
    private readonly append: (events: NewEvent[]) => unknown,
  ) {}

  /** Called for every granted decision; emits late / left-early / left-with-leave events. */
  onDecision(d: Decision, at: number): void {
    const p = d.person;
    // An evacuation through open gates is not a school day's arrival or departure.
    if (!d.granted || d.reason === 'access.granted.fire_alarm' || !p || !isStudentOnly(p) || p.classId === null) return;
    const { date, minute } = this.calendar.time.local(at);
    if (!this.calendar.isSchoolDay(date)) return;
    const schedule = this.calendar.schedule(this.people.gradeOf(p), date);
    const campus = d.gate.zone.kind === 'campus';
    const st = this.#prepared();
    const row = st.row.get(date, p.id) as Row | undefined;
    const events: NewEvent[] = [];
    const arriving = campus ? d.direction === 'in' : p.boarder && (!schedule || minute < schedule.dismissalStart);
    if (arriving && !row?.arrived_at) {
      const late = schedule !== null && minute >= schedule.lateAfter;
      st.arrive.run(date, p.id, at, d.gate.id, late ? 1 : 0);
      if (late) events.push(this.#event('late', date, p, at, d.gate.id, null));
    }
    if (campus && d.direction === 'out') {
      const early = d.leaveId === null && schedule !== null && isSchoolHours(schedule, minute, p.boarder);
      st.leave.run(date, p.id, at, d.gate.id, early ? 1 : 0, d.leaveId);
      if (d.leaveId !== null) events.push(this.#event('left_with_leave', date, p, at, d.gate.id, d.leaveId));
      else if (early) events.push(this.#event('left_early', date, p, at, d.gate.id, null));
    }
    if (events.length > 0) this.append(events);
  }

  /** Announces absences for every grade whose late threshold has passed today. */
  sweep(now: number): number {
    const { date, minute } = this.calendar.time.local(now);
    if (!this.calendar.isSchoolDay(date)) return 0;
    const byGrade = new Map<number, PersonEntry[]>();
    let arrived: Map<string, Row> | null = null;
    let announced = 0;
    for (const grade of this.people.grades()) {
      const key = `${date}|${grade.id}`;
      if (this.#swept.has(key)) continue;
      const schedule = this.calendar.schedule(grade.id, date);
      if (!schedule || minute < schedule.lateAfter) continue;
      if (this.db.prepare('SELECT 1 FROM access_attendance_sweeps WHERE day = ? AND grade_id = ?').get(date, grade.id)) {
        this.#swept.add(key);
        continue;
      }
      if (byGrade.size === 0) {
        for (const p of this.people.all()) {
          if (!p.active || !isStudentOnly(p) || p.classId === null) continue;
          const g = this.people.gradeOf(p);
          if (g !== null) (byGrade.get(g) ?? byGrade.set(g, []).get(g)!).push(p);
        }
      }
      arrived ??= this.#rows(date);
      const dayStart = this.calendar.time.instant(date, schedule.entryStart);
      const dayEnd = this.calendar.time.instant(date, schedule.dismissalEnd);
      const events: NewEvent[] = [];
      for (const p of byGrade.get(grade.id) ?? []) {
        if (arrived.get(p.id)?.arrived_at) continue;
        if (this.leaves.overlapping(p.id, dayStart, dayEnd)) continue;
        events.push(this.#event('absent', date, p, null, null, null));
      }
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO access_attendance_sweeps (day, grade_id, at) VALUES (?, ?, ?)').run(date, grade.id, now);
        if (events.length > 0) this.append(events);
      })();
      this.#swept.add(key);
      announced += events.length;
    }
    return announced;
  }

  /**
   * On a day without school (weekend, holiday, outside the terms) nobody is expected:
   * no classes, every count 0, so no page can show "not arrived" or a 0 % turnout.
   */
  day(date: string, now: number): AttendanceDay {
    const dayKind = this.calendar.dayKind(date);
    if (!this.calendar.isSchoolDay(date)) return { date, dayKind, classes: [], totals: emptyCounts() };
    const rows = this.#rows(date);
    const byClass = new Map<number, ClassAttendance>();
    const totals = emptyCounts();
    for (const cls of this.people.classes()) byClass.set(cls.id, this.#classSummary(cls.id, date));
    for (const p of this.people.all()) {
      if (!p.active || !isStudentOnly(p) || p.classId === null) continue;
      const summary = byClass.get(p.classId);
      if (!summary) continue;
      const status = this.#status(p, rows.get(p.id), date, now).status;
      summary.counts[status]++;
      summary.counts.students++;
      totals[status]++;
      totals.students++;
    }
    return { date, dayKind, classes: [...byClass.values()].filter((c) => c.counts.students > 0), totals };
  }

  classDetail(classId: number, date: string, now: number): ClassAttendanceDetail | null {
    if (!this.people.class(classId)) return null;
    const rows = this.#rows(date);
    const summary = this.#classSummary(classId, date);
    const dayKind = this.calendar.dayKind(date);
    if (!this.calendar.isSchoolDay(date)) return { ...summary, date, dayKind, students: [] };
    const students: StudentAttendance[] = [];
    for (const p of this.people.all()) {
      if (p.classId !== classId || !p.active || !isStudentOnly(p)) continue;
      const s = this.#status(p, rows.get(p.id), date, now);
      summary.counts[s.status]++;
      summary.counts.students++;
      students.push(s);
    }
    students.sort((a, b) => a.personId.localeCompare(b.personId));
    return { ...summary, date, dayKind, students };
  }

  #classSummary(classId: number, date: string): ClassAttendance {
    const cls = this.people.class(classId)!;
    const grade = this.people.grade(cls.gradeId);
    const schedule = this.calendar.schedule(cls.gradeId, date);
    return {
      classId,
      className: cls.name,
      gradeId: cls.gradeId,
      gradeName: grade?.name ?? '',
      lateAfter: schedule ? formatTimeOfDay(schedule.lateAfter) : null,
      counts: emptyCounts(),
    };
  }

  #status(p: PersonEntry, row: Row | undefined, date: string, now: number): StudentAttendance {
    const base = { personId: p.id, name: p.name, boarder: p.boarder, arrivedAt: row?.arrived_at ?? null, arrivedGate: row?.arrived_gate ?? null, leftAt: row?.left_at ?? null, leaveId: row?.leave_id ?? null };
    let status: AttendanceStatus;
    if (row?.leave_id) status = 'left_with_leave';
    else if (row?.left_early) status = 'left_early';
    else if (row?.arrived_at) status = row.late ? 'late' : 'arrived';
    else {
      const schedule = this.calendar.schedule(this.people.gradeOf(p), date);
      if (!schedule) status = 'not_arrived';
      else {
        const lateAt = this.calendar.time.instant(date, schedule.lateAfter);
        const leave = this.leaves.overlapping(p.id, this.calendar.time.instant(date, schedule.entryStart), this.calendar.time.instant(date, schedule.dismissalEnd));
        status = leave ? 'on_leave' : now >= lateAt ? 'absent' : 'not_arrived';
        if (leave) base.leaveId = leave.id;
      }
    }
    return { ...base, status };
  }

  /** Prepared once: these run on every granted student scan. */
  #prepared(): AttendanceStatements {
    this.#statements ??= {
      row: this.db.prepare('SELECT * FROM access_attendance WHERE day = ? AND person_id = ?'),
      arrive: this.db.prepare(
        `INSERT INTO access_attendance (day, person_id, arrived_at, arrived_gate, late) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(day, person_id) DO UPDATE SET arrived_at = excluded.arrived_at, arrived_gate = excluded.arrived_gate, late = excluded.late`,
      ),
      leave: this.db.prepare(
        `INSERT INTO access_attendance (day, person_id, left_at, left_gate, left_early, leave_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(day, person_id) DO UPDATE SET left_at = excluded.left_at, left_gate = excluded.left_gate,
           left_early = max(left_early, excluded.left_early), leave_id = coalesce(excluded.leave_id, leave_id)`,
      ),
    };
    return this.#statements;
  }

  #rows(date: string): Map<string, Row> {
    return new Map((this.db.prepare('SELECT * FROM access_attendance WHERE day = ?').all(date) as Row[]).map((r) => [r.person_id, r]));
  }

  #event(kind: 'late' | 'absent' | 'left_early' | 'left_with_leave', day: string, p: PersonEntry, at: number | null, gate: string | null, leaveId: number | null): NewEvent {
    const className = this.people.className(p.classId);
    const data: AttendanceEventData = {
      day,
      personId: p.id,
      personName: p.name,
      who: className ? `${p.name}（${className}）` : p.name,
      classId: p.classId,
      className,
      status: kind,
      at,
      gate,
      leaveId,
    };
    const type = { late: ATTENDANCE_EVENTS.late, absent: ATTENDANCE_EVENTS.absent, left_early: ATTENDANCE_EVENTS.leftEarly, left_with_leave: ATTENDANCE_EVENTS.leftWithLeave }[kind];
    return { type, reason: type, severity: kind === 'left_with_leave' ? 'info' : 'notice', source: 'attendance', subject: p.id, data: { ...data } };
  }
}

/** Inside school hours and not in a lunch window this student may leave in. */
function isSchoolHours(s: DaySchedule, minute: number, boarder: boolean): boolean {
  if (minute < s.entryStart || minute >= s.dismissalStart) return false;
  return !s.lunch.some((l) => inWindow(minute, l.start, l.end) && (l.mayLeave === 'all_students' || (l.mayLeave === 'day_students' && !boarder)));
}
