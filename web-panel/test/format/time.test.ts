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

  it('shows the date for anything older than a week', () => {
    const at = now - 30 * 24 * 3_600_000;
    expect(relativeTime('en', at, now)).toBe(absoluteTime('en', at));
  });
});
