import { z } from 'zod';
import { ID_RE, UUID_V7_RE } from '@campus/protocol';
import {
  AgentAnswerSchema,
  AgentDetailSchema,
  AgentsAnswerSchema,
  DeviceRequestsAnswerSchema,
  EndpointKeysSchema,
  GrantAnswerSchema,
  PoliciesAnswerSchema,
  PolicyAnswerSchema,
  PolicyDiffSchema,
  PolicyPreviewSchema,
  PolicyPushedSchema,
  ProvisionedAgentSchema,
  RequestApprovedSchema,
  RequestDeniedSchema,
} from '@campus/protocol/usb/api';
import { UsbDeviceIdentitySchema } from '@campus/protocol/usb/device';
import { NoContent, type ApiRouter } from '../http/router.js';
import { ApiError } from '../http/errors.js';
import { GroupIdSchema, PolicyContentSchema, PolicyTargetSchema } from './policy-content.js';
import { REQUEST_STATUSES } from './request-repo.js';
import type { EndpointGuardService } from './service.js';
import './messages.js';

const IT = ['it'] as const;
const TAG = 'endpoints';

const AgentParam = z.strictObject({ id: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)') });
const VersionParam = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const RequestParam = z.strictObject({ id: z.string().regex(UUID_V7_RE, 'a request id (UUIDv7)') });
const GrantParam = z.strictObject({ id: z.coerce.number().int().positive() });

/** A host name or IP address PCs can reach the edge at. */
const EdgeHost = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^[0-9a-fA-F:]+$/, 'a host name or IP address')
  .describe('Host or IP the PCs reach the edge at; defaults to endpoints.brokerUrl, else the host this request came to');

const Groups = z.array(GroupIdSchema).max(32);

const NewAgent = z.strictObject({
  agentId: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)'),
  displayName: z.string().trim().min(1).max(64),
  groups: Groups.default([]),
  edgeHost: EdgeHost.optional(),
});

const AgentChanges = z
  .strictObject({ displayName: z.string().trim().min(1).max(64).optional(), groups: Groups.optional() })
  .refine((b) => b.displayName !== undefined || b.groups !== undefined, { message: 'give displayName and/or groups' });

const NewPolicy = z.strictObject({
  target: PolicyTargetSchema,
  content: PolicyContentSchema,
  basedOn: z.number().int().positive().optional().describe('The version this one was edited from'),
});

const Repush = z.strictObject({ target: PolicyTargetSchema.optional().describe('Defaults to the version’s own target') });

const Preview = z.strictObject({ from: z.number().int().positive(), target: PolicyTargetSchema, content: PolicyContentSchema });

const Minutes = z.number().int().min(1).max(60 * 24 * 366);

const Approval = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('temporary'), durationMinutes: Minutes.optional().describe('Defaults to what the teacher asked for, else 120'), note: z.string().max(200).optional() }),
  z.strictObject({ kind: z.literal('permanent'), note: z.string().max(200).optional() }),
]);

const Denial = z.strictObject({ note: z.string().max(200).optional() });

const NewGrant = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('temporary'),
    device: UsbDeviceIdentitySchema,
    durationMinutes: Minutes.default(120),
    grantedTo: z.string().max(64).optional(),
    note: z.string().max(200).optional(),
  }),
  z.strictObject({ kind: z.literal('permanent'), device: UsbDeviceIdentitySchema, grantedTo: z.string().max(64).optional(), note: z.string().max(200).optional() }),
]);

