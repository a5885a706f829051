import { describe, expect, it } from 'vitest';
import { composeNotice, formatWhen, isLate, LATE_AFTER_MS } from '../../src/server/notify/compose.js';
import { kindEnabled, parsePrefs } from '../../src/server/notify/preferences.js';
import { noticeKindOf } from '../../src/server/notify/notice-candidates.js';
import { NoticeSettingsSchema, quietUntil, rulesFor } from '../../src/server/notify/notice-rules.js';
import { decisionData } from '../helpers/events.js';

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

  it('says what happened when nobody collected a child from the bus; other safety events keep the general text', () => {
    const f = { kind: 'safety' as const, studentName: '王小刚', stop: '幸福小区', route: '1号线', reason: 'bus.handover.failed', occurredAt: AT, receivedAt: AT + 30_000, timezone: TZ };
    expect(composeNotice('zh-CN', f)).toBe('08:02 王小刚 在幸福小区下车时无人接（1号线），孩子留在校车上随车返校，请尽快联系学校');
    expect(composeNotice('en', f)).toBe('Nobody collected 王小刚 from the school bus at 幸福小区 at 08:02 (1号线); the child stays on the bus back to school. Please contact the school');
    expect(composeNotice('zh-CN', { ...f, reason: 'bus.check.missed' })).toBe('08:02 王小刚 安全提醒，请尽快联系学校');
  });
});

describe('guardian preferences', () => {
  it('defaults to every kind on, push and WeChat on, SMS off, no quiet hours', () => {
    const p = parsePrefs(undefined);
    expect(p).toEqual({ kinds: { entry: true, exit: true, late: true, absence: true, board: true, alight: true }, quietHours: null, channels: { webpush: true, wechat: true, sms: false }, locale: 'zh-CN' });
    expect(parsePrefs({ quietHours: 'nonsense' })).toEqual(p);
  });

  it('never switches off safety notices', () => {
    const p = parsePrefs({ kinds: { entry: false, exit: false, late: false, absence: false } });
    expect(kindEnabled(p, 'entry')).toBe(false);
    expect(kindEnabled(p, 'safety')).toBe(true);
  });

  it('handles quiet hours that wrap midnight, in the school time zone, and says when they end', () => {
    const q = { start: '21:30', end: '07:00' };
    const local = (h: number, m: number, day = 28) => Date.UTC(2026, 10, day, h - 8, m);
    expect(quietUntil(q, local(22, 0), TZ)).toBe(local(7, 0, 29));
    expect(quietUntil(q, local(6, 59), TZ)).toBe(local(7, 0));
    expect(quietUntil(q, local(6, 59) + 30_000, TZ)).toBe(local(7, 0));
    expect(quietUntil(q, local(7, 0), TZ)).toBeNull();
    expect(quietUntil(q, local(12, 0), TZ)).toBeNull();
    const day = { start: '12:00', end: '13:30' };
    expect(quietUntil(day, local(12, 45), TZ)).toBe(local(13, 30));
    expect(quietUntil(day, local(13, 30), TZ)).toBeNull();
    expect(quietUntil(null, local(23, 0), TZ)).toBeNull();
    expect(quietUntil({ start: '08:00', end: '08:00' }, local(8, 0), TZ)).toBeNull();
  });
});

describe('school notice rules (config `notices`)', () => {
  it('defaults to folding within 30 minutes and quiet hours 22:00–06:00, with per-school overrides', () => {
    const s = NoticeSettingsSchema.parse({ schools: { 'sch-b': { quietHours: null }, 'sch-c': { foldWindowMinutes: 5, quietHours: { start: '21:00', end: '06:30' } } } });
    expect(rulesFor(s, 'sch-a')).toEqual({ foldWindowMinutes: 30, quietHours: { start: '22:00', end: '06:00' } });
    expect(rulesFor(s, 'sch-b')).toEqual({ foldWindowMinutes: 30, quietHours: null });
    expect(rulesFor(s, 'sch-c')).toEqual({ foldWindowMinutes: 5, quietHours: { start: '21:00', end: '06:30' } });
  });

  it('refuses bad values and unknown keys, naming them', () => {
    expect(() => NoticeSettingsSchema.parse({ quietHours: { start: '25:00', end: '06:00' } })).toThrow(/时间格式应为 HH:MM.* \/ HH:MM \(24 h\)/);
    expect(() => NoticeSettingsSchema.parse({ foldWindowMinute: 5 })).toThrow(/foldWindowMinute/);
    expect(() => NoticeSettingsSchema.parse({ schools: { a: { quietHour: null } } })).toThrow(/quietHour/);
  });

  it('describes every key, zh-CN first and English second', () => {
    const shape = NoticeSettingsSchema.shape;
    const described = [NoticeSettingsSchema, shape.foldWindowMinutes, shape.quietHours, shape.schools, shape.releaseEverySeconds].map((x) => x.description ?? '');
    for (const d of described) expect(d).toMatch(/^[^a-zA-Z]*[\u4e00-\u9fff].* \/ [A-Z0-9"]/);
  });
});

describe('which events become notices', () => {
  const base = { type: 'access.decision', reason: 'access.granted', priority: 1 as const, subject: 's1', data: decisionData('s1') };
  it('entry/exit only for a campus passage that happened (granted and the gate opened)', () => {
    expect(noticeKindOf(base)).toBe('entry');
    expect(noticeKindOf({ ...base, data: decisionData('s1', { direction: 'out' }) })).toBe('exit');
    expect(noticeKindOf({ ...base, reason: 'access.card_revoked', data: decisionData('s1', { granted: false, opened: 'closed' }) })).toBeNull();
    // Granted, but the relay failed and the gate never opened: no 进校 notice (it was sent before).
    expect(noticeKindOf({ ...base, data: decisionData('s1', { opened: 'relay-failed' }) })).toBeNull();
    // The old loose shape without `opened` proves no passage.
    expect(noticeKindOf({ ...base, data: { direction: 'in', granted: true, gate: 'g1', gateName: '东门', zoneKind: 'campus' } })).toBeNull();
    expect(noticeKindOf({ ...base, subject: null })).toBeNull();
    expect(noticeKindOf({ ...base, data: decisionData('s1', { zone: 'dorm', zoneKind: 'dormitory' }) })).toBeNull();
    // A repeat the gate itself marked (防潜回 warning) is never a notice.
    expect(noticeKindOf({ ...base, reason: 'access.granted.passback_soft' })).toBeNull();
  });
  it('late, absence, and safety-lane events about a person', () => {
    expect(noticeKindOf({ ...base, type: 'attendance.late', data: {} })).toBe('late');
    expect(noticeKindOf({ ...base, type: 'attendance.absent', data: {} })).toBe('absence');
    expect(noticeKindOf({ ...base, type: 'bus.child_left', priority: 0, data: {} })).toBe('safety');
    expect(noticeKindOf({ ...base, type: 'energy.rollup', priority: 3, data: {} })).toBeNull();
  });
});
