import * as z from 'zod/mini';
import { SEVERITIES } from './severity';
import {
  BROKER_CLIENT_ROLES,
  PANEL_ROLES,
  type BrokerClient,
  type DevicePresence,
  type PanelEvent,
  type Session,
  type SystemInfo,
} from './types';

/**
 * Everything the edge sends is parsed here before the UI trusts it: a panel served by
 * a newer or older edge shows a clear error instead of rendering half a page.
 * zod/mini keeps the first chunk small; each schema is pinned to its declared type.
 */
const bilingual = z.object({ 'zh-CN': z.string(), en: z.string() });

export const sessionSchema: z.ZodMiniType<Session> = z.object({
  user: z.object({
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.enum(PANEL_ROLES)),
    locale: z.enum(['zh-CN', 'en']),
  }),
  csrfToken: z.string(),
});

export const panelEventSchema: z.ZodMiniType<PanelEvent> = z.object({
  id: z.string(),
  site: z.string(),
  type: z.string(),
  occurredAt: z.number(),
  clockTrusted: z.boolean(),
  reason: z.string(),
  severity: z.enum(SEVERITIES),
  priority: z.number(),
  source: z.string(),
  subject: z.nullable(z.string()),
  data: z.record(z.string(), z.unknown()),
  text: bilingual,
});

export const eventPageSchema = z.object({ events: z.array(panelEventSchema) });

export const brokerClientSchema: z.ZodMiniType<BrokerClient> = z.object({
  clientId: z.string(),
  role: z.enum(BROKER_CLIENT_ROLES),
  displayName: z.string(),
  online: z.boolean(),
  lastSeen: z.nullable(z.number()),
  address: z.nullable(z.string()),
});

export const deviceListSchema = z.object({ clients: z.array(brokerClientSchema) });

export const devicePresenceSchema: z.ZodMiniType<DevicePresence> = z.object({
  clientId: z.string(),
  online: z.boolean(),
  lastSeen: z.nullable(z.number()),
});

export const systemInfoSchema: z.ZodMiniType<SystemInfo> = z.object({
  site: z.string(),
  siteName: z.string(),
  version: z.string(),
  clock: z.object({ trusted: z.boolean(), source: z.string() }),
  broker: z.object({ clients: z.number() }),
});

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: bilingual,
    details: z.optional(z.unknown()),
  }),
});

export const lockoutDetailsSchema = z.object({ retryAfterSec: z.number() });
