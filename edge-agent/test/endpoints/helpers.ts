import type { PeerCertificate } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topics, UuidV7Generator } from '@campus/protocol';
import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import type { PolicyAck, UsbDeviceRequest, UsbEvent } from '@campus/protocol/usb/messages';
import { policyKeyring, verifySignedPolicy, type PolicyKeyring } from '@campus/protocol/usb/signing';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import { ADMIN, ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import type { EdgeConfigInput } from '../../src/edge-config.js';
import type { StartEdgeOptions } from '../../src/edge.js';
import type { AgentConfigFile } from '../../src/endpoints/agent-config.js';
import { waitFor as kitWaitFor } from '@campus/testkit';

export type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

export const IT_USER = { username: 'it-zhang', password: 'it-password-123', roles: ['it' as const], displayName: '信息中心张老师' };
export const GUARD_USER = { username: 'guard-li', password: 'guard-password-1', roles: ['security' as const] };

/** A real edge (TLS broker, SQLite, HTTP) with an IT user signed in. */
export async function startGuardEdge(overrides: Partial<EdgeConfigInput> = {}, opts: StartEdgeOptions = {}): Promise<{ edge: TestEdge; it: ApiClient }> {
  const edge = await startTestEdge(overrides, { users: [IT_USER, GUARD_USER], ...opts });
  const it = new ApiClient(edge.httpUrl);
  const r = await it.login(IT_USER.username, IT_USER.password);
  if (r.status !== 200) throw new Error(`IT sign-in failed: ${r.status}`);
  return { edge, it };
}

export { ADMIN };

/** Polls an async condition until it yields a value (the shared test kit's waitFor; a timeout only fails the wait). */
export function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 8000, stepMs = 25): Promise<T> {
  return kitWaitFor(fn, 'the condition', { timeoutMs, intervalMs: stepMs });
}

export type { AgentConfigFile };

