import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/server/http/errors.js';
import { checkWebhookUrl, matchesType } from '../../src/server/open/webhooks.js';

describe('webhook targets and type filters', () => {
  it('takes only https to public hosts in production', () => {
    for (const bad of ['http://example.org/h', 'https://127.0.0.1/h', 'https://localhost/h', 'https://10.1.2.3/h', 'https://192.168.0.5/h', 'https://172.20.0.1/h', 'https://169.254.169.254/latest', 'https://[::1]/h', 'https://u:p@example.org/h']) {
      expect(() => checkWebhookUrl(bad, false), bad).toThrow(HttpError);
    }
    expect(() => checkWebhookUrl('https://hooks.school.example.cn/campus', false)).not.toThrow();
    expect(() => checkWebhookUrl('http://127.0.0.1:9999/h', true)).not.toThrow();
    expect(() => checkWebhookUrl('ftp://127.0.0.1/h', true)).toThrow(HttpError);
  });
  it('matches exact types, prefixes and everything', () => {
    expect(matchesType(['access.decision'], 'access.decision')).toBe(true);
    expect(matchesType(['access.decision'], 'access.decisions')).toBe(false);
    expect(matchesType(['attendance.*'], 'attendance.late')).toBe(true);
    expect(matchesType(['attendance.*'], 'attendancex.late')).toBe(false);
    expect(matchesType(['*'], 'bus.boarding')).toBe(true);
  });
});
