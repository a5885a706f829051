import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shanghai } from '@campus/testkit';
import { baseDecision, deny, grant } from '../../src/access/decision.js';
import { passbackCheck, periodStart } from '../../src/access/rules/anti-passback.js';
import { campusExit, dormitory } from '../../src/access/rules/time-rules.js';
import { addDays, inWindow, parseTimeOfDay, weekdayOf } from '../../src/school/time.js';
import { engineFixture, type EngineFixture } from './engine-fixture.js';

/**
 * The gate's decision engine and each rule function on their own: inputs in, a decision
 * with its reason code out, no edge booted. Times are Shanghai wall times; 2026-09-07 is
 * a Monday. Each rule is probed on both sides of its boundaries.
 */
const m = parseTimeOfDay;
let f: EngineFixture;
beforeEach(() => {
  f = engineFixture();
});
afterEach(() => f.close());

describe('school time helpers', () => {
  it('a window is [start, end); one whose end is not after its start crosses midnight', () => {
    expect([m('07:59'), m('08:00'), m('11:49'), m('11:50')].map((x) => inWindow(x, m('08:00'), m('11:50')))).toEqual([false, true, true, false]);
    expect([m('22:29'), m('22:30'), m('23:59'), m('00:00'), m('05:59'), m('06:00')].map((x) => inWindow(x, m('22:30'), m('06:00')))).toEqual([false, true, true, true, true, false]);
  });

  it('days and weekdays are calendar arithmetic (Monday = 1, Sunday = 7)', () => {
    expect(weekdayOf('2026-09-07')).toBe(1);
    expect(weekdayOf('2026-09-13')).toBe(7);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('decision records', () => {
  it('a refusal drops the effects a grant would have written', () => {
    const d = baseDecision(f.gates.east, 'in');
    expect(d).toMatchObject({ granted: false, reason: '', identified: false, personId: null, effects: {} });
    d.effects.passback = { zone: 'campus', personId: 'x' };
    expect(grant(d, 'access.granted', { a: 1 })).toMatchObject({ granted: true, reason: 'access.granted', severity: 'info', params: { a: 1 } });
    expect(deny(d, 'access.curfew', { curfewStart: '22:30' }, 'warning')).toMatchObject({ granted: false, reason: 'access.curfew', severity: 'warning', effects: {}, params: { a: 1, curfewStart: '22:30' } });
  });
});

describe('anti-passback rule', () => {
  it('the period starts at the reset hour today, or yesterday before it', () => {
    expect(periodStart(f.time, shanghai('2026-09-08 02:59'), 3)).toBe(shanghai('2026-09-07 03:00'));
    expect(periodStart(f.time, shanghai('2026-09-08 03:00'), 3)).toBe(shanghai('2026-09-08 03:00'));
  });

  it('a repeat is the same direction in the same period; off zones never repeat', () => {
    const { passback, time, zones } = f;
    passback.record('campus', 'S1', 'in', shanghai('2026-09-07 07:10'));
    expect(passbackCheck(passback, time, zones.campus, 'S1', 'in', shanghai('2026-09-08 02:59'))).toBe('repeat');
    expect(passbackCheck(passback, time, zones.campus, 'S1', 'in', shanghai('2026-09-08 03:00'))).toBe('ok');
    expect(passbackCheck(passback, time, zones.campus, 'S1', 'out', shanghai('2026-09-07 08:00'))).toBe('ok');
    expect(passbackCheck(passback, time, zones.campus, 'S2', 'in', shanghai('2026-09-07 08:00'))).toBe('ok');
    passback.record('dorm-b', 'S1', 'in', shanghai('2026-09-07 07:10'));
    expect(passbackCheck(passback, time, zones.dormB, 'S1', 'in', shanghai('2026-09-07 07:11'))).toBe('ok');
  });

  it('restore() undoes a passage nobody made, unless a newer one happened', () => {
    const { passback } = f;
    const t1 = shanghai('2026-09-07 07:10');
    const prev = passback.record('campus', 'S1', 'in', t1);
    const t2 = shanghai('2026-09-07 16:40');
    const before = passback.record('campus', 'S1', 'out', t2);
    passback.restore('campus', 'S1', t2, before);
    expect(passback.last('campus', 'S1')).toEqual({ direction: 'in', at: t1 });
    passback.restore('campus', 'S1', t2, prev); // stale: the state is no longer the one recorded at t2
    expect(passback.last('campus', 'S1')).toEqual({ direction: 'in', at: t1 });
    passback.load(); // written through to SQLite
    expect(passback.last('campus', 'S1')).toEqual({ direction: 'in', at: t1 });
  });
});

describe('campus exit rule (students leaving through a campus gate)', () => {
  const exit = (id: string, local: string) => {
    const p = f.people.get(id)!;
    return campusExit(f.calendar, f.leaves, p, f.people.gradeOf(p), shanghai(local));
  };

  it('school hours run from entry to dismissal; lunch lets day students out in [12:00, 13:00)', () => {
    f.person('D1');
    expect(exit('D1', '2026-09-07 06:59')).toEqual({ ok: true });
    expect(exit('D1', '2026-09-07 07:00')).toEqual({ ok: false, reason: 'access.school_hours', params: { dismissalStart: '16:30' } });
    expect(exit('D1', '2026-09-07 11:59').ok).toBe(false);
    expect(exit('D1', '2026-09-07 12:00')).toEqual({ ok: true });
    expect(exit('D1', '2026-09-07 12:59')).toEqual({ ok: true });
    expect(exit('D1', '2026-09-07 13:00').ok).toBe(false);
    expect(exit('D1', '2026-09-07 16:29').ok).toBe(false);
    expect(exit('D1', '2026-09-07 16:30')).toEqual({ ok: true });
  });

  it('boarders need leave on a school day, but go home after dismissal before a day without school', () => {
    f.person('B1', { boarder: true, dormitoryZone: 'dorm-a' });
    expect(exit('B1', '2026-09-07 12:10')).toEqual({ ok: false, reason: 'access.boarder_needs_leave', params: {} });
    expect(exit('B1', '2026-09-07 17:00').ok).toBe(false); // Tuesday is a school day
    expect(exit('B1', '2026-09-11 16:29').ok).toBe(false); // Friday, before dismissal
    expect(exit('B1', '2026-09-11 16:30')).toEqual({ ok: true }); // Friday after dismissal
    f.calendar.setSpecialDay({ date: '2026-09-08', kind: 'holiday', name: '校庆', followsWeekday: null });
    expect(exit('B1', '2026-09-07 17:00')).toEqual({ ok: true }); // a holiday follows
  });

  it('a leave covers [startsAt, endsAt) and is named in the verdict', () => {
    f.person('D1');
    const leave = f.leaves.create({ personId: 'D1', startsAt: shanghai('2026-09-07 09:30'), endsAt: shanghai('2026-09-07 11:00'), reason: '看病', approvedBy: '陈老师', source: 'local', createdBy: 'test' });
    expect(exit('D1', '2026-09-07 09:29').ok).toBe(false);
    expect(exit('D1', '2026-09-07 09:30')).toEqual({ ok: true, reason: 'access.granted.leave', leaveId: leave.id });
    expect(exit('D1', '2026-09-07 10:59')).toEqual({ ok: true, reason: 'access.granted.leave', leaveId: leave.id });
    expect(exit('D1', '2026-09-07 11:00').ok).toBe(false);
    f.leaves.cancel(leave.id, '家长改期');
    expect(exit('D1', '2026-09-07 10:00').ok).toBe(false);
  });

  it('follows the calendar: weekends, holidays, 调休 make-up days with their weekday’s timetable, terms', () => {
    f.person('D1');
    // A Thursday-only timetable: dismissal at 15:00 instead of 16:30.
    f.calendar.replaceTimetables([
      ...f.calendar.timetables(),
      { gradeId: f.grade1.gradeId, weekday: 4, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '15:00', dismissalEnd: '17:00', lunch: [] },
    ]);
    expect(exit('D1', '2026-09-12 10:00')).toEqual({ ok: true }); // Saturday
    f.calendar.setSpecialDay({ date: '2026-10-01', kind: 'holiday', name: '国庆节', followsWeekday: null });
    expect(exit('D1', '2026-10-01 10:00')).toEqual({ ok: true }); // Thursday, holiday
    f.calendar.setSpecialDay({ date: '2026-10-10', kind: 'makeup_workday', name: '国庆调休', followsWeekday: 4 });
    expect(exit('D1', '2026-10-10 10:00').ok).toBe(false); // Saturday make-up day: a school day
    expect(exit('D1', '2026-10-10 14:59')).toMatchObject({ ok: false, params: { dismissalStart: '15:00' } }); // Thursday's timetable
    expect(exit('D1', '2026-10-10 15:00')).toEqual({ ok: true });
    f.calendar.replaceTerms([{ name: '2026秋季学期', startDate: '2026-09-01', endDate: '2027-01-20' }]);
    expect(exit('D1', '2027-01-20 10:00').ok).toBe(false); // last day of term
    expect(exit('D1', '2027-01-21 10:00')).toEqual({ ok: true }); // winter break
  });
});

describe('dormitory rule (curfew and closed hours)', () => {
  const door = (id: string, direction: 'in' | 'out', local: string) => dormitory(f.calendar, f.curfews, f.leaves, f.people.get(id)!, f.zones.dorm, direction, shanghai(local));
  beforeEach(() => {
    f.person('B1', { boarder: true, dormitoryZone: 'dorm-a' });
    f.curfews.replace([
      { zone: 'dorm-a', kind: 'curfew', start: '22:30', end: '06:00', days: 'school_days' },
      { zone: 'dorm-a', kind: 'closed', start: '08:00', end: '11:50', days: 'school_days' },
    ]);
  });

  it('the curfew crosses midnight: nobody leaves, a return is a late return', () => {
    expect(door('B1', 'out', '2026-09-07 22:29')).toEqual({ ok: true });
    expect(door('B1', 'out', '2026-09-07 22:30')).toEqual({ ok: false, reason: 'access.curfew', params: { curfewStart: '22:30', curfewEnd: '06:00' } });
    expect(door('B1', 'out', '2026-09-08 05:59').ok).toBe(false);
    expect(door('B1', 'out', '2026-09-08 06:00')).toEqual({ ok: true });
    expect(door('B1', 'in', '2026-09-07 23:00')).toEqual({ ok: true, reason: 'access.granted.late_return' });
  });

  it('a school-days window belongs to the day it started', () => {
    // Saturday 01:00: the window started on Friday night, a school day.
    expect(door('B1', 'out', '2026-09-12 01:00').reason).toBe('access.curfew');
    // Saturday 23:00 and Monday 01:00 (started Sunday night): no school day, no curfew.
    expect(door('B1', 'out', '2026-09-12 23:00')).toEqual({ ok: true });
    expect(door('B1', 'out', '2026-09-14 01:00')).toEqual({ ok: true });
    // Sunday night before a 调休 make-up Monday? The start day decides: Sunday is no school day.
    f.calendar.setSpecialDay({ date: '2026-09-13', kind: 'makeup_workday', name: '调休', followsWeekday: 1 });
    expect(door('B1', 'out', '2026-09-13 23:00').reason).toBe('access.curfew');
  });

  it('closed hours keep everyone out on school days; a leave lets a boarder in; the way out stays open', () => {
    expect(door('B1', 'in', '2026-09-07 07:59')).toEqual({ ok: true });
    expect(door('B1', 'in', '2026-09-07 08:00')).toEqual({ ok: false, reason: 'access.dormitory_closed', params: { closedStart: '08:00', closedEnd: '11:50' } });
    expect(door('B1', 'out', '2026-09-07 09:00')).toEqual({ ok: true });
    expect(door('B1', 'in', '2026-09-07 11:50')).toEqual({ ok: true });
    expect(door('B1', 'in', '2026-09-12 09:00')).toEqual({ ok: true }); // Saturday
    const leave = f.leaves.create({ personId: 'B1', startsAt: shanghai('2026-09-07 09:00'), endsAt: shanghai('2026-09-07 10:00'), reason: '发烧', approvedBy: '宿管', source: 'local', createdBy: 'test' });
    expect(door('B1', 'in', '2026-09-07 09:30')).toEqual({ ok: true, reason: 'access.granted.leave', leaveId: leave.id });
    expect(door('B1', 'out', '2026-09-07 23:00')).toMatchObject({ ok: false, reason: 'access.curfew' });
  });
});

describe('the decision engine', () => {
  it('grants a genuine card at the right gate and hands back the passback write', () => {
    f.person('S1');
    const d = f.decide(f.issuer.card('S1'), f.gates.east, 'in', '2026-09-07T07:10');
    expect(d).toMatchObject({ granted: true, reason: 'access.granted', severity: 'info', identified: true, personId: 'S1', credentialKind: 'card', kid: 'K1', cardVersion: 1 });
    expect(d.effects).toEqual({ passback: { zone: 'campus', personId: 'S1' } });
  });

  it('refuses before reading the card when the gate does not go that way', () => {
    f.person('S1');
    expect(f.decide(f.issuer.card('S1'), f.gates.exitOnly, 'in')).toMatchObject({ granted: false, reason: 'access.direction_not_allowed', identified: false });
  });

  it('refuses forged and unknown-key cards without naming anyone; a kind the key may not sign is refused', () => {
    f.person('S1');
    const stranger = new (f.issuer.constructor as new (kid: string) => typeof f.issuer)('K9');
    expect(f.decide(stranger.card('S1'), f.gates.east, 'in')).toMatchObject({ reason: 'credential.unknown_key', severity: 'warning', identified: false });
    const card = f.issuer.card('S1');
    const forged = card.slice(0, -3) + (card.endsWith('AAA') ? 'BBB' : 'AAA');
    expect(f.decide(forged, f.gates.east, 'in')).toMatchObject({ granted: false, identified: false });
    expect(f.decide(f.visitorIssuer.card('S1'), f.gates.east, 'in')).toMatchObject({ granted: false, reason: 'access.key_not_allowed', params: { kid: 'V1' }, severity: 'warning' });
  });

  it('a revoked card version is refused, the reissued one is granted', () => {
    f.person('S1');
    const old = f.issuer.card('S1', 1);
    f.people.revokeCard('S1', '丢失');
    const d = f.decide(old, f.gates.east, 'in', '2026-09-07T07:10');
    expect(d).toMatchObject({ granted: false, reason: 'credential.revoked', severity: 'warning', identified: true, personId: 'S1', params: { cardVersion: 1, currentVersion: 2 } });
    expect(f.decide(f.issuer.card('S1', 2), f.gates.east, 'in')).toMatchObject({ granted: true, cardVersion: 2 });
  });

  it('checks who: unknown, inactive, a role the zone does not admit, boarders only in dormitories', () => {
    f.person('S1');
    f.person('X1', { active: false });
    f.person('G1', { roles: ['guardian'], classId: null });
    f.person('B1', { boarder: true, dormitoryZone: 'dorm-a' });
    f.person('B2', { boarder: true, dormitoryZone: 'dorm-b' });
    f.person('T1', { roles: ['teacher'], classId: null });
    expect(f.decide(f.issuer.card('NOBODY'), f.gates.east, 'in').reason).toBe('access.person_unknown');
    expect(f.decide(f.issuer.card('X1'), f.gates.east, 'in').reason).toBe('access.person_inactive');
    expect(f.decide(f.issuer.card('G1'), f.gates.east, 'in').reason).toBe('access.role_not_allowed');
    expect(f.decide(f.issuer.card('T1'), f.gates.dormDoor, 'in', '2026-09-07T20:00').reason).toBe('access.role_not_allowed');
    expect(f.decide(f.issuer.card('S1'), f.gates.dormDoor, 'in').reason).toBe('access.not_boarder');
    expect(f.decide(f.issuer.card('B2'), f.gates.dormDoor, 'in').reason).toBe('access.wrong_dormitory');
    expect(f.decide(f.issuer.card('B1'), f.gates.dormDoor, 'in').reason).toBe('access.granted');
  });

  it('strict passback refuses a repeat (no write); soft lets it through with a notice; teachers pass in school hours', () => {
    f.person('S1', { boarder: true, dormitoryZone: 'dorm-a' });
    f.person('T1', { roles: ['teacher'], classId: null });
    f.passback.record('campus', 'S1', 'in', shanghai('2026-09-07 07:10'));
    const again = f.decide(f.issuer.card('S1'), f.gates.east, 'in', '2026-09-07T07:20');
    expect(again).toMatchObject({ granted: false, reason: 'access.anti_passback.in', severity: 'warning', effects: {} });
    expect(f.decide(f.issuer.card('S1'), f.gates.east, 'in', '2026-09-08T03:00').reason).toBe('access.granted');
    f.passback.record('dorm-a', 'S1', 'in', shanghai('2026-09-08 12:00'));
    expect(f.decide(f.issuer.card('S1'), f.gates.dormDoor, 'in', '2026-09-08T12:05')).toMatchObject({ granted: true, reason: 'access.granted.passback_soft', severity: 'notice' });
    expect(f.decide(f.issuer.card('T1'), f.gates.east, 'out', '2026-09-08T10:00').reason).toBe('access.granted');
  });

  it('applies the time rules to students only, and reports the leave it used', () => {
    f.person('S1');
    expect(f.decide(f.issuer.card('S1'), f.gates.east, 'out', '2026-09-07T10:00')).toMatchObject({ granted: false, reason: 'access.school_hours', params: { dismissalStart: '16:30' } });
    const leave = f.leaves.create({ personId: 'S1', startsAt: shanghai('2026-09-07 09:30'), endsAt: shanghai('2026-09-07 12:00'), reason: '看病', approvedBy: '陈老师', source: 'local', createdBy: 'test' });
    expect(f.decide(f.issuer.card('S1'), f.gates.east, 'out', '2026-09-07T10:00')).toMatchObject({ granted: true, reason: 'access.granted.leave', leaveId: leave.id });
  });

  it('the fire alarm opens every gate for a genuine card, even against the rules', () => {
    f.person('S1');
    f.setFireAlarm(true);
    expect(f.decide(f.issuer.card('S1'), f.gates.east, 'out', '2026-09-07T10:00')).toMatchObject({ granted: true, reason: 'access.granted.fire_alarm' });
    expect(f.decide(f.issuer.card('NOBODY'), f.gates.east, 'out').reason).toBe('access.granted.fire_alarm');
    expect(f.decide('SC1:garbage', f.gates.east, 'out').granted).toBe(false);
  });

  it('visitor passes: their places, their window, one use each way, cancellation', () => {
    const from = shanghai('2026-09-07 13:00');
    const until = shanghai('2026-09-07 18:00');
    const qr = f.visitorIssuer.visitor({ passId: 7, from, until, oneUse: true, gates: [2], zones: [] });
    f.passes.create({ id: 7, kind: 'visitor', visitorName: '快递员', phone: null, purpose: null, hostPersonId: 'T001', holderPersonId: null, studentIds: [], validFrom: from, validUntil: until, oneUse: true, gates: ['exit-only'], zones: [], credential: qr, createdBy: 'guard1' });
    expect(f.decide(qr, f.gates.east, 'out', '2026-09-07T14:00').reason).toBe('access.pass_wrong_gate');
    expect(f.decide(qr, f.gates.exitOnly, 'out', '2026-09-07T12:59').reason).toBe('credential.not_yet_valid');
    const ok = f.decide(qr, f.gates.exitOnly, 'out', '2026-09-07T14:00');
    expect(ok).toMatchObject({ granted: true, reason: 'access.granted.visitor', passId: 7, effects: { passUse: { passId: 7 } }, extra: { visitorName: '快递员', hostPersonId: 'T001' } });
    f.passes.recordUse(7, 'out', 'exit-only');
    expect(f.decide(qr, f.gates.exitOnly, 'out', '2026-09-07T14:05')).toMatchObject({ granted: false, reason: 'access.pass_used', severity: 'warning' });
    f.passes.cancel(7, '已离校');
    expect(f.decide(qr, f.gates.exitOnly, 'out').reason).toBe('access.pass_cancelled');
    expect(f.decide(qr, f.gates.exitOnly, 'out', '2026-09-07T18:01').reason).toBe('credential.expired');
    const dormOnly = f.visitorIssuer.visitor({ passId: 8, from, until, zones: [3] });
    expect(f.decide(dormOnly, f.gates.east, 'in', '2026-09-07T14:00').reason).toBe('access.pass_wrong_zone');
  });
});
