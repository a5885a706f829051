import type { NewEvent, Severity } from '@campus/protocol';
import type { PolicyAck, UsbDeviceRequest, UsbEvent } from '@campus/protocol/usb/messages';
import { usbEventToNewEvent } from '@campus/protocol/usb/messages';
import type { Logger } from '../core/log.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';
import { statementCache } from './statements.js';
import type { MqttClientRepo } from '../store/mqtt-clients.js';
import { parseAgentMessage, type AgentMessage } from './agent-message.js';
import type { AgentRecord, AgentRepo } from './agent-repo.js';
import { deviceText } from './texts.js';
import { ENDPOINT_EVENTS, ENDPOINT_REASON } from './messages.js';
import type { EndpointMetrics } from './metrics.js';
import type { PolicyRepo } from './policy-repo.js';
import type { PolicyPublisher } from './publisher.js';
import type { RequestRepo } from './request-repo.js';
import { TokenBuckets, WindowedOnce } from './throttle.js';

/**
 * A PC claiming a version more than this far beyond what the edge ever issued is not
 * healed by jumping the number line (one lying PC could exhaust it for every PC).
 */
const MAX_VERSION_CATCH_UP = 1_000_000;

export interface AgentInboxDeps {
  db: Db;
  agents: AgentRepo;
  policies: PolicyRepo;
  requests: RequestRepo;
  mqttClients: MqttClientRepo;
  publisher: PolicyPublisher;
  append: (e: NewEvent) => unknown;
  now: () => number;
  log: Logger;
  metrics: EndpointMetrics;
  maxMessageBytes: number;
  eventsPerMinute: number;
}

/**
 * Everything PC agents publish: heartbeats, policy acks, USB events, device requests.
 * Each message is validated against the protocol schema and the authenticated client
 * id; what fails is discarded and recorded (throttled), never half-stored.
 */
export class AgentInbox {
  private readonly stored: TokenBuckets;
  private readonly refusals: WindowedOnce;
  private readonly sql: (text: string) => Statement;

  constructor(private readonly d: AgentInboxDeps) {
    this.stored = new TokenBuckets(d.eventsPerMinute, 60_000, d.now);
    this.refusals = new WindowedOnce(10_000, d.now);
    this.sql = statementCache(d.db);
  }

  receive(m: { topic: string; payload: Buffer; clientId: string; at: number }): void {
    const parsed = parseAgentMessage(m, this.d.maxMessageBytes);
    if (parsed === null) return;
    if (!parsed.ok) {
      this.d.metrics.messages.inc({ kind: topicKind(m.topic), result: parsed.problem });
      const suppressed = this.refusals.pass(`${parsed.agentId}|${parsed.problem}`);
      this.d.log.warn({ agentId: parsed.agentId, topic: parsed.topic, problem: parsed.problem, detail: parsed.detail }, 'agent message refused');
      if (suppressed === null) return;
      this.d.append({
        type: ENDPOINT_EVENTS.message,
        reason: ENDPOINT_REASON.messageInvalid,
        severity: parsed.problem === 'wrong_agent' ? 'warning' : 'notice',
        source: 'endpoints',
        subject: parsed.agentId,
        data: { agentId: parsed.agentId, topic: parsed.topic, problem: parsed.problem, detail: parsed.detail, suppressedBefore: suppressed },
      });
      return;
    }
    this.d.metrics.messages.inc({ kind: parsed.message.kind, result: 'ok' });
    this.handle(parsed.message, m.at);
  }

  /** Records how many events each flooding PC lost since the last call. */
  reportDropped(): void {
    for (const { key, dropped } of this.stored.drainDropped()) {
      this.d.append({
        type: ENDPOINT_EVENTS.message,
        reason: ENDPOINT_REASON.messageRateLimited,
        severity: 'warning',
        source: 'endpoints',
        subject: key,
        data: { agentId: key, dropped },
      });
    }
  }

  private handle(msg: AgentMessage, at: number): void {
    if (msg.kind === 'state' && !msg.online) return; // presence is the broker's; a goodbye is not a sign of life
    const agent = this.d.agents.get(msg.agentId) ?? this.adopt(msg.agentId, at);
    if (!agent) {
      // Decommissioned while still connected: its credentials are disabled and it is not taken back in.
      this.d.metrics.messages.inc({ kind: msg.kind, result: 'decommissioned' });
      return;
    }
    const { wasSilentSince } = this.d.agents.heard(agent.agentId, at);
    if (wasSilentSince !== null) {
      this.d.append({
        type: ENDPOINT_EVENTS.agent,
        reason: ENDPOINT_REASON.agentHeardAgain,
        source: 'endpoints',
        subject: agent.agentId,
        data: { agentId: agent.agentId, displayName: agent.displayName, silentForS: Math.round((at - wasSilentSince) / 1000) },
      });
    }
    switch (msg.kind) {
      case 'state':
        return;
      case 'heartbeat':
        return this.d.agents.recordHeartbeat(msg.body, at);
      case 'ack':
        return this.onAck(agent, msg.body, at);
      case 'usb':
        return this.onUsbEvent(agent.agentId, msg.body, at);
      case 'request':
        return this.onRequest(agent.agentId, msg.body, at);
    }
  }

