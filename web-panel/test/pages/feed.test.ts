import { describe, expect, it } from 'vitest';
import type { PanelEvent } from '../../src/api/types';
import { matchesTypePrefix, mergeEvents, parseTypePrefix } from '../../src/pages/events/feed';

function event(id: string, type = 'access.decision'): PanelEvent {
  return {
    id,
    site: 'demo-campus',
    type,
    occurredAt: 1_700_000_000_000,
    clockTrusted: true,
    reason: 'access.granted',
    severity: 'info',
    priority: 1,
    source: 'gate-1',
    subject: null,
    data: {},
    text: { 'zh-CN': '通行', en: 'Passed' },
  };
}

// UUIDv7-shaped ids whose order is their time order.
const id = (n: number) => `0190a0b0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

describe('mergeEvents', () => {
  it('puts the newest first and keeps each id once', () => {
    const shown = [event(id(3)), event(id(1))];
    const merged = mergeEvents(shown, [event(id(2)), event(id(4)), event(id(3))]);
    expect(merged.map((e) => e.id)).toEqual([id(4), id(3), id(2), id(1)]);
  });

  it('lets a re-delivered event replace the shown copy', () => {
    const updated = { ...event(id(1)), text: { 'zh-CN': '新', en: 'new' } };
    expect(mergeEvents([event(id(1))], [updated])[0]!.text.en).toBe('new');
  });

  it('drops the oldest beyond the capacity', () => {
    const merged = mergeEvents([event(id(1)), event(id(2))], [event(id(3))], 2);
    expect(merged.map((e) => e.id)).toEqual([id(3), id(2)]);
  });
});

describe('type prefix filter', () => {
  it('accepts dotted lower-case prefixes, trimmed and lower-cased', () => {
    expect(parseTypePrefix('  Access. ')).toBe('access.');
    expect(parseTypePrefix('')).toBe('');
  });

  it('refuses what the edge would refuse', () => {
    expect(parseTypePrefix('access-x')).toBeNull();
    expect(parseTypePrefix('门禁')).toBeNull();
    expect(parseTypePrefix('a'.repeat(65))).toBeNull();
  });

  it('matches like the edge: the type starts with the prefix', () => {
    expect(matchesTypePrefix('access.decision', '')).toBe(true);
    expect(matchesTypePrefix('access.decision', 'access')).toBe(true);
    expect(matchesTypePrefix('access.decision', 'access.')).toBe(true);
    expect(matchesTypePrefix('accessibility.x', 'access.')).toBe(false);
    expect(matchesTypePrefix('security.login', 'access')).toBe(false);
  });
});
