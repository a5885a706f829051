import { z } from 'zod';
import { AgentConfigSchema } from './agent-config.js';
import { UsbDeviceIdentitySchema } from './device.js';
import { AgentHeartbeatSchema, PolicyAckSchema } from './messages.js';
import { PolicyContentSchema } from './policy-content.js';
import { PolicyTargetSchema, UsbMatchSchema } from './policy.js';

/**
 * Shapes of the edge's /api/endpoints answers (docs/endpoints-api.md): the edge declares
 * them as its routes' response schemas (checked under test, shown in /api/openapi.json);
 * the panel compiles against the types (`import type`).
 */
export const POLICY_STATES = ['none', 'pending', 'applied', 'refused'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export const AgentViewSchema = z.object({
  agentId: z.string(),
  displayName: z.string(),
  groups: z.array(z.string()),
  online: z.boolean(),
  hostname: z.string().nullable(),
  platform: z.string().nullable(),
  agentVersion: z.string().nullable(),
  lastHeardAt: z.number().nullable(),
  silentSince: z.number().nullable(),
  createdAt: z.number(),
  policy: z.object({
    state: z.enum(POLICY_STATES),
    /** IT's policy version the PC's document is built from. */
    version: z.number().int().nullable(),
    /** The signed document's version (higher than `version` when grants were added since). */
    published: z.number().int().nullable(),
    publishedAt: z.number().nullable(),
    applied: z.number().int().nullable(),
    ack: z
      .object({ status: PolicyAckSchema.shape.status, reason: z.string(), detail: z.string().nullable(), persisted: z.boolean(), at: z.number(), answered: z.number().int().nullable() })
      .nullable(),
  }),
  heartbeat: AgentHeartbeatSchema.pick({ seq: true, intervalS: true, uptimeS: true, policyVersion: true, killSwitch: true, devicesPresent: true, devicesBlocked: true, eventsDropped: true, eventsQueued: true })
    .extend({ at: z.number().nullable() })
    .nullable(),
  grantsInForce: z.number().int(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;

export const GrantViewSchema = z.object({
  id: z.number().int(),
  agentId: z.string(),
  match: UsbMatchSchema,
  device: UsbDeviceIdentitySchema,
  kind: z.enum(['temporary', 'permanent']),
  expiresAt: z.number().nullable(),
  requestId: z.string().nullable(),
  grantedTo: z.string().nullable(),
  grantedBy: z.string(),
  grantedAt: z.number(),
  note: z.string().nullable(),
  revokedAt: z.number().nullable(),
  revokedBy: z.string().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});
export type GrantView = z.infer<typeof GrantViewSchema>;

export const DEVICE_REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;

export const DeviceRequestViewSchema = z.object({
  id: z.string(),
  agentId: z.string(),
  /** In lists: the PC's display name (null once the PC is gone). */
  agentName: z.string().nullable().optional(),
  requestedAt: z.number(),
  receivedAt: z.number(),
  device: UsbDeviceIdentitySchema,
  requestedBy: z.string(),
  note: z.string(),
  durationMinutes: z.number().int().nullable(),
  status: z.enum(DEVICE_REQUEST_STATUSES),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  decisionNote: z.string().nullable(),
  grantId: z.number().int().nullable(),
});
export type DeviceRequestView = z.infer<typeof DeviceRequestViewSchema>;

export const PolicyVersionViewSchema = z.object({
  version: z.number().int(),
  target: PolicyTargetSchema,
  basedOn: z.number().int().nullable(),
  createdAt: z.number(),
  createdBy: z.string(),
  content: PolicyContentSchema,
  rollout: z.object({ agents: z.number().int(), applied: z.number().int(), refused: z.number().int() }),
});
export type PolicyVersionView = z.infer<typeof PolicyVersionViewSchema>;

const listSection = z.enum(['rules', 'exceptions']);
/**
 * One change between two policy versions, in the terms IT reviews before a push: who it
 * reaches, the switches, and rules/exceptions by id (a rule that only moved is "moved").
 */
export const PolicyChangeSchema = z.union([
  z.object({ section: z.literal('target'), kind: z.literal('changed'), before: PolicyTargetSchema, after: PolicyTargetSchema }),
  z.object({ section: z.literal('settings'), kind: z.literal('changed'), field: z.enum(['killSwitch', 'defaultAction', 'keystrokeGuard', 'note']), before: z.unknown(), after: z.unknown() }),
  z.object({ section: listSection, kind: z.literal('added'), id: z.string(), after: z.unknown(), position: z.number().int() }),
  z.object({ section: listSection, kind: z.literal('removed'), id: z.string(), before: z.unknown(), position: z.number().int() }),
  z.object({ section: listSection, kind: z.literal('changed'), id: z.string(), before: z.unknown(), after: z.unknown() }),
  z.object({ section: listSection, kind: z.literal('moved'), id: z.string(), from: z.number().int(), to: z.number().int() }),
]);
export type PolicyChange = z.infer<typeof PolicyChangeSchema>;

// ---------------------------------------------------------------- route answers

export const EndpointKeysSchema = z.object({
  policyKey: z.object({ algorithm: z.literal('Ed25519'), kid: z.string(), publicKeyPem: z.string() }),
  broker: z.object({ tlsFingerprint256: z.string().nullable(), tlsPort: z.number().int().nullable(), url: z.string().nullable() }),
});
export type EndpointKeys = z.infer<typeof EndpointKeysSchema>;

export const AgentsAnswerSchema = z.object({ agents: z.array(AgentViewSchema) });
export const AgentAnswerSchema = z.object({ agent: AgentViewSchema });

/** A registered PC with its config file (shown once: it holds the PC's MQTT password). */
export const ProvisionedAgentSchema = z.object({
  agent: AgentViewSchema,
  broker: z.object({ host: z.string(), port: z.number().int(), source: z.enum(['request', 'config', 'panel']) }),
  fileName: z.string(),
  config: AgentConfigSchema,
});

export const AgentDetailSchema = z.object({
  agent: AgentViewSchema,
  grants: z.array(GrantViewSchema),
  /** The signed policy document last published for the PC. */
  document: z.record(z.string(), z.unknown()).nullable(),
  requests: z.array(DeviceRequestViewSchema),
});
export type AgentDetail = z.infer<typeof AgentDetailSchema>;

export const GrantAnswerSchema = z.object({ grant: GrantViewSchema });
export const PoliciesAnswerSchema = z.object({ policies: z.array(PolicyVersionViewSchema) });
export const PolicyAnswerSchema = z.object({ policy: PolicyVersionViewSchema });
export const PolicyPushedSchema = z.object({ policy: PolicyVersionViewSchema, /** PCs whose document changed. */ agents: z.array(z.string()) });
export const PolicyDiffSchema = z.object({ from: z.number().int(), to: z.number().int(), changes: z.array(PolicyChangeSchema) });
export const PolicyPreviewSchema = z.object({ from: z.number().int(), changes: z.array(PolicyChangeSchema), agents: z.number().int() });
export const DeviceRequestsAnswerSchema = z.object({ requests: z.array(DeviceRequestViewSchema) });
export const RequestApprovedSchema = z.object({ request: DeviceRequestViewSchema, grant: GrantViewSchema });
export const RequestDeniedSchema = z.object({ request: DeviceRequestViewSchema });
