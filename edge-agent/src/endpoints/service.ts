import type { NewEvent } from '@campus/protocol';
import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import { policyTargets, type PolicyTarget } from '@campus/protocol/usb/policy';
import type { PolicyKeyPair } from '@campus/protocol/usb/signing';
import { ApiError } from '../http/errors.js';
import { hashPassword, randomSecret } from '../security/password.js';
import type { Logger } from '../core/log.js';
import type { Db } from '../store/open.js';
import type { MqttClientRepo } from '../store/mqtt-clients.js';
import { AgentConfigRefused, agentConfigFileName, brokerAddress, buildAgentConfig, type AgentConfigFile } from './agent-config.js';
import type { AgentRecord, AgentRepo } from './agent-repo.js';
import { grantMatch } from './compose.js';
import type { GrantRecord, GrantRepo } from './grant-repo.js';
import { ENDPOINT_EVENTS, ENDPOINT_REASON } from './messages.js';
import { diffPolicies, type PolicyChange } from './policy-diff.js';
import { MAX_GRANTS_PER_AGENT, type PolicyContent } from './policy-content.js';
import type { PolicyRepo, PolicyVersionRecord } from './policy-repo.js';
import type { PolicyPublisher } from './publisher.js';
import type { DeviceRequestRecord, RequestRepo } from './request-repo.js';
import { deviceText, localMinute } from './texts.js';
import type { PolicyState } from '@campus/protocol/usb/api';

/** Minutes a temporary grant lasts when neither the teacher nor IT said. */
export const DEFAULT_GRANT_MINUTES = 120;

export interface GuardServiceDeps {
  db: Db;
  agents: AgentRepo;
  policies: PolicyRepo;
  grants: GrantRepo;
  requests: RequestRepo;
  mqttClients: MqttClientRepo;
  publisher: PolicyPublisher;
  key: PolicyKeyPair;
  broker: { isOnline(clientId: string): boolean; tls: { port: number; fingerprint256: string } | null; configuredUrl?: string };
  append: (e: NewEvent) => unknown;
  now: () => number;
  log: Logger;
}

export type { PolicyState };

/** What IT does from the panel: register PCs, push policies, answer device requests. */
export class EndpointGuardService {
  constructor(private readonly d: GuardServiceDeps) {}

  // ---- PCs ----------------------------------------------------------------

  agentView(a: AgentRecord) {
    const now = this.d.now();
    return {
      agentId: a.agentId,
      displayName: a.displayName,
      groups: a.groups,
      online: this.d.broker.isOnline(a.agentId),
      hostname: a.hostname,
      platform: a.platform,
      agentVersion: a.agentVersion,
      lastHeardAt: a.lastHeardAt,
      silentSince: a.silentSince,
      createdAt: a.createdAt,
      policy: {
        state: policyState(a),
        /** IT's policy version the PC's document is built from. */
        version: a.policyVersion,
        /** The signed document's version (higher than `version` when grants were added since). */
        published: a.publishedVersion,
        publishedAt: a.publishedAt,
        applied: a.ack?.activeVersion ?? null,
        ack: a.ack && { status: a.ack.status, reason: a.ack.reason, detail: a.ack.detail, persisted: a.ack.persisted, at: a.ack.at, answered: a.ack.version },
      },
      heartbeat: a.heartbeat && { ...a.heartbeat, at: a.heartbeatAt },
      grantsInForce: this.d.grants.inForce(a.agentId, now).length,
    };
  }

  listAgents() {
    return this.d.agents.list().map((a) => this.agentView(a));
  }

  agentDetail(agentId: string) {
    const a = this.requireAgent(agentId);
    const doc = this.d.agents.publishedDoc(agentId);
    return {
      agent: this.agentView(a),
      grants: this.d.grants.forAgent(agentId).map((g) => this.grantView(g)),
      document: doc ? (JSON.parse(doc) as Record<string, unknown>) : null,
      requests: this.d.requests.list({ agentId, limit: 50 }),
    };
  }

  async provision(input: { agentId: string; displayName: string; groups: string[]; edgeHost?: string }, actor: string, panelHost: string | undefined) {
    const tls = this.requireTls();
    const client = this.d.mqttClients.get(input.agentId);
    if (client && client.role !== 'pc-agent') throw new ApiError(409, 'endpoints.client_taken', { agentId: input.agentId, role: client.role });
    if (this.d.agents.get(input.agentId)) throw new ApiError(409, 'endpoints.agent_exists', { agentId: input.agentId });
    const password = randomSecret(24);
    // Made (and checked with the agent's schema) before anything is stored.
    const file = this.configFile(input.agentId, input.groups, password, tls, input.edgeHost, panelHost);
    const passwordHash = await hashPassword(password);
    const at = this.d.now();
    this.d.db.transaction(() => {
      this.d.mqttClients.upsert({ clientId: input.agentId, role: 'pc-agent', displayName: input.displayName, passwordHash });
      this.d.agents.create({ agentId: input.agentId, displayName: input.displayName, groups: input.groups, at });
    })();
    await this.d.publisher.reissue([input.agentId], { by: actor });
    this.d.append({
      type: ENDPOINT_EVENTS.agent,
      reason: ENDPOINT_REASON.agentProvisioned,
      source: `user:${actor}`,
      subject: input.agentId,
      data: { agentId: input.agentId, displayName: input.displayName, groups: input.groups },
    });
    return this.configResponse(this.requireAgent(input.agentId), file);
  }

