import { describe, expect, it } from 'vitest';
import { AccessDecisionDataSchema, OPENING_RESULTS, type AccessDecisionData } from '../../src/access/events.js';
import { campusPassageOf, letThrough, passageOf, PASSBACK_WARNING_REASON } from '../../src/access/passage.js';

/** A full `access.decision` data object, checked against the one schema. */
function decision(over: Partial<AccessDecisionData> = {}): AccessDecisionData {
  return AccessDecisionDataSchema.parse({
    granted: true,
    gate: 'east',
    gateNo: 1,
    gateName: '东门',
    zone: 'campus',
    zoneNo: 1,
    zoneKind: 'campus',
    direction: 'in',
    reader: 'east-in',
    personId: 's1',
    personName: '王小明',
    className: '初一 3班',
    who: '王小明（初一 3班）',
    credentialKind: 'card',
    kid: 'k1',
    cardVersion: 1,
    passId: null,
    leaveId: null,
    overrideBy: null,
    overrideWhy: null,
    opened: 'pulsed',
    explanation: '王小明 通过 东门',
    suppressedBefore: 0,
    ...over,
  });
}
const event = (data: unknown, reason = 'access.granted', type = 'access.decision') => ({ type, reason, data });

describe('passageOf: did the person pass', () => {
  it('is a passage only when granted and the gate let them through', () => {
    const passing = OPENING_RESULTS.filter((opened) => passageOf(event(decision({ opened }))) !== null);
    expect(passing.sort()).toEqual(['held-open', 'no-turnstile', 'pulsed']);
    expect(passageOf(event(decision({ opened: 'relay-failed' })))).toBeNull();
    expect(passageOf(event(decision({ granted: false, opened: 'closed' }), 'access.card_revoked'))).toBeNull();
    expect(letThrough({ granted: false, opened: 'pulsed' })).toBe(false);
  });

  it('reports direction, gate and zone, and marks the gate\'s anti-passback warning as a repeat', () => {
    expect(passageOf(event(decision({ direction: 'out' })))).toEqual({ direction: 'out', gate: 'east', gateName: '东门', zone: 'campus', zoneKind: 'campus', repeat: false });
    expect(passageOf(event(decision(), PASSBACK_WARNING_REASON))?.repeat).toBe(true);
  });

  it('gives no passage for other event types, data without `opened` (the old loose copy) or bad data', () => {
    expect(passageOf(event(decision(), 'access.passage.passed', 'access.passage'))).toBeNull();
    const { opened: _opened, ...withoutOpened } = decision();
    expect(passageOf(event(withoutOpened))).toBeNull();
    expect(passageOf(event({ direction: 'in', granted: true, gate: 'east', gateName: '东门', zoneKind: 'campus' }))).toBeNull();
    expect(passageOf(event(null))).toBeNull();
    expect(passageOf(event({ ...decision(), direction: 'sideways' }))).toBeNull();
  });

  it('counts only campus gates as 进校/离校', () => {
    expect(campusPassageOf(event(decision({ zone: 'dorm-a', zoneKind: 'dormitory' })))).toBeNull();
    expect(passageOf(event(decision({ zone: 'dorm-a', zoneKind: 'dormitory' })))?.zoneKind).toBe('dormitory');
    expect(campusPassageOf(event(decision()))?.direction).toBe('in');
  });
});
