import { describe, expect, it } from 'vitest';
import { absoluteTime, relativeTime } from '../../src/format/time';

const now = Date.UTC(2025, 8, 1, 8, 0, 0);

describe('relativeTime', () => {
  it('says "just now" within ten seconds', () => {
    expect(relativeTime('zh-CN', now - 3_000, now)).toBe('刚刚');
    expect(relativeTime('en', now - 3_000, now)).toBe('just now');
  });

  it('counts minutes, hours and days in the chosen language', () => {
    expect(relativeTime('zh-CN', now - 3 * 60_000, now)).toBe('3分钟前');
    expect(relativeTime('en', now - 3 * 60_000, now)).toBe('3 minutes ago');
    expect(relativeTime('en', now - 2 * 3_600_000, now)).toBe('2 hours ago');
    expect(relativeTime('zh-CN', now - 24 * 3_600_000, now)).toBe('昨天');
  });

  it('carries a rounded unit into the next: 59.6 s is a minute, 59.6 min an hour', () => {
    expect(relativeTime('zh-CN', now - 59_600, now)).toBe('1分钟前');
    expect(relativeTime('en', now - 59_600, now)).toBe('1 minute ago');
    expect(relativeTime('zh-CN', now - 59.6 * 60_000, now)).toBe('1小时前');
    expect(relativeTime('zh-CN', now - 23.7 * 3_600_000, now)).toBe('昨天');
  });

  it('says seconds the way Chinese readers do', () => {
    expect(relativeTime('zh-CN', now - 42_000, now)).toBe('42秒前');
    expect(relativeTime('en', now - 42_000, now)).toBe('42 seconds ago');
  });

  it('shows the date for anything older than a week', () => {
    const at = now - 30 * 24 * 3_600_000;
    expect(relativeTime('en', at, now)).toBe(absoluteTime('en', at));
  });
});