  async rotateCredentials(agentId: string, actor: string, edgeHost: string | undefined, panelHost: string | undefined) {
    const tls = this.requireTls();
    const agent = this.requireAgent(agentId);
    const password = randomSecret(24);
    const file = this.configFile(agentId, agent.groups, password, tls, edgeHost, panelHost);
    this.d.mqttClients.upsert({ clientId: agentId, role: 'pc-agent', displayName: agent.displayName, passwordHash: await hashPassword(password) });
    this.d.append({ type: ENDPOINT_EVENTS.agent, reason: ENDPOINT_REASON.agentCredentialsRotated, severity: 'notice', source: `user:${actor}`, subject: agentId, data: { agentId } });
    return this.configResponse(agent, file);
  }

  async updateAgent(agentId: string, changes: { displayName?: string; groups?: string[] }, actor: string) {
    const before = this.requireAgent(agentId);
    const after = this.d.agents.update(agentId, changes)!;
    if (changes.groups && JSON.stringify(before.groups) !== JSON.stringify(after.groups)) await this.d.publisher.reissue([agentId], { by: actor });
    return this.agentView(this.requireAgent(agentId));
  }

  async decommission(agentId: string, actor: string): Promise<void> {
    this.requireAgent(agentId);
    this.d.db.transaction(() => {
      this.d.mqttClients.setEnabled(agentId, false);
      this.d.agents.remove(agentId);
    })();
    await this.d.publisher.clear(agentId);
    this.d.append({ type: ENDPOINT_EVENTS.agent, reason: ENDPOINT_REASON.agentDecommissioned, severity: 'notice', source: `user:${actor}`, subject: agentId, data: { agentId } });
  }

  keys() {
    return {
      policyKey: { algorithm: 'Ed25519' as const, kid: this.d.key.kid, publicKeyPem: this.d.key.publicKeyPem },
      broker: { tlsFingerprint256: this.d.broker.tls?.fingerprint256 ?? null, tlsPort: this.d.broker.tls?.port ?? null, url: this.d.broker.configuredUrl ?? null },
    };
  }

  // ---- policies -----------------------------------------------------------

  policyView(v: PolicyVersionRecord, agents: readonly AgentRecord[]) {
    const running = agents.filter((a) => a.policyVersion === v.version);
    return {
      version: v.version,
      target: v.target,
      basedOn: v.basedOn,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      content: v.content,
      rollout: { agents: running.length, applied: running.filter((a) => policyState(a) === 'applied').length, refused: running.filter((a) => policyState(a) === 'refused').length },
    };
  }

  listPolicies(limit: number, before?: number) {
    const agents = this.d.agents.list();
    return this.d.policies.list(limit, before).map((v) => this.policyView(v, agents));
  }

  policy(version: number) {
    return this.policyView(this.requireVersion(version), this.d.agents.list());
  }

  diff(from: number, to: number): { from: number; to: number; changes: PolicyChange[] } {
    const a = this.requireVersion(from);
    const b = this.requireVersion(to);
    return { from, to, changes: diffPolicies(a, b) };
  }

  /** What a push would change against `from` (the version IT edited), and which PCs it reaches. */
  preview(input: { from: number; target: PolicyTarget; content: PolicyContent }) {
    const base = this.requireVersion(input.from);
    this.checkTarget(input.target);
    return {
      from: input.from,
      changes: diffPolicies(base, input),
      agents: this.d.agents.list().filter((a) => policyTargets(input.target, a)).length,
    };
  }

