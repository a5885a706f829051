import { DECISION_EVENT_TYPE } from '../../../api/access';
import { decisionDataSchema, type DecisionData } from '../../../api/access-schemas';
import type { BilingualText, PanelEvent } from '../../../api/types';

/** One decision at a gate, as the guard sees it. */
export interface GateDecision extends DecisionData {
  id: string;
  occurredAt: number;
  clockTrusted: boolean;
  reason: string;
  /** The reason, rendered by the edge in both languages. */
  text: BilingualText;
}

/** How many decisions the gate view keeps; the event log has the rest. */
export const DECISION_CAPACITY = 200;

/** An `access.decision` event as a decision; null for other events or data the panel cannot read. */
export function toGateDecision(e: PanelEvent): GateDecision | null {
  if (e.type !== DECISION_EVENT_TYPE) return null;
  const data = decisionDataSchema.safeParse(e.data);
  if (!data.success) return null;
  return { ...data.data, id: e.id, occurredAt: e.occurredAt, clockTrusted: e.clockTrusted, reason: e.reason, text: e.text };
}

/**
 * Newest first, each id once. Ids are UUIDv7, so their order is the order the edge
 * recorded them in, whatever its wall clock said.
 */
export function mergeDecisions(shown: readonly GateDecision[], incoming: readonly GateDecision[], capacity = DECISION_CAPACITY): GateDecision[] {
  const byId = new Map<string, GateDecision>();
  for (const d of shown) byId.set(d.id, d);
  for (const d of incoming) byId.set(d.id, d);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, capacity);
}

/** null = every gate. */
export function atGate(decisions: readonly GateDecision[], gateId: string | null): GateDecision[] {
  return gateId === null ? [...decisions] : decisions.filter((d) => d.gate === gateId);
}

/** The overrides in the list, by the id of the refusal each one answered. */
export function overridesByRefusal(decisions: readonly GateDecision[]): Map<string, GateDecision> {
  const out = new Map<string, GateDecision>();
  for (const d of decisions) if (d.overriddenDecision) out.set(d.overriddenDecision, d);
  return out;
}

/** A refusal the guard may still answer by letting the person through. */
export function mayOverride(d: GateDecision, overrides: ReadonlyMap<string, GateDecision>): boolean {
  return !d.granted && !overrides.has(d.id);
}

export type DecisionIdentity =
  | { kind: 'person'; personId: string; name: string; className: string | null }
  | { kind: 'pass'; credential: 'visitor' | 'pickup'; passId: number; personId: string | null; name: string | null }
  | { kind: 'unknown'; personId: string | null };

/** Who the decision was about, for the photo and the big name line. */
export function identityOf(d: GateDecision): DecisionIdentity {
  if (d.credentialKind === 'visitor' || d.credentialKind === 'pickup') {
    if (d.passId !== null) return { kind: 'pass', credential: d.credentialKind, passId: d.passId, personId: d.personId, name: d.personName };
  }
  if (d.personId !== null && d.personName !== null) return { kind: 'person', personId: d.personId, name: d.personName, className: d.className };
  return { kind: 'unknown', personId: d.personId };
}

/**
 * What the override request may say about who went through: the edge refuses a person
 * id it does not know, so only a person it named is passed on.
 */
export function overridePersonId(d: GateDecision): string | undefined {
  return d.personId !== null && d.personName !== null ? d.personId : undefined;
}
