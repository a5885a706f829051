import * as z from 'zod/mini';
import type { PolicyTarget, UsbDeviceIdentity, UsbMatch, UsbPolicy } from '@campus/protocol/usb/index';
import type { EdgeApi } from '../../api/client';

/**
 * The edge's endpoint-guard routes (docs/endpoints-api.md) as the panel uses them. Each
 * answer is parsed before the page trusts it; fields the pages do not show are passed
 * through loosely so a newer edge with more fields still works.
 */
// The policy and device shapes are protocol's (protocol/src/usb): the panel does not re-type them,
// and each parser below is pinned to the protocol type, so a change there fails the panel's build.
export type { PolicyTarget, UsbException, UsbMatch, UsbRule } from '@campus/protocol/usb/policy';
export type PolicyState = 'none' | 'pending' | 'applied' | 'refused';

/** What IT edits in a policy: the protocol's policy document without the fields the edge fills in. */
export type PolicyContent = Pick<UsbPolicy, 'killSwitch' | 'defaultAction' | 'keystrokeGuard' | 'rules' | 'exceptions' | 'note'>;

/** The identity of a USB device in events and requests. */
export type DeviceIdentity = UsbDeviceIdentity;

export interface Agent {
  agentId: string;
  displayName: string;
  groups: string[];
  online: boolean;
  hostname: string | null;
  platform: string | null;
  agentVersion: string | null;
  lastHeardAt: number | null;
  silentSince: number | null;
  createdAt: number;
  policy: { state: PolicyState; version: number | null; published: number | null; applied: number | null; ack: { status: string; reason: string; detail: string | null; at: number } | null };
  heartbeat: { devicesPresent: number; devicesBlocked: number; killSwitch: boolean; at: number | null } | null;
  grantsInForce: number;
}

export interface PolicyVersion {
  version: number;
  target: PolicyTarget;
  basedOn: number | null;
  createdAt: number;
  createdBy: string;
  content: PolicyContent;
  rollout: { agents: number; applied: number; refused: number };
}

export type PolicyChange =
  | { section: 'target'; kind: 'changed'; before: PolicyTarget; after: PolicyTarget }
  | { section: 'settings'; kind: 'changed'; field: 'killSwitch' | 'defaultAction' | 'keystrokeGuard' | 'note'; before: unknown; after: unknown }
  | { section: 'rules' | 'exceptions'; kind: 'added' | 'removed' | 'changed'; id: string }
  | { section: 'rules' | 'exceptions'; kind: 'moved'; id: string; from: number; to: number };

export interface DeviceRequest {
  id: string;
  agentId: string;
  agentName: string | null;
  requestedAt: number;
  device: DeviceIdentity;
  requestedBy: string;
  note: string;
  durationMinutes: number | null;
  status: 'pending' | 'approved' | 'denied';
  decidedBy: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
}

/** The agent config file (endpoint-guard's AgentConfigSchema), shown once. */
export interface AgentConfigFile {
  agentId: string;
  groups: string[];
  edge: { host: string; port: number; fingerprintsSha256: string[] };
  credentials: { password: string };
  policyKeys: Array<{ kid: string; publicKeyPem: string }>;
}

export interface Provisioned {
  agent: Agent;
  broker: { host: string; port: number; source: string };
  fileName: string;
  config: AgentConfigFile;
}

export interface Keys {
  policyKey: { algorithm: string; kid: string; publicKeyPem: string };
  broker: { tlsFingerprint256: string | null; tlsPort: number | null; url: string | null };
}

