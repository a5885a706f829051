import { describe, expect, it } from 'vitest';
import type { AttendanceCounts, StudentAttendance } from '@campus/protocol/access/index';
import { cameToday, sortClasses, sortStudents, takesAttendance, turnoutPercent, withStatus } from '../../src/pages/access/attendance/rollup';

const counts = (c: Partial<AttendanceCounts>): AttendanceCounts => ({
  not_arrived: 0,
  arrived: 0,
  late: 0,
  absent: 0,
  on_leave: 0,
  left_early: 0,
  left_with_leave: 0,
  students: 0,
  ...c,
});

describe('turnout', () => {
  it('counts everyone who came in, whatever happened later', () => {
    expect(cameToday(counts({ arrived: 30, late: 2, left_early: 1, left_with_leave: 1, absent: 3, on_leave: 2, not_arrived: 5 }))).toBe(34);
  });

  it('leaves students on leave out of the expected, and never rounds up to 100 %', () => {
    expect(turnoutPercent(counts({ students: 4, arrived: 1, late: 1, absent: 1, on_leave: 1 }))).toBe(66);
    expect(turnoutPercent(counts({ students: 1000, arrived: 999, absent: 1 }))).toBe(99);
    expect(turnoutPercent(counts({ students: 3, arrived: 3 }))).toBe(100);
  });

  it('has no turnout when nobody is expected', () => {
    expect(turnoutPercent(counts({}))).toBeNull();
    expect(turnoutPercent(counts({ students: 2, on_leave: 2 }))).toBeNull();
  });
});

describe('takesAttendance', () => {
  it('is true on school days and 调休 make-up days only', () => {
    expect(['school_day', 'makeup_workday', 'weekend', 'holiday', 'outside_term'].map((k) => takesAttendance(k as never))).toEqual([true, true, false, false, false]);
  });
});

describe('sortClasses', () => {
  it('orders by grade, then class with numbers in natural order', () => {
    const classes = [
      { gradeId: 2, className: '1班' },
      { gradeId: 1, className: '10班' },
      { gradeId: 1, className: '2班' },
    ];
    expect(sortClasses(classes, 'zh-CN')).toEqual([
      { gradeId: 1, className: '2班' },
      { gradeId: 1, className: '10班' },
      { gradeId: 2, className: '1班' },
    ]);
  });
});

describe('students', () => {
  const s = (personId: string, status: StudentAttendance['status']): StudentAttendance => ({
    personId,
    name: personId,
    boarder: false,
    status,
    arrivedAt: null,
    arrivedGate: null,
    leftAt: null,
    leaveId: null,
  });
  const list = [s('03', 'arrived'), s('02', 'late'), s('05', 'absent'), s('01', 'arrived'), s('04', 'on_leave')];

  it('puts those who need a call first, then by student id', () => {
    expect(sortStudents(list).map((x) => x.personId)).toEqual(['05', '02', '04', '01', '03']);
  });

  it('filters by status, or not at all', () => {
    expect(withStatus(list, 'arrived').map((x) => x.personId)).toEqual(['03', '01']);
    expect(withStatus(list, null)).toHaveLength(5);
  });
});
