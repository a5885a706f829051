import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/edge.js';
import { FakeClock, TestIssuer, seedSchool, startAccessEdge } from './helpers.js';

const sh = (local: string) => Date.parse(`${local}+08:00`);

/**
 * The decision rules one by one on a real edge (SQLite, HTTP API) with a fake clock in
 * Shanghai time. ROSTER_CSV: 2026010001/2/4 day students, 2026010003 boarder in 宿舍A栋,
 * T001 teacher, P001 guardian. 初一: entry 07:00, late 07:30, dismissal 16:30, lunch
 * 12:00–13:00 for day students. Campus: strict anti-passback (reset 03:00); dorm: soft.
 */
describe('decision rules', () => {
  const clock = new FakeClock(sh('2026-09-07T07:10:00')); // Monday
  const issuer = new TestIssuer('K1');
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let guard: ApiClient;

  beforeAll(async () => {
    env = await startAccessEdge({ gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus' }, { id: 'exit-only', no: 2, name: '南门出口', zone: 'campus', directions: ['out'] }, { id: 'dorm-a-door', no: 3, name: '宿舍A栋门', zone: 'dorm-a' }] }, { clock, issuer, edge: { users: [{ username: 'guard1', password: 'guard-password-1', roles: ['security'] }] } });
    await seedSchool(env.admin);
    guard = new ApiClient(env.edge.httpUrl);
    await guard.login('guard1', 'guard-password-1');
    const curfews = await env.admin.req('PUT', '/api/access/curfews', {
      curfews: [
        { zone: 'dorm-a', kind: 'curfew', start: '22:30', end: '06:00' },
        { zone: 'dorm-a', kind: 'closed', start: '08:00', end: '11:50', days: 'school_days' },
      ],
    });
    expect(curfews.status).toBe(200);
  });
  afterAll(async () => env.cleanup());

  /** Moves the school's clock; sessions follow the edge clock, so sign in again after a jump. */
  const at = async (local: string) => {
    clock.set(`${local}+08:00`);
    await env.admin.login('admin', 'admin-password-1');
    await guard.login('guard1', 'guard-password-1');
  };
  const decide = async (gate: string, direction: 'in' | 'out', text: string) => (await env.edge.access.runtime!.decide(env.edge.access.gates.get(gate)!, direction, text, null))!;
  const reason = async (gate: string, direction: 'in' | 'out', text: string) => (await decide(gate, direction, text)).reason;

  it('checks who: unknown, inactive, a role that may not enter', async () => {
    await at('2026-09-07T07:10');
    expect(await reason('east', 'in', issuer.card('2026999999'))).toBe('access.person_unknown');
    expect(await reason('east', 'in', issuer.card('P001'))).toBe('access.role_not_allowed');
    await env.admin.req('PATCH', '/api/access/people/2026010004', { active: false });
    expect(await reason('east', 'in', issuer.card('2026010004'))).toBe('access.person_inactive');
    await env.admin.req('PATCH', '/api/access/people/2026010004', { active: true });
    expect(await reason('east', 'in', issuer.card('2026010004'))).toBe('access.granted');
  });

  it('checks the gate’s directions', async () => {
    expect(await reason('exit-only', 'in', issuer.card('T001'))).toBe('access.direction_not_allowed');
  });

  it('strict anti-passback refuses a second entry until the reset hour; a teacher may leave any time', async () => {
    await at('2026-09-07T07:12');
    expect(await reason('east', 'in', issuer.card('2026010002'))).toBe('access.granted');
    expect(await reason('east', 'in', issuer.card('2026010002'))).toBe('access.anti_passback.in');
    await at('2026-09-08T03:05');
    expect(await reason('east', 'in', issuer.card('2026010002'))).toBe('access.granted');
    await at('2026-09-08T10:00');
    expect(await reason('east', 'in', issuer.card('T001'))).toBe('access.granted');
    expect(await reason('east', 'out', issuer.card('T001'))).toBe('access.granted');
  });

  it('day students may leave at lunch and after dismissal, not in lessons', async () => {
    await at('2026-09-08T10:30');
    expect(await reason('east', 'out', issuer.card('2026010001'))).toBe('access.school_hours');
    await at('2026-09-08T12:10');
    expect(await reason('east', 'out', issuer.card('2026010001'))).toBe('access.granted');
    await at('2026-09-08T12:40');
    expect(await reason('east', 'in', issuer.card('2026010001'))).toBe('access.granted');
    await at('2026-09-08T16:40');
    expect(await reason('east', 'out', issuer.card('2026010001'))).toBe('access.granted');
  });

  it('boarders need leave to leave campus on a school day, but go home after dismissal before the weekend', async () => {
    await at('2026-09-08T12:10'); // Tuesday lunch: boarders stay
    expect(await reason('east', 'out', issuer.card('2026010003'))).toBe('access.boarder_needs_leave');
    await at('2026-09-08T17:00'); // Tuesday evening: school tomorrow
    expect(await reason('east', 'out', issuer.card('2026010003'))).toBe('access.boarder_needs_leave');
    await at('2026-09-11T17:00'); // Friday after dismissal
    expect(await reason('east', 'out', issuer.card('2026010003'))).toBe('access.granted');
  });

  it('dormitory: boarders only, the curfew keeps them in and records a late return, closed in lesson time', async () => {
    await at('2026-09-08T21:00');
    expect(await reason('dorm-a-door', 'in', issuer.card('2026010001'))).toBe('access.not_boarder');
    expect(await reason('dorm-a-door', 'in', issuer.card('2026010003'))).toBe('access.granted');
    await at('2026-09-08T23:00');
    const out = await decide('dorm-a-door', 'out', issuer.card('2026010003'));
    expect(out.reason).toBe('access.curfew');
    expect(out.data).toMatchObject({ curfewStart: '22:30', curfewEnd: '06:00' });
    const late = await decide('dorm-a-door', 'in', issuer.card('2026010003'));
    expect(late).toMatchObject({ reason: 'access.granted.late_return', severity: 'notice' });
    await at('2026-09-09T09:00');
    expect(await reason('dorm-a-door', 'in', issuer.card('2026010003'))).toBe('access.dormitory_closed');
    expect(await reason('dorm-a-door', 'in', issuer.card('T001'))).toBe('access.role_not_allowed');
  });

  it('soft anti-passback lets a repeat through with a warning', async () => {
    await at('2026-09-09T12:00');
    expect(await reason('dorm-a-door', 'in', issuer.card('2026010003'))).toBe('access.granted');
    const again = await decide('dorm-a-door', 'in', issuer.card('2026010003'));
    expect(again).toMatchObject({ reason: 'access.granted.passback_soft', severity: 'notice', data: { granted: true } });
  });

  it('follows the calendar: holidays are free, a 调休 Saturday follows its weekday’s timetable', async () => {
    expect((await env.admin.req('PUT', '/api/access/calendar/days/2026-10-01', { kind: 'holiday', name: '国庆节' })).status).toBe(200);
    expect((await env.admin.req('PUT', '/api/access/calendar/days/2026-10-10', { kind: 'makeup_workday', name: '国庆调休', followsWeekday: 4 })).status).toBe(200);
    await at('2026-10-01T10:00'); // Thursday, holiday
    expect(await reason('east', 'out', issuer.card('2026010004'))).toBe('access.granted');
    await at('2026-10-10T10:00'); // Saturday, make-up day
    expect(await reason('east', 'out', issuer.card('2026010004'))).toBe('access.school_hours');
    await at('2026-10-11T10:00'); // Sunday
    expect(await reason('east', 'out', issuer.card('2026010004'))).toBe('access.granted');
    const cal = await guard.req('GET', '/api/access/calendar');
    expect(cal.json.days.map((d: { date: string; kind: string }) => `${d.date}:${d.kind}`)).toEqual(['2026-10-01:holiday', '2026-10-10:makeup_workday']);
    expect(cal.json.timeZone).toBe('Asia/Shanghai');
    expect(cal.json.today).toEqual({ date: '2026-10-11', kind: 'weekend' });
    // No attendance is taken on a day without school: nobody counts as not arrived, the numbers agree with the day.
    for (const date of ['2026-10-11', '2026-10-01']) {
      const att = await guard.req('GET', `/api/access/attendance?date=${date}`);
      expect(att.json).toMatchObject({ date, dayKind: date === '2026-10-01' ? 'holiday' : 'weekend', classes: [] });
      expect(Object.values(att.json.totals as Record<string, number>).every((n) => n === 0)).toBe(true);
      const classId = (await guard.req('GET', '/api/access/classes')).json.grades[0].classes[0].id as number;
      const detail = await guard.req('GET', `/api/access/attendance/classes/${classId}?date=${date}`);
      expect(detail.json).toMatchObject({ students: [], counts: { students: 0, not_arrived: 0 } });
    }
    const schoolDay = await guard.req('GET', '/api/access/attendance?date=2026-10-10');
    expect(schoolDay.json.dayKind).toBe('makeup_workday');
    expect(schoolDay.json.totals.students).toBeGreaterThan(0);
  });

  it('outside the terms no school hours apply', async () => {
    expect((await env.admin.req('PUT', '/api/access/calendar/terms', { terms: [{ name: '2026秋季学期', startDate: '2026-09-01', endDate: '2027-01-20' }, { name: '2027春季学期', startDate: '2027-02-20', endDate: '2027-07-10' }] })).status).toBe(200);
    await at('2026-11-04T10:00'); // a Wednesday in term
    expect(await reason('east', 'out', issuer.card('2026010002'))).toBe('access.school_hours');
    await at('2027-02-03T10:00'); // a Wednesday in the winter break
    expect(await reason('east', 'out', issuer.card('2026010002'))).toBe('access.granted');
    expect(await reason('east', 'in', issuer.card('2026010002'))).toBe('access.granted');
  });

  it('a cancelled leave no longer lets a student out', async () => {
    await at('2027-03-03T10:05');
    const leave = await guard.req('POST', '/api/access/leaves', { personId: '2026010002', startsAt: '2027-03-03T10:00', endsAt: '2027-03-03T11:00', reason: '牙医', approvedBy: '陈老师' });
    await guard.req('POST', `/api/access/leaves/${leave.json.leave.id}/cancel`, { why: '家长改期' });
    expect(await reason('east', 'out', issuer.card('2026010002'))).toBe('access.school_hours');
    const leaves = await guard.req('GET', '/api/access/leaves?date=2027-03-03&includeCancelled=true');
    expect(leaves.json.leaves[0]).toMatchObject({ id: leave.json.leave.id, status: 'cancelled', personName: '李四' });
  });

  it('lists the leaves that have not ended before a day (the office’s “today and later”)', async () => {
    await at('2027-03-08T08:00');
    const add = (startsAt: string, endsAt: string) => guard.req('POST', '/api/access/leaves', { personId: '2026010002', startsAt, endsAt, reason: '家中有事', approvedBy: '陈老师' });
    const ended = (await add('2027-03-05T08:00', '2027-03-05T12:00')).json.leave.id as number;
    const running = (await add('2027-03-07T08:00', '2027-03-09T12:00')).json.leave.id as number;
    const later = (await add('2027-03-20T08:00', '2027-03-21T12:00')).json.leave.id as number;
    const ids = (await guard.req('GET', '/api/access/leaves?from=2027-03-08&limit=500')).json.leaves.map((l: { id: number }) => l.id);
    expect(ids).toEqual(expect.arrayContaining([running, later]));
    expect(ids).not.toContain(ended);
    expect((await guard.req('GET', '/api/access/leaves?from=2027-13-40')).status).toBe(400);
  });

  it('visitor and pickup passes: places, cancellation, kinds', async () => {
    await at('2027-03-03T14:00');
    const visitor = await guard.req('POST', '/api/access/passes', { kind: 'visitor', visitorName: '快递员', hostPersonId: 'T001', validFrom: '2027-03-03T13:00', validUntil: '2027-03-03T18:00', oneUse: false, gates: ['exit-only'] });
    expect(visitor.status).toBe(201);
    expect(await reason('east', 'in', visitor.json.credential)).toBe('access.pass_wrong_gate');
    expect(await reason('exit-only', 'out', visitor.json.credential)).toBe('access.granted.visitor');
    expect(await reason('exit-only', 'out', visitor.json.credential)).toBe('access.granted.visitor');
    await guard.req('POST', `/api/access/passes/${visitor.json.pass.id}/cancel`, { why: '已离校' });
    expect(await reason('exit-only', 'out', visitor.json.credential)).toBe('access.pass_cancelled');
    const listed = await guard.req('GET', '/api/access/passes?status=all');
    expect(listed.json.passes.find((p: { id: number }) => p.id === visitor.json.pass.id)).toMatchObject({ status: 'cancelled', uses: { in: 0, out: 2 } });

    const pickup = await guard.req('POST', '/api/access/passes', { kind: 'pickup', holderPersonId: 'P001', studentIds: ['2026010001'], validFrom: '2027-03-03T13:00', validUntil: '2027-03-03T18:00' });
    expect(pickup.status).toBe(201);
    const p = await decide('east', 'in', pickup.json.credential);
    expect(p).toMatchObject({ reason: 'access.granted.pickup', subject: 'P001', data: { students: '2026010001', personName: '张爸爸' } });
    expect(await reason('dorm-a-door', 'in', pickup.json.credential)).toBe('access.pass_wrong_zone');

    const bad = await guard.req('POST', '/api/access/passes', { kind: 'visitor', visitorName: '无处可去', hostPersonId: 'T001', validFrom: '2027-03-03T13:00', validUntil: '2027-03-03T18:00' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('access.no_places');
    const long = await guard.req('POST', '/api/access/passes', { kind: 'visitor', visitorName: '长期', hostPersonId: 'T001', validFrom: '2027-03-03T13:00', validUntil: '2027-04-03T13:00', zones: ['campus'] });
    expect(long.status).toBe(400);
    expect(long.json.error.message['zh-CN']).toContain('最长 7 天');
  });

  it('a guard override opens the gate, is recorded as a decision with who and why, and audited', async () => {
    await at('2027-03-03T15:00');
    const denied = await decide('east', 'out', issuer.card('2026010004'));
    expect(denied.reason).toBe('access.school_hours');
    const r = await guard.req('POST', '/api/access/gates/east/open', { direction: 'out', why: '家长当面接走，班主任电话确认', personId: '2026010004', decisionId: denied.id });
    expect(r.status).toBe(201);
    expect(r.json.decision).toMatchObject({ type: 'access.decision', reason: 'access.override', subject: '2026010004', data: { granted: true, overrideBy: 'guard1', overriddenDecision: denied.id, opened: 'no-turnstile' } });
    expect(r.json.decision.text['zh-CN']).toBe('guard1 手动放行东门：家长当面接走，班主任电话确认');
    const audit = await env.admin.req('GET', '/api/audit');
    expect(audit.json.entries[0]).toMatchObject({ actor: 'guard1', action: 'access.gate.override' });
    const att = await guard.req('GET', '/api/access/attendance?date=2027-03-03');
    expect(att.json.totals.left_early).toBe(1);
  });
});
