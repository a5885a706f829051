import { ACCESS_EVENTS, ATTENDANCE_EVENTS, AccessDecisionDataSchema, AttendanceEventDataSchema } from '@campus/protocol/access/events';
import { BUS_EVENTS } from '@campus/protocol/bus/events';
import { ENERGY_EVENTS } from '@campus/protocol/energy/edge-events';
import { SYSTEM_EVENTS } from '@campus/protocol/events/system';
import { FACILITIES_EVENTS } from '@campus/protocol/facilities/events';
import { USB_EVENT_TYPES } from '@campus/protocol/usb/messages';
import type { z } from 'zod';

/**
 * The event kinds edges record and the cloud stores, by domain, from the protocol's own
 * constants (a new type there appears here). The cloud stores any well-formed type an
 * edge sends; these are the ones documented. Where protocol has a schema for `data`, the
 * OpenAPI document carries it.
 */
export const EVENT_KINDS: Record<string, readonly string[]> = {
  access: Object.values(ACCESS_EVENTS),
  attendance: Object.values(ATTENDANCE_EVENTS),
  energy: Object.values(ENERGY_EVENTS),
  usb: Object.values(USB_EVENT_TYPES),
  bus: Object.values(BUS_EVENTS),
  facilities: Object.values(FACILITIES_EVENTS),
  system: Object.values(SYSTEM_EVENTS),
};

export const EVENT_DATA_SCHEMAS: Record<string, z.ZodType> = {
  [ACCESS_EVENTS.decision]: AccessDecisionDataSchema,
  [ATTENDANCE_EVENTS.late]: AttendanceEventDataSchema,
  [ATTENDANCE_EVENTS.absent]: AttendanceEventDataSchema,
  [ATTENDANCE_EVENTS.leftEarly]: AttendanceEventDataSchema,
  [ATTENDANCE_EVENTS.leftWithLeave]: AttendanceEventDataSchema,
};

export const ALL_EVENT_TYPES: string[] = [...new Set(Object.values(EVENT_KINDS).flat())].sort();
