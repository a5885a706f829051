import { z } from 'zod';
import { ID_RE } from '../topics.js';

/**
 * Switched circuits (回路) as the edge, the panel and MQTT clients see them. A
 * circuit is one relay channel feeding the lighting, air-conditioning, fans,
 * sockets or projector of a room or a building.
 */
export const CIRCUIT_KINDS = ['lighting', 'ac', 'fan', 'socket', 'projector', 'other'] as const;
export type CircuitKind = (typeof CIRCUIT_KINDS)[number];

export const ROOM_KINDS = ['classroom', 'office', 'lab', 'library', 'dorm', 'canteen', 'hall', 'other'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/** Who asked for a switch: a signed-in user, an MQTT operator, a schedule, an override running out, the board itself. */
export const SWITCH_ACTOR_KINDS = ['user', 'mqtt', 'schedule', 'override_expiry', 'external', 'system'] as const;
export type SwitchActorKind = (typeof SWITCH_ACTOR_KINDS)[number];

export interface SwitchActor {
  kind: SwitchActorKind;
  /** Username, MQTT client id, schedule id, board id. */
  id: string;
}

/**
 * Payload of `campus/energy/circuit/{id}/set` (operators). Home Assistant style
 * "ON"/"OFF", or JSON with an optional manual-override time and a reason.
 */
export const CircuitSetJsonSchema = z.strictObject({
  on: z.boolean(),
  /** Keep schedules off this circuit for this long (0 = no hold). */
  holdMinutes: z.number().int().min(0).max(7 * 24 * 60).optional(),
  reason: z.string().trim().min(1).max(200).optional(),
});
export type CircuitSetJson = z.infer<typeof CircuitSetJsonSchema>;

export function parseCircuitSetPayload(payload: string): { ok: true; command: CircuitSetJson } | { ok: false; detail: string } {
  const text = payload.trim();
  const upper = text.toUpperCase();
  if (upper === 'ON' || upper === 'OFF') return { ok: true, command: { on: upper === 'ON' } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'expected "ON", "OFF" or JSON {"on": true|false}' };
  }
  const parsed = CircuitSetJsonSchema.safeParse(json);
  if (!parsed.success) return { ok: false, detail: parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ') };
  return { ok: true, command: parsed.data };
}

/** Retained payload of `campus/energy/circuit/{id}/state`. */
export const CircuitStateSchema = z.object({
  id: z.string().regex(ID_RE),
  name: z.string(),
  kind: z.enum(CIRCUIT_KINDS),
  building: z.string(),
  room: z.string().nullable(),
  /** What the relay board reports (null until first read). */
  on: z.boolean().nullable(),
  /** What the edge last asked for (null when never commanded). */
  desired: z.boolean().nullable(),
  /** The board's read-back agrees with `desired`. */
  confirmed: z.boolean(),
  /** The board answered the last read. */
  reachable: z.boolean(),
  lastChange: z
    .object({ at: z.number().int(), by: z.object({ kind: z.enum(SWITCH_ACTOR_KINDS), id: z.string() }), why: z.string() })
    .nullable(),
  /** A manual switch holds schedules off until then. */
  override: z.object({ until: z.number().int(), on: z.boolean(), by: z.string() }).nullable(),
});
export type CircuitState = z.infer<typeof CircuitStateSchema>;

/** Outcome of one switch request. */
export const SWITCH_OUTCOMES = ['confirmed', 'mismatch', 'failed', 'skipped'] as const;
export type SwitchOutcome = (typeof SWITCH_OUTCOMES)[number];