  /**
   * A PC whose credentials were made by hand on the devices page: take it in, so it
   * gets a policy and its events are not lost.
   */
  private adopt(agentId: string, at: number): AgentRecord | null {
    const client = this.d.mqttClients.get(agentId);
    if (!client?.enabled) return null;
    const agent = this.d.agents.create({ agentId, displayName: client.displayName, groups: [], at });
    this.d.publisher.reissue([agentId], { by: 'edge' }).catch((err: unknown) => this.d.log.error({ err, agentId }, 'cannot issue a policy to an adopted PC'));
    return agent;
  }

  private onAck(agent: AgentRecord, ack: PolicyAck, at: number): void {
    const prev = agent.ack;
    // QoS 1 redelivery or a replay of an old retained ack: never move a PC backwards.
    if (prev && ack.status !== 'refused' && ack.activeVersion < prev.activeVersion) {
      this.d.metrics.messages.inc({ kind: 'ack', result: 'stale' });
      this.d.log.info({ agentId: agent.agentId, acked: ack.activeVersion, known: prev.activeVersion }, 'stale policy ack ignored');
      return;
    }
    this.d.agents.recordAck(ack, at);
    const published = agent.publishedVersion ?? 0;
    if (ack.activeVersion > published) this.catchUp(agent, ack.activeVersion);
    if (ack.status === 'already-applied' || !this.stored.take(agent.agentId)) return;
    const severity: Severity = ack.status === 'refused' || !ack.persisted ? 'warning' : 'info';
    this.d.append({
      type: ENDPOINT_EVENTS.policy,
      reason: ack.reason,
      severity,
      source: `pc:${agent.agentId}`,
      subject: agent.agentId,
      occurredAt: ack.at,
      // The texts of the agents' reasons name these parameters (version, active, kid, size).
      data: {
        agentId: agent.agentId,
        status: ack.status,
        version: ack.version ?? ack.activeVersion,
        active: ack.activeVersion,
        published,
        persisted: ack.persisted,
        detail: ack.detail ?? null,
        kid: ack.detail ?? null,
        size: ack.detail ?? null,
      },
    });
  }

  /**
   * The PC enforces a version this database never issued to it (the edge was restored
   * from a backup, or its database replaced): move the number line past it and issue
   * again, or the PC would refuse every future document as older.
   */
  private catchUp(agent: AgentRecord, active: number): void {
    const counter = this.d.policies.counter();
    if (active - counter > MAX_VERSION_CATCH_UP) {
      this.d.log.warn({ agentId: agent.agentId, active, counter }, 'PC claims a policy version far beyond any issued; not followed');
      return;
    }
    this.d.policies.raiseCounter(active);
    this.d.log.warn({ agentId: agent.agentId, active, published: agent.publishedVersion }, 'PC runs a newer policy version than issued here; re-issuing');
    this.d.publisher.reissue([agent.agentId], { by: 'edge', force: true }).catch((err: unknown) => this.d.log.error({ err, agentId: agent.agentId }, 're-issue failed'));
  }

  private onUsbEvent(agentId: string, e: UsbEvent, at: number): void {
    if (!this.stored.take(agentId)) return;
    const ev = usbEventToNewEvent(e);
    // The receipt and the event commit together: a redelivered event is stored once.
    const fresh = this.d.db.transaction(() => {
      const r = this.sql('INSERT OR IGNORE INTO usb_event_receipts (agent_event_id, agent_id, received_at) VALUES (?, ?, ?)').run(e.id, agentId, at);
      if (r.changes === 0) return false;
      this.d.append({ ...ev, data: { ...ev.data, agentEventId: e.id } });
      return true;
    })();
    if (!fresh) this.d.metrics.messages.inc({ kind: 'usb', result: 'duplicate' });
  }

  private onRequest(agentId: string, r: UsbDeviceRequest, at: number): void {
    if (!this.stored.take(agentId)) return;
    if (!this.d.requests.insert(r, at)) return this.d.metrics.messages.inc({ kind: 'request', result: 'duplicate' });
    this.d.append({
      type: ENDPOINT_EVENTS.request,
      reason: ENDPOINT_REASON.requestReceived,
      severity: 'notice',
      source: `pc:${agentId}`,
      subject: agentId,
      occurredAt: r.at,
      data: { agentId, requestId: r.id, requestedBy: r.requestedBy, deviceText: deviceText(r.device), device: r.device, note: r.note, durationMinutes: r.durationMinutes ?? null },
    });
  }

  /** Forgets receipts older than `before` (agents do not resend events that old). */
  pruneReceipts(before: number): number {
    return this.sql('DELETE FROM usb_event_receipts WHERE received_at < ?').run(before).changes;
  }
}

function topicKind(topic: string): string {
  const kind = topic.split('/')[3];
  return kind && ['state', 'heartbeat', 'ack', 'usb', 'request'].includes(kind) ? kind : 'other';
}