/** The IT routes of the USB endpoint guard (docs/endpoints-api.md). */
export function endpointRoutes(api: ApiRouter, module: { service: EndpointGuardService | null; failure: string | null }): void {
  const svc = (): EndpointGuardService => {
    const s = module.service;
    if (!s) throw new ApiError(503, 'endpoints.unavailable', { detail: module.failure ?? 'not started' });
    return s;
  };

  api.add({
    method: 'get',
    path: '/api/endpoints/keys',
    summary: 'Policy signing public key and broker TLS fingerprint, for agent configs',
    tag: TAG,
    access: [...IT],
    response: EndpointKeysSchema,
    handler: () => svc().keys(),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/agents',
    summary: 'PC agents with online state, host, policy version published and applied',
    tag: TAG,
    access: [...IT],
    response: AgentsAnswerSchema,
    handler: () => ({ agents: svc().listAgents() }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/agents',
    summary: 'Register a PC: MQTT credentials (role pc-agent) and its agent config file, shown once',
    tag: TAG,
    access: [...IT],
    body: NewAgent,
    audit: 'endpoints.agent.provision',
    status: 201,
    response: ProvisionedAgentSchema,
    handler: ({ body, user, req }) => svc().provision(body, user!.username, req.hostname),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/agents/:id',
    summary: 'One PC: state, its signed policy document, grants and requests',
    tag: TAG,
    access: [...IT],
    params: AgentParam,
    response: AgentDetailSchema,
    handler: ({ params }) => svc().agentDetail(params.id),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/agents/:id/update',
    summary: 'Rename a PC or change its groups (its policy is re-issued when groups change)',
    tag: TAG,
    access: [...IT],
    params: AgentParam,
    body: AgentChanges,
    audit: 'endpoints.agent.update',
    response: AgentAnswerSchema,
    handler: async ({ params, body, user }) => ({ agent: await svc().updateAgent(params.id, body, user!.username) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/agents/:id/credentials',
    summary: 'New MQTT password and agent config file for a PC (the old password stops working)',
    tag: TAG,
    access: [...IT],
    params: AgentParam,
    body: z.strictObject({ edgeHost: EdgeHost.optional() }),
    audit: 'endpoints.agent.credentials',
    response: ProvisionedAgentSchema,
    handler: ({ params, body, user, req }) => svc().rotateCredentials(params.id, user!.username, body.edgeHost, req.hostname),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/agents/:id/decommission',
    summary: 'Retire a PC: credentials disabled, retained policy cleared, grants removed',
    tag: TAG,
    access: [...IT],
    params: AgentParam,
    audit: 'endpoints.agent.decommission',
    response: NoContent,
    handler: async ({ params, user }) => {
      await svc().decommission(params.id, user!.username);
      return undefined;
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/agents/:id/grants',
    summary: 'Allow a device on one PC, temporarily (with expiry) or permanently',
    tag: TAG,
    access: [...IT],
    params: AgentParam,
    body: NewGrant,
    audit: 'endpoints.grant.add',
    status: 201,
    response: GrantAnswerSchema,
    handler: async ({ params, body, user }) => ({ grant: await svc().grant(params.id, body, user!.username) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/grants/:id/revoke',
    summary: 'Withdraw a device grant (the PC’s policy is re-issued)',
    tag: TAG,
    access: [...IT],
    params: GrantParam,
    audit: 'endpoints.grant.revoke',
    response: GrantAnswerSchema,
    handler: async ({ params, user }) => ({ grant: await svc().revokeGrant(params.id, user!.username) }),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/policies',
    summary: 'USB policy versions, newest first, with how many PCs run and applied each',
    tag: TAG,
    access: [...IT],
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.coerce.number().int().positive().optional() }),
    response: PoliciesAnswerSchema,
    handler: ({ query }) => ({ policies: svc().listPolicies(query.limit, query.before) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/policies',
    summary: 'Push a new USB policy version to all PCs, a group or one PC',
    tag: TAG,
    access: [...IT],
    body: NewPolicy,
    audit: 'endpoints.policy.push',
    status: 201,
    response: PolicyPushedSchema,
    handler: ({ body, user }) => svc().push(body, user!.username),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/policies/diff',
    summary: 'What changed between two policy versions',
    tag: TAG,
    access: [...IT],
    query: z.strictObject({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() }),
    response: PolicyDiffSchema,
    handler: ({ query }) => svc().diff(query.from, query.to),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/policies/preview',
    summary: 'What a push would change against the version it was edited from, and how many PCs it reaches',
    tag: TAG,
    access: [...IT],
    body: Preview,
    audit: 'endpoints.policy.preview',
    response: PolicyPreviewSchema,
    handler: ({ body }) => svc().preview(body),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/policies/:id',
    summary: 'One policy version',
    tag: TAG,
    access: [...IT],
    params: VersionParam,
    response: PolicyAnswerSchema,
    handler: ({ params }) => ({ policy: svc().policy(params.id) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/policies/:id/push',
    summary: 'Push an existing version again (as a new version), to its target or another',
    tag: TAG,
    access: [...IT],
    params: VersionParam,
    body: Repush,
    audit: 'endpoints.policy.repush',
    status: 201,
    response: PolicyPushedSchema,
    handler: ({ params, body, user }) => svc().repush(params.id, body.target, user!.username),
  });

  api.add({
    method: 'get',
    path: '/api/endpoints/requests',
    summary: 'Device requests from teachers, newest first',
    tag: TAG,
    access: [...IT],
    query: z.strictObject({
      status: z.enum(REQUEST_STATUSES).optional(),
      agent: z.string().regex(ID_RE).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: DeviceRequestsAnswerSchema,
    handler: ({ query }) => ({ requests: svc().listRequests({ status: query.status, agentId: query.agent, limit: query.limit }) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/requests/:id/approve',
    summary: 'Approve a device request, temporarily (with expiry) or permanently',
    tag: TAG,
    access: [...IT],
    params: RequestParam,
    body: Approval,
    audit: 'endpoints.request.approve',
    response: RequestApprovedSchema,
    handler: ({ params, body, user }) => svc().approve(params.id, body, user!.username),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/endpoints/requests/:id/deny',
    summary: 'Refuse a device request',
    tag: TAG,
    access: [...IT],
    params: RequestParam,
    body: Denial,
    audit: 'endpoints.request.deny',
    response: RequestDeniedSchema,
    handler: ({ params, body, user }) => svc().deny(params.id, body.note, user!.username),
  });
}
