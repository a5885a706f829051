import { z } from 'zod';
import { UUID_V7_RE } from '../ids.js';
import { ID_RE } from '../topics.js';
import type { NewEvent, Severity } from '../events/envelope.js';
import { UsbDeviceIdentitySchema } from './device.js';
import { USB_REASONS, type UsbReason } from './reasons.js';

/**
 * Payloads a PC agent publishes (topics.agentUsb / agentAck / agentHeartbeat /
 * agentRequest). The edge parses each with these schemas before storing anything.
 * The retained state topic carries the plain strings ONLINE / OFFLINE from topics.ts.
 */
const AgentId = z.string().regex(ID_RE);
const Ms = z.number().int().nonnegative();
const Reason = z.enum(USB_REASONS as [UsbReason, ...UsbReason[]]);
const RuleRefSchema = z.string().max(64);

export const InterfaceOutcomeSchema = z.strictObject({
  number: z.number().int().min(0).max(255),
  alternate: z.number().int().min(0).max(255),
  class: z.number().int().min(0).max(255),
  subClass: z.number().int().min(0).max(255),
  protocol: z.number().int().min(0).max(255),
  action: z.enum(['allow', 'deny']),
  rule: RuleRefSchema,
  reason: Reason,
});
export type InterfaceOutcome = z.infer<typeof InterfaceOutcomeSchema>;

const eventBase = {
  id: z.string().regex(UUID_V7_RE),
  agentId: AgentId,
  at: Ms,
  /** Policy version in force when the event happened (0: the built-in bootstrap policy). */
  policyVersion: z.number().int().nonnegative(),
  /** Events the agent's rate limiter dropped since the previous event it sent. */
  droppedBefore: z.number().int().nonnegative(),
};

export const UsbEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...eventBase,
    kind: z.literal('inserted'),
    arrival: z.enum(['present-at-start', 'inserted']),
    device: UsbDeviceIdentitySchema,
    reason: z.literal('usb.device.inserted'),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.enum(['allowed', 'blocked']),
    /** 'blocked' covers partial blocks: the keyboard of a keyboard+disk stick works, the disk does not. */
    outcome: z.enum(['allowed', 'partial', 'blocked']),
    device: UsbDeviceIdentitySchema,
    rule: RuleRefSchema,
    reason: Reason,
    interfaces: z.array(InterfaceOutcomeSchema).max(64),
    /** When the temporary exception this rests on lapses. */
    expiresAt: Ms.nullable(),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal('removed'),
    device: UsbDeviceIdentitySchema,
    reason: z.literal('usb.device.removed'),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal('dropped'),
    /** How many events were dropped since `since`; sent once the flood is over. */
    count: z.number().int().positive(),
    since: Ms,
    reason: z.literal('usb.events.dropped'),
  }),
]);
export type UsbEvent = z.infer<typeof UsbEventSchema>;
export type UsbEventKind = UsbEvent['kind'];

export const PolicyAckSchema = z.strictObject({
  agentId: AgentId,
  at: Ms,
  /** The version this ack answers (null when the message was unreadable). */
  version: z.number().int().nonnegative().nullable(),
  status: z.enum(['applied', 'already-applied', 'refused']),
  reason: Reason,
  /** The version the agent enforces after handling the message. */
  activeVersion: z.number().int().nonnegative(),
  /** SHA-256 of the canonical active policy. */
  activeDigest: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** Whether the active policy is saved on disk for enforcement after a restart. */
  persisted: z.boolean(),
  detail: z.string().max(300).optional(),
});
export type PolicyAck = z.infer<typeof PolicyAckSchema>;

export const AgentHeartbeatSchema = z.strictObject({
  agentId: AgentId,
  at: Ms,
  seq: z.number().int().nonnegative(),
  hostname: z.string().max(128),
  platform: z.enum(['linux', 'win32']),
  agentVersion: z.string().max(32),
  /** Seconds between heartbeats: the edge raises an alarm after a few missed ones. */
  intervalS: z.number().int().positive(),
  uptimeS: z.number().int().nonnegative(),
  policyVersion: z.number().int().nonnegative(),
  killSwitch: z.boolean(),
  devicesPresent: z.number().int().nonnegative(),
  devicesBlocked: z.number().int().nonnegative(),
  /** Total events dropped by the rate limiter since the agent started. */
  eventsDropped: z.number().int().nonnegative(),
  /** Events waiting to be sent (the agent was offline). */
  eventsQueued: z.number().int().nonnegative(),
});
export type AgentHeartbeat = z.infer<typeof AgentHeartbeatSchema>;

/** A teacher asks IT for a device (e.g. their drive for this lesson). */
export const UsbDeviceRequestSchema = z.strictObject({
  id: z.string().regex(UUID_V7_RE),
  agentId: AgentId,
  at: Ms,
  device: UsbDeviceIdentitySchema,
  requestedBy: z.string().min(1).max(64),
  note: z.string().max(500),
  /** Minutes asked for; absent means "permanently". */
  durationMinutes: z.number().int().positive().max(60 * 24 * 366).optional(),
});
export type UsbDeviceRequest = z.infer<typeof UsbDeviceRequestSchema>;

/** How many heartbeats may be missed before the edge treats an agent as silent. */
export const SILENT_AFTER_MISSED_HEARTBEATS = 3;

/** True when an agent has been silent long enough that the edge should raise an alarm. */
export function agentSilent(lastHeartbeatAt: number, intervalS: number, now: number, missed = SILENT_AFTER_MISSED_HEARTBEATS): boolean {
  return now - lastHeartbeatAt > intervalS * 1000 * missed;
}

/** Event types the edge records for USB events (EventEnvelope.type). */
export const USB_EVENT_TYPES = {
  inserted: 'usb.inserted',
  allowed: 'usb.allowed',
  blocked: 'usb.blocked',
  removed: 'usb.removed',
  dropped: 'usb.dropped',
} as const satisfies Record<UsbEventKind, string>;

/** Maps an agent's USB event onto the edge's event envelope input. */
export function usbEventToNewEvent(e: UsbEvent): NewEvent {
  const severity: Severity =
    e.kind === 'blocked' ? (e.reason === 'usb.blocked.keystroke_guard' || e.reason === 'usb.blocked.malformed' ? 'critical' : 'warning') : e.kind === 'dropped' ? 'warning' : 'info';
  const { id: _id, agentId, at, kind: _kind, reason, ...data } = e;
  return { type: USB_EVENT_TYPES[e.kind], reason, severity, priority: 2, source: `pc:${agentId}`, subject: agentId, occurredAt: at, data };
}