  async push(input: { target: PolicyTarget; content: PolicyContent; basedOn?: number }, actor: string) {
    if (input.basedOn !== undefined) this.requireVersion(input.basedOn);
    this.checkTarget(input.target);
    const version = this.d.policies.create({ target: input.target, content: input.content, basedOn: input.basedOn ?? null, at: this.d.now(), by: actor });
    const reached = this.d.agents.list().filter((a) => policyTargets(input.target, a)).map((a) => a.agentId);
    const result = await this.d.publisher.reissue(reached, { by: actor });
    this.d.append({
      type: ENDPOINT_EVENTS.policy,
      reason: input.target.scope === 'all' ? ENDPOINT_REASON.policyPublishedAll : input.target.scope === 'group' ? ENDPOINT_REASON.policyPublishedGroup : ENDPOINT_REASON.policyPublishedPc,
      source: `user:${actor}`,
      subject: input.target.scope === 'pc' ? input.target.agentId : null,
      data: { version: version.version, scope: input.target.scope, group: input.target.scope === 'group' ? input.target.group : null, agentId: input.target.scope === 'pc' ? input.target.agentId : null, agents: result.changed.length },
    });
    return { policy: this.policy(version.version), agents: result.changed };
  }

  /** Pushes an existing version's content again, to the same or another target. */
  repush(version: number, target: PolicyTarget | undefined, actor: string) {
    const v = this.requireVersion(version);
    return this.push({ target: target ?? v.target, content: v.content, basedOn: v.version }, actor);
  }

  // ---- device requests and grants ----------------------------------------

  grantView(g: GrantRecord) {
    const now = this.d.now();
    return { ...g, state: g.revokedAt !== null ? ('revoked' as const) : g.expiresAt !== null && g.expiresAt <= now ? ('expired' as const) : ('active' as const) };
  }

  listRequests(q: { status?: DeviceRequestRecord['status']; agentId?: string; limit: number }) {
    const names = new Map(this.d.agents.list().map((a) => [a.agentId, a.displayName]));
    return this.d.requests.list(q).map((r) => ({ ...r, agentName: names.get(r.agentId) ?? null }));
  }

  async approve(requestId: string, input: { kind: 'temporary' | 'permanent'; durationMinutes?: number; note?: string }, actor: string) {
    const req = this.d.requests.get(requestId);
    if (!req) throw new ApiError(404, 'not_found', { what: requestId });
    if (req.status !== 'pending') throw new ApiError(409, 'endpoints.request_decided', { status: req.status });
    this.requireAgent(req.agentId);
    const minutes = input.durationMinutes ?? req.durationMinutes ?? DEFAULT_GRANT_MINUTES;
    const grant = this.d.db.transaction(() => {
      const g = this.createGrant(req.agentId, req.device, { kind: input.kind, minutes, note: input.note ?? null, grantedTo: req.requestedBy, requestId }, actor);
      if (!this.d.requests.decide(requestId, { status: 'approved', by: actor, at: this.d.now(), note: input.note ?? null, grantId: g.id })) {
        throw new ApiError(409, 'endpoints.request_decided', { status: 'approved/denied' });
      }
      return g;
    })();
    await this.d.publisher.reissue([req.agentId], { by: actor });
    this.d.append({
      type: ENDPOINT_EVENTS.request,
      reason: grant.kind === 'temporary' ? ENDPOINT_REASON.requestApprovedTemporary : ENDPOINT_REASON.requestApprovedPermanent,
      source: `user:${actor}`,
      subject: req.agentId,
      data: { agentId: req.agentId, requestId, grantId: grant.id, requestedBy: req.requestedBy, deviceText: deviceText(req.device), kind: grant.kind, expiresAt: grant.expiresAt, until: grant.expiresAt === null ? null : localMinute(grant.expiresAt) },
    });
    return { request: this.d.requests.get(requestId)!, grant: this.grantView(grant) };
  }

  deny(requestId: string, note: string | undefined, actor: string) {
    const req = this.d.requests.get(requestId);
    if (!req) throw new ApiError(404, 'not_found', { what: requestId });
    if (!this.d.requests.decide(requestId, { status: 'denied', by: actor, at: this.d.now(), note: note ?? null, grantId: null })) {
      throw new ApiError(409, 'endpoints.request_decided', { status: req.status });
    }
    this.d.append({
      type: ENDPOINT_EVENTS.request,
      reason: ENDPOINT_REASON.requestDenied,
      source: `user:${actor}`,
      subject: req.agentId,
      data: { agentId: req.agentId, requestId, requestedBy: req.requestedBy, deviceText: deviceText(req.device), note: note ?? null },
    });
    return { request: this.d.requests.get(requestId)! };
  }

