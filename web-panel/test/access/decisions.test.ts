import { describe, expect, it } from 'vitest';
import type { PanelEvent } from '../../src/api/types';
import {
  atGate,
  identityOf,
  mayOverride,
  mergeDecisions,
  overridePersonId,
  overridesByRefusal,
  toGateDecision,
  type GateDecision,
} from '../../src/pages/access/live/decisions';

/** An access.decision event as /api/events and the socket deliver it. */
function decisionEvent(id: string, data: Record<string, unknown> = {}, reason = 'access.granted'): PanelEvent {
  return {
    id,
    site: 'demo-school',
    type: 'access.decision',
    occurredAt: 1_788_736_200_000,
    clockTrusted: true,
    reason,
    severity: 'info',
    priority: 1,
    source: 'reader:east-in',
    subject: '2026010001',
    text: { 'zh-CN': '张三（初一 1班）通过 东门', en: '张三（初一 1班） passed 东门' },
    data: {
      granted: true,
      gate: 'east',
      gateNo: 1,
      gateName: '东门',
      zone: 'campus',
      zoneNo: 1,
      zoneName: '校园',
      zoneKind: 'campus',
      direction: 'in',
      reader: 'east-in',
      personId: '2026010001',
      personName: '张三',
      className: '初一 1班',
      who: '张三（初一 1班）',
      credentialKind: 'card',
      kid: 'K1',
      cardVersion: 1,
      passId: null,
      leaveId: null,
      overrideBy: null,
      overrideWhy: null,
      overriddenDecision: null,
      opened: 'pulsed',
      scanId: 'scan-1',
      explanation: '张三（初一 1班）通过 东门',
      suppressedBefore: 0,
      ...data,
    },
  };
}

const d = (id: string, data: Record<string, unknown> = {}, reason?: string): GateDecision => toGateDecision(decisionEvent(id, data, reason))!;

describe('toGateDecision', () => {
  it('reads who, where, the verdict and the edge’s text from an access.decision event', () => {
    expect(d('01')).toMatchObject({
      id: '01',
      granted: true,
      gate: 'east',
      gateName: '东门',
      direction: 'in',
      personName: '张三',
      className: '初一 1班',
      reason: 'access.granted',
      text: { 'zh-CN': '张三（初一 1班）通过 东门' },
    });
  });

  it('ignores other event types and decision data it cannot read', () => {
    expect(toGateDecision({ ...decisionEvent('02'), type: 'access.passage' })).toBeNull();
    expect(toGateDecision(decisionEvent('03', { direction: 'sideways' }))).toBeNull();
    expect(toGateDecision(decisionEvent('04', { granted: 'yes' }))).toBeNull();
  });

  it('accepts decisions recorded before zoneName and overriddenDecision existed', () => {
    const e = decisionEvent('05');
    delete e.data.zoneName;
    delete e.data.overriddenDecision;
    expect(toGateDecision(e)).toMatchObject({ id: '05', gate: 'east' });
  });
});

describe('mergeDecisions', () => {
  it('keeps each id once, newest (highest UUIDv7) first, within the capacity', () => {
    const merged = mergeDecisions([d('0002'), d('0001')], [d('0003'), d('0002', { gateName: '东门（改）' })], 2);
    expect(merged.map((x) => x.id)).toEqual(['0003', '0002']);
    expect(merged[1]!.gateName).toBe('东门（改）');
  });
});

describe('atGate', () => {
  it('shows every gate for null, else only that gate', () => {
    const list = [d('3', { gate: 'north' }), d('2'), d('1', { gate: 'north' })];
    expect(atGate(list, null)).toHaveLength(3);
    expect(atGate(list, 'north').map((x) => x.id)).toEqual(['3', '1']);
  });
});

describe('overrides', () => {
  const refused = d('10', { granted: false, opened: 'closed' }, 'access.school_hours');
  const other = d('11', { granted: false, opened: 'closed' }, 'access.anti_passback.in');
  const override = d('12', { overrideBy: 'guard', overrideWhy: '已核实身份', overriddenDecision: '10', reader: null }, 'access.override');

  it('links an override to the refusal it answered', () => {
    const byRefusal = overridesByRefusal([override, other, refused]);
    expect(byRefusal.get('10')?.id).toBe('12');
    expect(byRefusal.has('11')).toBe(false);
  });

  it('offers 放行 on refusals not yet answered, never on grants', () => {
    const byRefusal = overridesByRefusal([override, other, refused]);
    expect(mayOverride(refused, byRefusal)).toBe(false);
    expect(mayOverride(other, byRefusal)).toBe(true);
    expect(mayOverride(override, byRefusal)).toBe(false);
  });
});

describe('identityOf and overridePersonId', () => {
  it('names a card holder', () => {
    expect(identityOf(d('1'))).toEqual({ kind: 'person', personId: '2026010001', name: '张三', className: '初一 1班' });
    expect(overridePersonId(d('1'))).toBe('2026010001');
  });

  it('shows a visitor pass by its number', () => {
    const visitor = d('2', { credentialKind: 'visitor', passId: 1_000_000, personId: null, personName: null, className: null });
    expect(identityOf(visitor)).toEqual({ kind: 'pass', credential: 'visitor', passId: 1_000_000, personId: null, name: null });
    expect(overridePersonId(visitor)).toBeUndefined();
  });

  it('names the holder of a pickup pass', () => {
    const pickup = d('3', { credentialKind: 'pickup', passId: 7, personId: 'P001', personName: '张爸爸', className: null });
    expect(identityOf(pickup)).toMatchObject({ kind: 'pass', credential: 'pickup', name: '张爸爸' });
  });

  it('does not pass on an id the edge could not find (it would refuse the override)', () => {
    const unknown = d('4', { granted: false, personName: null, className: null, personId: '2099999999' }, 'access.person_unknown');
    expect(identityOf(unknown)).toEqual({ kind: 'unknown', personId: '2099999999' });
    expect(overridePersonId(unknown)).toBeUndefined();
  });

  it('handles garbage from a reader with nobody named', () => {
    const garbage = d('5', { granted: false, personId: null, personName: null, className: null, credentialKind: null, who: '—', suppressedBefore: 12 }, 'reader.frame.garbage');
    expect(identityOf(garbage)).toEqual({ kind: 'unknown', personId: null });
  });
});
