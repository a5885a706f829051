import type { EventEnvelope } from '@campus/protocol';
import type { AccessDecisionData } from '@campus/protocol/access/index';
import { accessDecisionData, gatePass as kitGatePass, makeEvent } from '@campus/testkit';

export { makeEvent };

/** The cloud tests' student: 张小明 of 三年级2班 (the names the notice texts are checked against). */
const STUDENT = { personName: '张小明', className: '三年级2班', who: '张小明（三年级2班）', explanation: '张小明 通过 东门' } as const;

/** `access.decision` data as the edge writes it, built and checked by the test kit from the one schema in protocol. */
export function decisionData(personId: string, over: Partial<AccessDecisionData> = {}): AccessDecisionData {
  return accessDecisionData({ personId, ...STUDENT, ...over });
}

export interface GatePassOptions extends Partial<EventEnvelope> {
  /** Fields of the decision data to change (the rest is a granted, opened campus pass). */
  decision?: Partial<AccessDecisionData>;
}

/** A student passing a campus gate (the test kit's fixture with the cloud tests' student). */
export function gatePass(site: string, studentKey: string, direction: 'in' | 'out', over: GatePassOptions = {}): EventEnvelope {
  const { decision, ...envelope } = over;
  return kitGatePass(site, studentKey, direction, { ...envelope, data: { ...STUDENT, ...decision } });
}
