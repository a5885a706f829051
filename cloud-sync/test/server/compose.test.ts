import { describe, expect, it } from 'vitest';
import { composeNotice, formatWhen, isLate, LATE_AFTER_MS } from '../../src/server/notify/compose.js';
import { inQuietHours, kindEnabled, parsePrefs } from '../../src/server/notify/preferences.js';
import { noticeKindOf } from '../../src/server/notify/notice-candidates.js';

// 2026-11-28 08:02 in Shanghai = 00:02 UTC.
const AT = Date.UTC(2026, 10, 28, 0, 2);
const TZ = 'Asia/Shanghai';

describe('notice texts', () => {
  it('formats the local time, with the date when it was another day', () => {
    expect(formatWhen('zh-CN', AT, AT + 60_000, TZ)).toBe('08:02');
    expect(formatWhen('zh-CN', AT, AT + 24 * 3600_000, TZ)).toBe('11月28日 08:02');
    expect(formatWhen('en', AT, AT + 24 * 3600_000, TZ)).toBe('11/28 08:02');
    expect(formatWhen('zh-CN', AT, AT, 'UTC')).toBe('00:02');
  });

  it('marks an event late after the threshold and says so', () => {
    const f = { kind: 'entry' as const, studentName: '张小明', gate: '东门', occurredAt: AT, receivedAt: AT + 30_000, timezone: TZ };
    expect(isLate(f)).toBe(false);
    expect(composeNotice('zh-CN', f)).toBe('08:02 张小明 入校（东门）');
    const late = { ...f, receivedAt: AT + LATE_AFTER_MS + 1 };
    expect(composeNotice('zh-CN', late)).toBe('08:02 张小明 入校（东门）（延迟送达）');
    expect(composeNotice('en', { ...late, kind: 'exit', gate: undefined })).toBe('张小明 left school at 08:02 (delivered late)');
  });
});

describe('guardian preferences', () => {
  it('defaults to every kind on, push and WeChat on, SMS off, no quiet hours', () => {
    const p = parsePrefs(undefined);
    expect(p).toEqual({ kinds: { entry: true, exit: true, late: true, absence: true }, quietHours: null, channels: { webpush: true, wechat: true, sms: false }, locale: 'zh-CN' });
    expect(parsePrefs({ quietHours: 'nonsense' })).toEqual(p);
  });

  it('never switches off safety notices', () => {
    const p = parsePrefs({ kinds: { entry: false, exit: false, late: false, absence: false } });
    expect(kindEnabled(p, 'entry')).toBe(false);
    expect(kindEnabled(p, 'safety')).toBe(true);
  });

  it('handles quiet hours that wrap midnight, in the school time zone', () => {
    const p = parsePrefs({ quietHours: { start: '21:30', end: '07:00' } });
    const local = (h: number, m: number) => Date.UTC(2026, 10, 28, h - 8, m);
    expect(inQuietHours(p, local(22, 0), TZ)).toBe(true);
    expect(inQuietHours(p, local(6, 59), TZ)).toBe(true);
    expect(inQuietHours(p, local(7, 0), TZ)).toBe(false);
    expect(inQuietHours(p, local(12, 0), TZ)).toBe(false);
    const day = parsePrefs({ quietHours: { start: '12:00', end: '13:30' } });
    expect(inQuietHours(day, local(12, 45), TZ)).toBe(true);
    expect(inQuietHours(day, local(13, 30), TZ)).toBe(false);
  });
});

describe('which events become notices', () => {
  const base = { type: 'access.decision', priority: 1 as const, subject: 's1', data: { direction: 'in', granted: true } };
  it('entry/exit on granted passes only', () => {
    expect(noticeKindOf(base)).toBe('entry');
    expect(noticeKindOf({ ...base, data: { direction: 'out', granted: true } })).toBe('exit');
    expect(noticeKindOf({ ...base, data: { direction: 'in', granted: false } })).toBeNull();
    expect(noticeKindOf({ ...base, data: { granted: true } })).toBeNull();
    expect(noticeKindOf({ ...base, subject: null })).toBeNull();
    expect(noticeKindOf({ ...base, data: { direction: 'in', granted: true, zoneKind: 'campus', gate: 'g1', gateName: '东门' } })).toBe('entry');
    expect(noticeKindOf({ ...base, data: { direction: 'in', granted: true, zoneKind: 'dormitory' } })).toBeNull();
  });
  it('late, absence, and safety-lane events about a person', () => {
    expect(noticeKindOf({ ...base, type: 'attendance.late', data: {} })).toBe('late');
    expect(noticeKindOf({ ...base, type: 'attendance.absent', data: {} })).toBe('absence');
    expect(noticeKindOf({ ...base, type: 'bus.child_left', priority: 0, data: {} })).toBe('safety');
    expect(noticeKindOf({ ...base, type: 'energy.rollup', priority: 3, data: {} })).toBeNull();
  });
});
