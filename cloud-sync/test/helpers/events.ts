import { uuidv7, type EventEnvelope } from '@campus/protocol';

/** Builds a valid event envelope for tests; override any field. */
export function makeEvent(site: string, over: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: uuidv7(),
    site,
    type: 'energy.rollup',
    occurredAt: Date.now(),
    clockTrusted: true,
    reason: 'energy.rollup',
    severity: 'info',
    priority: 3,
    source: 'test',
    subject: null,
    data: {},
    ...over,
  };
}

export function gatePass(site: string, studentKey: string, direction: 'in' | 'out', over: Partial<EventEnvelope> = {}): EventEnvelope {
  return makeEvent(site, {
    type: 'access.decision',
    reason: 'access.granted',
    priority: 1,
    subject: studentKey,
    // The fields of the edge's access.decision data (protocol/src/access/events.ts) the cloud reads.
    data: { direction, granted: true, gate: 'g-east', gateName: '东门', zone: 'z-campus', zoneKind: 'campus', personId: studentKey },
    ...over,
  });
}
