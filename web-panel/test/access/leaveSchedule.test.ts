import { describe, expect, it } from 'vitest';
import { defaultLeaveWindow, leaveRequest, phaseOf, schoolDate, todayAndLater } from '../../src/pages/access/leaves/schedule';

const TZ = 'Asia/Shanghai';
const sh = (local: string) => Date.parse(`${local}+08:00`);

describe('leave form', () => {
  it('starts now and ends with the school day, in school time whatever the browser zone', () => {
    expect(defaultLeaveWindow(sh('2026-09-07T10:15:42'), TZ)).toEqual({ startsAt: '2026-09-07T10:15', endsAt: '2026-09-07T18:00' });
  });

  it('lasts four hours when asked after the school day', () => {
    expect(defaultLeaveWindow(sh('2026-09-07T19:30:00'), TZ)).toEqual({ startsAt: '2026-09-07T19:30', endsAt: '2026-09-07T23:30' });
  });

  it('builds the request with trimmed text, and refuses an end not after the start', () => {
    const form = { personId: '2026010001', startsAt: '2026-09-07T10:00', endsAt: '2026-09-07T12:00', reason: ' 发烧 ', approvedBy: ' 陈老师 ' };
    expect(leaveRequest(form)).toEqual({ request: { ...form, reason: '发烧', approvedBy: '陈老师' } });
    expect(leaveRequest({ ...form, endsAt: form.startsAt })).toEqual({ problem: 'badWindow' });
  });
});

describe('today and later', () => {
  const now = sh('2026-09-07T10:00:00');
  const rec = (id: number, from: string, until: string) => ({ id, from: sh(from), until: sh(until) });
  const window = (r: { from: number; until: number }) => r;

  it('keeps what ends today or later, earliest start first', () => {
    const records = [
      rec(1, '2026-09-09T08:00', '2026-09-09T12:00'),
      rec(2, '2026-09-06T08:00', '2026-09-06T18:00'), // yesterday
      rec(3, '2026-09-07T07:00', '2026-09-07T09:00'), // this morning, over
      rec(4, '2026-09-01T08:00', '2026-09-30T18:00'), // running
    ];
    expect(todayAndLater(records, window, '2026-09-07', TZ).map((r) => r.id)).toEqual([4, 3, 1]);
  });

  it('reads the school day in the school’s zone', () => {
    expect(schoolDate(Date.parse('2026-09-06T16:30:00Z'), TZ)).toBe('2026-09-07');
  });

  it('tells upcoming, running and over apart', () => {
    expect(phaseOf(sh('2026-09-07T11:00'), sh('2026-09-07T12:00'), now)).toBe('later');
    expect(phaseOf(sh('2026-09-07T09:00'), sh('2026-09-07T12:00'), now)).toBe('now');
    expect(phaseOf(sh('2026-09-07T07:00'), sh('2026-09-07T09:00'), now)).toBe('over');
  });
});
