import { describe, expect, it } from 'vitest';
import { EventEnvelopeSchema } from '@campus/protocol';
import { AccessDecisionDataSchema } from '@campus/protocol/access/index';
import { accessDecisionData, attendanceEvent, gatePass, makeEvent } from '@campus/testkit';

describe('event fixtures from the protocol schemas', () => {
  it('builds envelopes and decision data the schemas accept', () => {
    const e = gatePass('site-1', 'stu-1', 'out', { data: { gateName: '北门' } });
    expect(EventEnvelopeSchema.parse(e)).toEqual(e);
    expect(AccessDecisionDataSchema.parse(e.data)).toMatchObject({ direction: 'out', personId: 'stu-1', gateName: '北门', granted: true, opened: 'pulsed' });
    expect(e).toMatchObject({ type: 'access.decision', reason: 'access.granted', subject: 'stu-1', priority: 1 });
    expect(gatePass('site-1', 'stu-1', 'in', { data: { granted: false } }).reason).toBe('access.school_hours');
    expect(attendanceEvent('site-1', 'stu-1', 'late', { day: '2026-09-07', at: 1_000 })).toMatchObject({ type: 'attendance.late', data: { day: '2026-09-07', status: 'late', at: 1_000 } });
  });

  it('fails a fixture that drifts from the schema, naming the field', () => {
    expect(() => makeEvent('site-1', { type: 'NotDotted' })).toThrow(/event envelope .*type/);
    expect(() => accessDecisionData({ opened: 'maybe' as never })).toThrow(/access.decision data .*opened/);
    expect(() => gatePass('site-1', 'stu-1', 'in', { data: { zoneKind: 'garden' as never } })).toThrow(/zoneKind/);
    expect(() => attendanceEvent('site-1', 'stu-1', 'absent', { day: '7 Sept' })).toThrow(/attendance.absent data .*day/);
  });
});