/** Registers a PC through the IT API and returns its config file. */
export async function provision(it: ApiClient, agentId: string, extra: { groups?: string[]; displayName?: string } = {}): Promise<AgentConfigFile> {
  const r = await it.req('POST', '/api/endpoints/agents', { agentId, displayName: extra.displayName ?? `机房电脑 ${agentId}`, groups: extra.groups ?? [], edgeHost: '127.0.0.1' });
  if (r.status !== 201) throw new Error(`provision ${agentId}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.config as AgentConfigFile;
}

/**
 * A stand-in for campus-guard speaking the real protocol: connects over TLS with the
 * credentials from its config file, pinning the certificate fingerprint, verifies every
 * policy document with the pinned public key and keeps the policies it received.
 */
export class SimulatedAgent {
  readonly policies: Array<{ policy: UsbPolicy; raw: unknown }> = [];
  readonly refused: Array<{ reason: string; detail: string }> = [];
  private readonly ids = new UuidV7Generator();
  readonly keyring: PolicyKeyring;

  private constructor(
    readonly config: AgentConfigFile,
    readonly client: MqttClient,
  ) {
    this.keyring = policyKeyring(config.policyKeys.map((k) => ({ kid: k.kid, publicKey: k.publicKeyPem })));
  }

  static async connect(config: AgentConfigFile, opts: { ackAutomatically?: boolean } = {}): Promise<SimulatedAgent> {
    const client = await new Promise<MqttClient>((resolve, reject) => {
      const c = mqtt.connect({
        protocol: 'mqtts',
        host: config.edge.host,
        port: config.edge.port,
        clientId: config.agentId,
        username: config.agentId,
        password: config.credentials.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        rejectUnauthorized: false,
        // Passed through to tls.connect (mqtt.js does not declare it): pin the fingerprint, as the agent does.
        checkServerIdentity: (_host: string, cert: PeerCertificate) => (config.edge.fingerprintsSha256.includes(cert.fingerprint256) ? undefined : new Error('certificate not pinned')),
      } as IClientOptions);
      c.once('connect', () => resolve(c));
      c.once('error', (err) => {
        c.end(true);
        reject(err);
      });
    });
    const agent = new SimulatedAgent(config, client);
    client.on('message', (topic, payload) => {
      if (topic !== topics.agentPolicy(config.agentId) || payload.length === 0) return;
      const v = verifySignedPolicy(JSON.parse(payload.toString('utf8')), agent.keyring);
      if (!v.ok) {
        agent.refused.push({ reason: v.reason, detail: v.detail });
        return;
      }
      agent.policies.push({ policy: v.policy, raw: JSON.parse(payload.toString('utf8')) });
      if (opts.ackAutomatically !== false) {
        // A test may close the agent while the ack is in flight.
        agent.ack({ version: v.policy.version, status: 'applied', reason: 'usb.policy.applied', activeVersion: v.policy.version, activeDigest: v.digest }).catch(() => undefined);
      }
    });
    await client.subscribeAsync(topics.agentPolicy(config.agentId), { qos: 1 });
    return agent;
  }

  get agentId(): string {
    return this.config.agentId;
  }

  latest(): UsbPolicy | undefined {
    return this.policies.at(-1)?.policy;
  }

  async waitForVersion(version: number): Promise<UsbPolicy> {
    return waitFor(() => this.policies.find((p) => p.policy.version === version)?.policy);
  }

  async ack(a: Omit<PolicyAck, 'agentId' | 'at' | 'persisted'> & { persisted?: boolean; agentId?: string }): Promise<void> {
    const body: PolicyAck = { agentId: this.agentId, at: Date.now(), persisted: true, ...a };
    await this.client.publishAsync(topics.agentAck(this.agentId), JSON.stringify(body), { qos: 1 });
  }

  async heartbeat(over: Record<string, unknown> = {}): Promise<void> {
    await this.publish(topics.agentHeartbeat(this.agentId), {
      agentId: this.agentId,
      at: Date.now(),
      seq: 1,
      hostname: `host-${this.agentId}`,
      platform: 'linux',
      agentVersion: '0.1.0',
      intervalS: 30,
      uptimeS: 12,
      policyVersion: this.latest()?.version ?? 0,
      killSwitch: false,
      devicesPresent: 3,
      devicesBlocked: 1,
      eventsDropped: 0,
      eventsQueued: 0,
      ...over,
    });
  }

  usbEvent(kind: 'blocked' | 'inserted', device: UsbDeviceIdentity, over: Partial<UsbEvent> = {}): UsbEvent {
    const base = { id: this.ids.next(), agentId: this.agentId, at: Date.now(), policyVersion: this.latest()?.version ?? 0, droppedBefore: 0 };
    if (kind === 'inserted') return { ...base, kind, arrival: 'inserted', device, reason: 'usb.device.inserted', ...over } as UsbEvent;
    return {
      ...base,
      kind,
      outcome: 'blocked',
      device,
      rule: 'builtin.mass-storage',
      reason: 'usb.blocked.mass_storage',
      interfaces: [{ number: 0, alternate: 0, class: 8, subClass: 6, protocol: 0x50, action: 'deny', rule: 'builtin.mass-storage', reason: 'usb.blocked.mass_storage' }],
      expiresAt: null,
      ...over,
    } as UsbEvent;
  }

  request(device: UsbDeviceIdentity, over: Partial<UsbDeviceRequest> = {}): UsbDeviceRequest {
    return { id: this.ids.next(), agentId: this.agentId, at: Date.now(), device, requestedBy: '王老师', note: '上课要用课件', durationMinutes: 90, ...over };
  }

  async publish(topic: string, body: unknown): Promise<void> {
    await this.client.publishAsync(topic, typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), { qos: 1 });
  }

  close(): void {
    this.client.end(true);
  }
}

export const TEACHER_DRIVE: UsbDeviceIdentity = {
  vid: '0781',
  pid: '5567',
  serial: '4C530001230101104512',
  port: '1-1.2',
  manufacturer: 'SanDisk',
  product: 'Cruzer Blade',
  interfaceClasses: [8],
};

export const STUDENT_DRIVE: UsbDeviceIdentity = {
  vid: '090c',
  pid: '1000',
  serial: null,
  port: '1-2',
  manufacturer: 'SMI Corporation',
  product: 'USB DISK',
  interfaceClasses: [8],
};
