import type { Severity } from '@campus/protocol';
import type { Direction } from '@campus/protocol/access/index';
import type { Gate, PersonEntry } from './model.js';

export type Params = Record<string, string | number>;

/** Something to write once the decision is taken (and undo if the gate stays shut). */
export interface DecisionEffects {
  passback?: { zone: string; personId: string };
  passUse?: { passId: number };
}

/**
 * The engine's answer: granted or not, a machine-readable reason code (`reason.<code>`
 * is its text) with parameters, and who it was about as far as that is proven.
 */
export interface Decision {
  granted: boolean;
  reason: string;
  severity: Severity;
  params: Params;
  gate: Gate;
  direction: Direction;
  /** Set once the credential's signature checked out (or a guard named the person). */
  identified: boolean;
  personId: string | null;
  person: PersonEntry | null;
  credentialKind: 'card' | 'visitor' | 'pickup' | null;
  kid: string | null;
  cardVersion: number | null;
  passId: number | null;
  leaveId: number | null;
  effects: DecisionEffects;
  /** Extra event data (visitor name, pickup students, ...). */
  extra: Record<string, string | number | boolean | null | string[]>;
}

export function baseDecision(gate: Gate, direction: Direction): Decision {
  return {
    granted: false,
    reason: '',
    severity: 'notice',
    params: {},
    gate,
    direction,
    identified: false,
    personId: null,
    person: null,
    credentialKind: null,
    kid: null,
    cardVersion: null,
    passId: null,
    leaveId: null,
    effects: {},
    extra: {},
  };
}

export function grant(d: Decision, reason: string, params: Params = {}, severity: Severity = 'info'): Decision {
  d.granted = true;
  d.reason = reason;
  d.severity = severity;
  Object.assign(d.params, params);
  return d;
}

export function deny(d: Decision, reason: string, params: Params = {}, severity: Severity = 'notice'): Decision {
  d.granted = false;
  d.reason = reason;
  d.severity = severity;
  Object.assign(d.params, params);
  d.effects = {};
  return d;
}