  /** IT allows a device directly (e.g. picked from the PC's blocked events). */
  async grant(agentId: string, input: { device: UsbDeviceIdentity; kind: 'temporary' | 'permanent'; durationMinutes?: number; grantedTo?: string; note?: string }, actor: string) {
    this.requireAgent(agentId);
    const g = this.d.db.transaction(() =>
      this.createGrant(agentId, input.device, { kind: input.kind, minutes: input.durationMinutes ?? DEFAULT_GRANT_MINUTES, note: input.note ?? null, grantedTo: input.grantedTo ?? null, requestId: null }, actor),
    )();
    await this.d.publisher.reissue([agentId], { by: actor });
    this.d.append({
      type: ENDPOINT_EVENTS.grant,
      reason: g.kind === 'temporary' ? ENDPOINT_REASON.grantAddedTemporary : ENDPOINT_REASON.grantAddedPermanent,
      source: `user:${actor}`,
      subject: agentId,
      data: { agentId, grantId: g.id, deviceText: deviceText(g.device), kind: g.kind, expiresAt: g.expiresAt, until: g.expiresAt === null ? null : localMinute(g.expiresAt) },
    });
    return this.grantView(g);
  }

  async revokeGrant(grantId: number, actor: string) {
    const g = this.d.grants.get(grantId);
    if (!g) throw new ApiError(404, 'not_found', { what: `grant ${grantId}` });
    if (!this.d.grants.revoke(grantId, actor, this.d.now())) throw new ApiError(409, 'endpoints.grant_revoked');
    await this.d.publisher.reissue([g.agentId], { by: actor });
    this.d.append({ type: ENDPOINT_EVENTS.grant, reason: ENDPOINT_REASON.grantRevoked, severity: 'notice', source: `user:${actor}`, subject: g.agentId, data: { agentId: g.agentId, grantId, deviceText: deviceText(g.device) } });
    return this.grantView(this.d.grants.get(grantId)!);
  }

  // ---- helpers ------------------------------------------------------------

  private createGrant(
    agentId: string,
    device: UsbDeviceIdentity,
    g: { kind: 'temporary' | 'permanent'; minutes: number; note: string | null; grantedTo: string | null; requestId: string | null },
    actor: string,
  ): GrantRecord {
    const now = this.d.now();
    const count = this.d.grants.inForce(agentId, now).length;
    if (count >= MAX_GRANTS_PER_AGENT) throw new ApiError(409, 'endpoints.too_many_grants', { agentId, count, max: MAX_GRANTS_PER_AGENT });
    return this.d.grants.create({
      agentId,
      match: grantMatch(device),
      device,
      kind: g.kind,
      expiresAt: g.kind === 'temporary' ? now + g.minutes * 60_000 : null,
      requestId: g.requestId,
      grantedTo: g.grantedTo,
      grantedBy: actor,
      grantedAt: now,
      note: g.note,
    });
  }

  private configFile(agentId: string, groups: readonly string[], password: string, tls: { port: number; fingerprint256: string }, edgeHost: string | undefined, panelHost: string | undefined) {
    const broker = brokerAddress({ configuredUrl: this.d.broker.configuredUrl, requestedHost: edgeHost, panelHost, tlsPort: tls.port });
    try {
      const config: AgentConfigFile = buildAgentConfig({
        agentId,
        groups,
        broker,
        tlsFingerprint256: tls.fingerprint256,
        password,
        policyKey: { kid: this.d.key.kid, publicKeyPem: this.d.key.publicKeyPem },
      });
      return { broker, config };
    } catch (e) {
      if (e instanceof AgentConfigRefused) throw new ApiError(400, 'endpoints.config_refused', { detail: e.detail });
      throw e;
    }
  }

  private configResponse(agent: AgentRecord, file: { broker: ReturnType<typeof brokerAddress>; config: AgentConfigFile }) {
    return { agent: this.agentView(agent), broker: file.broker, fileName: agentConfigFileName(agent.agentId), config: file.config };
  }

  private requireAgent(agentId: string): AgentRecord {
    const a = this.d.agents.get(agentId);
    if (!a) throw new ApiError(404, 'not_found', { what: agentId });
    return a;
  }

  private requireVersion(version: number): PolicyVersionRecord {
    const v = this.d.policies.get(version);
    if (!v) throw new ApiError(404, 'endpoints.unknown_version', { version }, { version });
    return v;
  }

  private requireTls(): { port: number; fingerprint256: string } {
    if (!this.d.broker.tls) throw new ApiError(409, 'endpoints.no_tls');
    return this.d.broker.tls;
  }

  /** A push to one PC must name a registered PC; a group may be empty (PCs join it later). */
  private checkTarget(target: PolicyTarget): void {
    if (target.scope === 'pc') this.requireAgent(target.agentId);
  }
}

export function policyState(a: Pick<AgentRecord, 'publishedVersion' | 'publishedDigest' | 'ack'>): PolicyState {
  if (a.publishedVersion === null) return 'none';
  if (!a.ack) return 'pending';
  if (a.ack.activeVersion === a.publishedVersion && a.ack.activeDigest === a.publishedDigest) return 'applied';
  if (a.ack.status === 'refused' && a.ack.version === a.publishedVersion) return 'refused';
  return 'pending';
}
