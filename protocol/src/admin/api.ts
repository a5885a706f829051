import { z } from 'zod';
import { PanelEventSchema } from '../events/panel.js';
import { BROKER_ROLES } from '../topics.js';

/**
 * Shapes of the edge's system, sign-in, user, device, audit and event answers
 * (/api/system, /api/auth/..., /api/users, /api/devices, /api/audit, /api/events): the
 * edge declares them as its routes' response schemas (checked under test, shown in
 * /api/openapi.json); the panel compiles against the types (`import type`).
 */
/** Panel users' roles (admin may do everything). */
/**
 * 'staff': any staff member (submits work orders, walks rounds); 'contractor': an outside firm, sees only its own orders;
 * 'transport': a bus attendant (随车照管人员), runs trips on the bus box; 'transport_manager': also edits routes where the box owns them.
 */
export const USER_ROLES = ['admin', 'security', 'facility', 'it', 'staff', 'contractor', 'transport', 'transport_manager'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const UserRoleSchema = z.enum(USER_ROLES);
export const LOCALES = ['zh-CN', 'en'] as const;

export const PublicUserSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  roles: z.array(UserRoleSchema),
  locale: z.enum(LOCALES),
});
export type PublicUser = z.infer<typeof PublicUserSchema>;

export const SessionAnswerSchema = z.object({ user: PublicUserSchema, csrfToken: z.string() });
export type SessionAnswer = z.infer<typeof SessionAnswerSchema>;

export const SystemInfoSchema = z.object({
  site: z.string(),
  siteName: z.string(),
  version: z.string(),
  clock: z.object({ trusted: z.boolean(), source: z.string() }),
  broker: z.object({ clients: z.number().int(), tlsFingerprint256: z.string().nullable() }),
});
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

export const MqttClientViewSchema = z.object({
  clientId: z.string(),
  role: z.enum(BROKER_ROLES),
  displayName: z.string(),
  enabled: z.boolean(),
  lastSeen: z.number().nullable(),
});

export const DevicesAnswerSchema = z.object({
  clients: z.array(MqttClientViewSchema.extend({ online: z.boolean(), address: z.string().nullable() })),
});
export type DevicesAnswer = z.infer<typeof DevicesAnswerSchema>;

export const MqttClientCreatedSchema = z.object({
  client: MqttClientViewSchema,
  /** The generated password, shown once (absent when the request gave one). */
  password: z.string().optional(),
});

export const UserViewSchema = PublicUserSchema.extend({ id: z.number().int(), disabled: z.boolean().optional() });
export const UsersAnswerSchema = z.object({ users: z.array(UserViewSchema) });
export const UserAnswerSchema = z.object({ user: UserViewSchema });

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  address: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditAnswerSchema = z.object({ entries: z.array(AuditEntrySchema) });

export const EventsAnswerSchema = z.object({ events: z.array(PanelEventSchema) });
