import { AccessDecisionDataSchema, ACCESS_EVENTS, type OpeningResult } from './events.js';
import type { Direction, ZoneKind } from './model.js';

/**
 * "Did the person pass the gate?" — the one rule, used by the edge's attendance, the
 * cloud's guardian notices and the parent app's timeline. Nobody else decides it.
 *
 * A gate decision is a passage when it was granted AND the gate is known to have let
 * the person through: the relay pulsed, the gate was held open (fire alarm), or the gate
 * has no turnstile (a guard waves people through). A granted decision whose relay
 * failed (`relay-failed`) is no passage: the gate stayed shut.
 */
export const PASSING_OPENINGS: readonly OpeningResult[] = ['pulsed', 'held-open', 'no-turnstile'];

/** Reason code of a grant the gate itself marks as a same-direction repeat (防潜回 warning). */
export const PASSBACK_WARNING_REASON = 'access.granted.passback_soft';

/** The rule on the decision's own fields; the edge calls it before the event exists. */
export function letThrough(d: { granted: boolean; opened: OpeningResult }): boolean {
  return d.granted && PASSING_OPENINGS.includes(d.opened);
}

/** The fields of `access.decision` data a passage needs, derived from the one schema. */
export const PassageFieldsSchema = AccessDecisionDataSchema.pick({
  granted: true,
  opened: true,
  direction: true,
  gate: true,
  gateName: true,
  zone: true,
  zoneKind: true,
});

export interface Passage {
  direction: Direction;
  gate: string;
  /** The gate as people know it ("东门"). */
  gateName: string;
  zone: string;
  /** campus: 进校/离校; dormitory and building doors are moves inside the school. */
  zoneKind: ZoneKind;
  /**
   * The gate marked it as a repeat in the same direction (anti-passback warning): the
   * person went through, but where they are did not change. Never a change of presence.
   */
  repeat: boolean;
}

/**
 * The passage an event records, or null when nobody passed: not a gate decision, not
 * granted, the gate did not open, or data that does not follow the schema (an event
 * from an edge too old to report `opened` is no proof of a passage either).
 */
export function passageOf(e: { type: string; reason: string; data: unknown }): Passage | null {
  if (e.type !== ACCESS_EVENTS.decision) return null;
  const d = PassageFieldsSchema.safeParse(e.data);
  if (!d.success || !letThrough(d.data)) return null;
  return {
    direction: d.data.direction,
    gate: d.data.gate,
    gateName: d.data.gateName,
    zone: d.data.zone,
    zoneKind: d.data.zoneKind,
    repeat: e.reason === PASSBACK_WARNING_REASON,
  };
}

/** A passage through a campus gate (进校/离校), marked repeats included; null for any other. */
export function campusPassageOf(e: { type: string; reason: string; data: unknown }): Passage | null {
  const p = passageOf(e);
  return p && p.zoneKind === 'campus' ? p : null;
}
