import { describe, expect, it } from 'vitest';
import { SchoolTime, addDays, inWindow, parseTimeOfDay, weekdayOf } from '../../src/school/time.js';
import { periodStart } from '../../src/access/rules/anti-passback.js';

describe('school time', () => {
  const shanghai = new SchoolTime('Asia/Shanghai');

  it('turns instants into school-local date, minute and weekday', () => {
    expect(shanghai.local(Date.parse('2026-09-06T23:30:00Z'))).toEqual({ date: '2026-09-07', minute: 7 * 60 + 30, weekday: 1 });
    expect(shanghai.local(Date.parse('2026-09-07T15:59:00Z'))).toEqual({ date: '2026-09-07', minute: 23 * 60 + 59, weekday: 1 });
    expect(shanghai.local(Date.parse('2026-09-07T16:00:00Z'))).toEqual({ date: '2026-09-08', minute: 0, weekday: 2 });
  });

  it('turns school-local times and ISO text into instants', () => {
    expect(shanghai.instant('2026-09-07', 7 * 60 + 30)).toBe(Date.parse('2026-09-06T23:30:00Z'));
    expect(shanghai.parse('2026-09-07T09:30')).toBe(Date.parse('2026-09-07T01:30:00Z'));
    expect(shanghai.parse('2026-09-07 09:30:15')).toBe(Date.parse('2026-09-07T01:30:15Z'));
    expect(shanghai.parse('2026-09-07T09:30Z')).toBe(Date.parse('2026-09-07T09:30:00Z'));
    expect(shanghai.parse('2026-09-07T09:30+0100')).toBe(Date.parse('2026-09-07T08:30:00Z'));
    expect(shanghai.parse(12345)).toBe(12345);
    expect(shanghai.parse('yesterday')).toBeNaN();
    expect(shanghai.format(Date.parse('2026-09-07T01:30:00Z'))).toBe('2026-09-07 09:30');
  });

  it('follows daylight saving time in a zone that has it', () => {
    const berlin = new SchoolTime('Europe/Berlin');
    // 2026-03-29: clocks go from 02:00 to 03:00 local.
    expect(berlin.local(Date.parse('2026-03-29T00:30:00Z')).minute).toBe(60 + 30);
    expect(berlin.local(Date.parse('2026-03-29T01:30:00Z')).minute).toBe(3 * 60 + 30);
    expect(berlin.instant('2026-03-29', 8 * 60)).toBe(Date.parse('2026-03-29T06:00:00Z'));
    expect(berlin.instant('2026-03-28', 8 * 60)).toBe(Date.parse('2026-03-28T07:00:00Z'));
    expect(berlin.parse('2026-10-25T12:00')).toBe(Date.parse('2026-10-25T11:00:00Z'));
  });

  it('windows may cross midnight; dates and weekdays add up', () => {
    expect(inWindow(parseTimeOfDay('23:00'), parseTimeOfDay('22:30'), parseTimeOfDay('06:00'))).toBe(true);
    expect(inWindow(parseTimeOfDay('05:59'), parseTimeOfDay('22:30'), parseTimeOfDay('06:00'))).toBe(true);
    expect(inWindow(parseTimeOfDay('06:00'), parseTimeOfDay('22:30'), parseTimeOfDay('06:00'))).toBe(false);
    expect(inWindow(parseTimeOfDay('12:00'), parseTimeOfDay('12:00'), parseTimeOfDay('13:00'))).toBe(true);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-09-13')).toBe(7);
  });

  it('anti-passback periods start at the reset hour, school time', () => {
    expect(periodStart(shanghai, Date.parse('2026-09-07T02:00:00+08:00'), 3)).toBe(Date.parse('2026-09-06T03:00:00+08:00'));
    expect(periodStart(shanghai, Date.parse('2026-09-07T03:00:00+08:00'), 3)).toBe(Date.parse('2026-09-07T03:00:00+08:00'));
  });
});