const target: z.ZodMiniType<PolicyTarget> = z.union([
  z.object({ scope: z.literal('all') }),
  z.object({ scope: z.literal('group'), group: z.string() }),
  z.object({ scope: z.literal('pc'), agentId: z.string() }),
]);
const match: z.ZodMiniType<UsbMatch> = z.object({
  vid: z.optional(z.string()),
  pid: z.optional(z.string()),
  serial: z.optional(z.string()),
  port: z.optional(z.string()),
  interfaceClass: z.optional(z.number()),
});
const content: z.ZodMiniType<PolicyContent> = z.object({
  killSwitch: z.boolean(),
  defaultAction: z.enum(['deny', 'allow']),
  keystrokeGuard: z.object({ enabled: z.boolean() }),
  rules: z.array(z.object({ id: z.string(), action: z.enum(['allow', 'block']), match, note: z.optional(z.string()) })),
  exceptions: z.array(z.object({ id: z.string(), match, expiresAt: z.number(), grantedTo: z.optional(z.string()), note: z.optional(z.string()) })),
  note: z.optional(z.string()),
});
const agent: z.ZodMiniType<Agent> = z.object({
  agentId: z.string(),
  displayName: z.string(),
  groups: z.array(z.string()),
  online: z.boolean(),
  hostname: z.nullable(z.string()),
  platform: z.nullable(z.string()),
  agentVersion: z.nullable(z.string()),
  lastHeardAt: z.nullable(z.number()),
  silentSince: z.nullable(z.number()),
  createdAt: z.number(),
  policy: z.object({
    state: z.enum(['none', 'pending', 'applied', 'refused']),
    version: z.nullable(z.number()),
    published: z.nullable(z.number()),
    applied: z.nullable(z.number()),
    ack: z.nullable(z.object({ status: z.string(), reason: z.string(), detail: z.nullable(z.string()), at: z.number() })),
  }),
  heartbeat: z.nullable(z.object({ devicesPresent: z.number(), devicesBlocked: z.number(), killSwitch: z.boolean(), at: z.nullable(z.number()) })),
  grantsInForce: z.number(),
});
const policyVersion: z.ZodMiniType<PolicyVersion> = z.object({
  version: z.number(),
  target,
  basedOn: z.nullable(z.number()),
  createdAt: z.number(),
  createdBy: z.string(),
  content,
  rollout: z.object({ agents: z.number(), applied: z.number(), refused: z.number() }),
});
const change: z.ZodMiniType<PolicyChange> = z.union([
  z.object({ section: z.literal('target'), kind: z.literal('changed'), before: target, after: target }),
  z.object({ section: z.literal('settings'), kind: z.literal('changed'), field: z.enum(['killSwitch', 'defaultAction', 'keystrokeGuard', 'note']), before: z.unknown(), after: z.unknown() }),
  z.object({ section: z.enum(['rules', 'exceptions']), kind: z.literal('moved'), id: z.string(), from: z.number(), to: z.number() }),
  z.object({ section: z.enum(['rules', 'exceptions']), kind: z.enum(['added', 'removed', 'changed']), id: z.string() }),
]);
const device: z.ZodMiniType<DeviceIdentity> = z.object({
  vid: z.string(),
  pid: z.string(),
  serial: z.nullable(z.string()),
  port: z.string(),
  manufacturer: z.nullable(z.string()),
  product: z.nullable(z.string()),
  interfaceClasses: z.array(z.number()),
});
const request: z.ZodMiniType<DeviceRequest> = z.object({
  id: z.string(),
  agentId: z.string(),
  agentName: z.nullable(z.string()),
  requestedAt: z.number(),
  device,
  requestedBy: z.string(),
  note: z.string(),
  durationMinutes: z.nullable(z.number()),
  status: z.enum(['pending', 'approved', 'denied']),
  decidedBy: z.nullable(z.string()),
  decidedAt: z.nullable(z.number()),
  decisionNote: z.nullable(z.string()),
});
const provisioned: z.ZodMiniType<Provisioned> = z.object({
  agent,
  broker: z.object({ host: z.string(), port: z.number(), source: z.string() }),
  fileName: z.string(),
  config: z.object({
    agentId: z.string(),
    groups: z.array(z.string()),
    edge: z.object({ host: z.string(), port: z.number(), fingerprintsSha256: z.array(z.string()) }),
    credentials: z.object({ password: z.string() }),
    policyKeys: z.array(z.object({ kid: z.string(), publicKeyPem: z.string() })),
  }),
});
const keys: z.ZodMiniType<Keys> = z.object({
  policyKey: z.object({ algorithm: z.string(), kid: z.string(), publicKeyPem: z.string() }),
  broker: z.object({ tlsFingerprint256: z.nullable(z.string()), tlsPort: z.nullable(z.number()), url: z.nullable(z.string()) }),
});
const ok = z.object({});

const BASE = '/api/endpoints';

export const endpointsApi = {
  keys: (api: EdgeApi) => api.get(`${BASE}/keys`, keys),
  agents: async (api: EdgeApi) => (await api.get(`${BASE}/agents`, z.object({ agents: z.array(agent) }))).agents,
  register: (api: EdgeApi, body: { agentId: string; displayName: string; groups: string[]; edgeHost?: string }) => api.post(`${BASE}/agents`, provisioned, body),
  newCredentials: (api: EdgeApi, agentId: string) => api.post(`${BASE}/agents/${encodeURIComponent(agentId)}/credentials`, provisioned, {}),
  updateAgent: (api: EdgeApi, agentId: string, body: { displayName?: string; groups?: string[] }) => api.post(`${BASE}/agents/${encodeURIComponent(agentId)}/update`, ok, body),
  decommission: (api: EdgeApi, agentId: string) => api.postNoContent(`${BASE}/agents/${encodeURIComponent(agentId)}/decommission`),
  grant: (api: EdgeApi, agentId: string, body: { kind: 'temporary' | 'permanent'; device: DeviceIdentity; durationMinutes?: number; grantedTo?: string }) =>
    api.post(`${BASE}/agents/${encodeURIComponent(agentId)}/grants`, ok, body),
  policies: async (api: EdgeApi) => (await api.get(`${BASE}/policies?limit=100`, z.object({ policies: z.array(policyVersion) }))).policies,
  diff: async (api: EdgeApi, from: number, to: number) => (await api.get(`${BASE}/policies/diff?from=${from}&to=${to}`, z.object({ changes: z.array(change) }))).changes,
  preview: (api: EdgeApi, body: { from: number; target: PolicyTarget; content: PolicyContent }) => api.post(`${BASE}/policies/preview`, z.object({ changes: z.array(change), agents: z.number() }), body),
  push: (api: EdgeApi, body: { target: PolicyTarget; content: PolicyContent; basedOn: number }) =>
    api.post(`${BASE}/policies`, z.object({ policy: policyVersion, agents: z.array(z.string()) }), body),
  requests: async (api: EdgeApi) => (await api.get(`${BASE}/requests?limit=200`, z.object({ requests: z.array(request) }))).requests,
  approve: (api: EdgeApi, id: string, body: { kind: 'temporary'; durationMinutes: number } | { kind: 'permanent' }) => api.post(`${BASE}/requests/${id}/approve`, ok, body),
  deny: (api: EdgeApi, id: string, note?: string) => api.post(`${BASE}/requests/${id}/deny`, ok, note ? { note } : {}),
};

/** The device identity an agent's USB event carries (event.data.device), if it has one. */
export function deviceOfEvent(data: Record<string, unknown>): DeviceIdentity | null {
  const parsed = device.safeParse(data.device);
  return parsed.success ? parsed.data : null;
}
