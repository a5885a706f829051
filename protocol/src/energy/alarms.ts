import { z } from 'zod';
import { SEVERITIES } from '../events/envelope.js';

/**
 * Electrical-safety and operations alarms of the energy domain. Lifecycle:
 * raised (active, unacknowledged) → acknowledged and/or cleared; an alarm is
 * closed once it is both cleared and acknowledged. Every transition is an event
 * and an update of the retained `campus/alarms/{id}` topic (emptied when closed).
 */
export const ALARM_RULES = [
  'over_voltage',
  'under_voltage',
  'over_current',
  'after_hours_power',
  'residual_current',
  'cable_temperature',
  'device_offline',
  'circuit_mismatch',
] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

export const ALARM_STATES = ['active', 'cleared'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const AlarmSchema = z.object({
  id: z.string(),
  rule: z.enum(ALARM_RULES),
  severity: z.enum(SEVERITIES),
  /** What it is about: a meter, detector, relay board, building or circuit id. */
  subject: z.string(),
  /** Building of the subject, when known (for the panel's grouping). */
  building: z.string().nullable(),
  state: z.enum(ALARM_STATES),
  acknowledged: z.boolean(),
  raisedAt: z.number().int(),
  clearedAt: z.number().int().nullable(),
  acknowledgedAt: z.number().int().nullable(),
  acknowledgedBy: z.string().nullable(),
  /** The worst value seen while active, and the limit it broke (units per rule). */
  value: z.number().nullable(),
  limit: z.number().nullable(),
  unit: z.string(),
  /** Point or detail, e.g. "voltage_l2", "modbus.timeout". */
  detail: z.string().nullable(),
  text: z.object({ 'zh-CN': z.string(), en: z.string() }),
});
export type Alarm = z.infer<typeof AlarmSchema>;
