import { z } from 'zod';
import { UUID_V7_RE } from '../ids.js';

/**
 * Every fact the edge records is an event: append-only, a time-ordered id (UUIDv7),
 * the site, a dotted type ("access.decision"), when it happened, a machine-readable
 * reason code, and whether the clock was trustworthy when it was recorded.
 */
export const SEVERITIES = ['info', 'notice', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Sync lanes: safety and gate events go first; telemetry roll-ups fill the rest. */
export const PRIORITIES = { safety: 0, gate: 1, normal: 2, bulk: 3 } as const;
export type Priority = (typeof PRIORITIES)[keyof typeof PRIORITIES];

export const EVENT_TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const REASON_RE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

export const EventEnvelopeSchema = z.object({
  id: z.string().regex(UUID_V7_RE, 'must be a UUIDv7'),
  site: z.string().min(1).max(64),
  type: z.string().regex(EVENT_TYPE_RE, 'dotted lower-case type, e.g. access.decision'),
  occurredAt: z.number().int().nonnegative().describe('ms since epoch, edge clock'),
  clockTrusted: z.boolean(),
  reason: z.string().regex(REASON_RE).max(96),
  severity: z.enum(SEVERITIES),
  priority: z.number().int().min(0).max(3),
  source: z.string().max(128).describe('who recorded it: a module, device or user'),
  subject: z.string().max(128).nullable().describe('whom it is about: a person, circuit, PC ...'),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

/** What a domain hands to the store; the store assigns id, site, clock fields. */
export interface NewEvent {
  type: string;
  reason: string;
  severity?: Severity;
  priority?: Priority;
  source: string;
  subject?: string | null;
  data?: Record<string, unknown>;
  /** When it happened if known (e.g. a device timestamp); defaults to now. */
  occurredAt?: number;
}
