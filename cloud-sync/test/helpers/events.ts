import { uuidv7, type EventEnvelope } from '@campus/protocol';
import { AccessDecisionDataSchema, type AccessDecisionData } from '@campus/protocol/access/index';

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

/** `access.decision` data as the edge writes it, checked against the one schema in protocol. */
export function decisionData(personId: string, over: Partial<AccessDecisionData> = {}): AccessDecisionData {
  return AccessDecisionDataSchema.parse({
    granted: true,
    gate: 'g-east',
    gateNo: 1,
    gateName: '东门',
    zone: 'z-campus',
    zoneNo: 1,
    zoneKind: 'campus',
    direction: 'in',
    reader: 'east-in',
    personId,
    personName: '张小明',
    className: '三年级2班',
    who: '张小明（三年级2班）',
    credentialKind: 'card',
    kid: 'k1',
    cardVersion: 1,
    passId: null,
    leaveId: null,
    overrideBy: null,
    overrideWhy: null,
    opened: 'pulsed',
    explanation: '张小明 通过 东门',
    suppressedBefore: 0,
    ...over,
  });
}

export interface GatePassOptions extends Partial<EventEnvelope> {
  /** Fields of the decision data to change (the rest is a granted, opened campus pass). */
  decision?: Partial<AccessDecisionData>;
}

export function gatePass(site: string, studentKey: string, direction: 'in' | 'out', over: GatePassOptions = {}): EventEnvelope {
  const { decision, ...envelope } = over;
  return makeEvent(site, {
    type: 'access.decision',
    reason: 'access.granted',
    priority: 1,
    subject: studentKey,
    data: decisionData(studentKey, { direction, ...decision }),
    ...envelope,
  });
}
