import type { AgentHeartbeat, PolicyAck } from '@campus/protocol/usb/messages';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';
import { statementCache } from './statements.js';

/** What the edge knows about one school PC running campus-guard. */
export interface AgentRecord {
  agentId: string;
  displayName: string;
  groups: string[];
  createdAt: number;
  hostname: string | null;
  platform: string | null;
  agentVersion: string | null;
  /** Counters from the last heartbeat (devices present/blocked, events dropped/queued, ...). */
  heartbeat: AgentHeartbeatSummary | null;
  heartbeatAt: number | null;
  /** Edge time of the last message of any kind from this PC. */
  lastHeardAt: number | null;
  /** Set while a silence alarm is open. */
  silentSince: number | null;
  /** The IT policy version the PC's current document is built from. */
  policyVersion: number | null;
  /** The version of the signed document published for this PC. */
  publishedVersion: number | null;
  publishedDigest: string | null;
  publishedAt: number | null;
  ack: AgentAck | null;
}

export type AgentHeartbeatSummary = Pick<
  AgentHeartbeat,
  'seq' | 'intervalS' | 'uptimeS' | 'policyVersion' | 'killSwitch' | 'devicesPresent' | 'devicesBlocked' | 'eventsDropped' | 'eventsQueued'
>;

export interface AgentAck {
  version: number | null;
  activeVersion: number;
  activeDigest: string | null;
  status: PolicyAck['status'];
  reason: string;
  detail: string | null;
  persisted: boolean;
  at: number;
}

interface Row {
  agent_id: string;
  display_name: string;
  groups: string;
  created_at: number;
  hostname: string | null;
  platform: string | null;
  agent_version: string | null;
  heartbeat: string | null;
  heartbeat_at: number | null;
  last_heard_at: number | null;
  silent_since: number | null;
  policy_version: number | null;
  published_version: number | null;
  published_digest: string | null;
  published_at: number | null;
  ack_version: number | null;
  ack_digest: string | null;
  ack_status: string | null;
  ack_reason: string | null;
  ack_detail: string | null;
  ack_persisted: number | null;
  ack_at: number | null;
  ack_answered: number | null;
}

const COLUMNS = `agent_id, display_name, groups, created_at, hostname, platform, agent_version, heartbeat, heartbeat_at, last_heard_at,
  silent_since, policy_version, published_version, published_digest, published_at, ack_version, ack_digest, ack_status, ack_reason,
  ack_detail, ack_persisted, ack_at, ack_answered`;

function toRecord(r: Row): AgentRecord {
  return {
    agentId: r.agent_id,
    displayName: r.display_name,
    groups: JSON.parse(r.groups) as string[],
    createdAt: r.created_at,
    hostname: r.hostname,
    platform: r.platform,
    agentVersion: r.agent_version,
    heartbeat: r.heartbeat ? (JSON.parse(r.heartbeat) as AgentHeartbeatSummary) : null,
    heartbeatAt: r.heartbeat_at,
    lastHeardAt: r.last_heard_at,
    silentSince: r.silent_since,
    policyVersion: r.policy_version,
    publishedVersion: r.published_version,
    publishedDigest: r.published_digest,
    publishedAt: r.published_at,
    ack:
      r.ack_status === null || r.ack_version === null || r.ack_at === null
        ? null
        : {
            version: r.ack_answered,
            activeVersion: r.ack_version,
            activeDigest: r.ack_digest,
            status: r.ack_status as PolicyAck['status'],
            reason: r.ack_reason ?? '',
            detail: r.ack_detail,
            persisted: r.ack_persisted === 1,
            at: r.ack_at,
          },
  };
}

/** The PCs known to the endpoint guard, their last heartbeat, published policy and last ack. */
export class AgentRepo {
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  create(a: { agentId: string; displayName: string; groups: readonly string[]; at: number }): AgentRecord {
    this.sql('INSERT INTO endpoint_agents (agent_id, display_name, groups, created_at) VALUES (?, ?, ?, ?)')
      .run(a.agentId, a.displayName, JSON.stringify([...new Set(a.groups)]), a.at);
    return this.get(a.agentId)!;
  }

  get(agentId: string): AgentRecord | undefined {
    const r = this.sql(`SELECT ${COLUMNS} FROM endpoint_agents WHERE agent_id = ?`).get(agentId) as Row | undefined;
    return r && toRecord(r);
  }

  list(): AgentRecord[] {
    return (this.sql(`SELECT ${COLUMNS} FROM endpoint_agents ORDER BY agent_id`).all() as Row[]).map(toRecord);
  }

  ids(): string[] {
    return (this.sql('SELECT agent_id FROM endpoint_agents ORDER BY agent_id').all() as Array<{ agent_id: string }>).map((r) => r.agent_id);
  }

  count(): number {
    return (this.sql('SELECT count(*) AS n FROM endpoint_agents').get() as { n: number }).n;
  }

  update(agentId: string, changes: { displayName?: string; groups?: readonly string[] }): AgentRecord | undefined {
    if (changes.displayName !== undefined) this.sql('UPDATE endpoint_agents SET display_name = ? WHERE agent_id = ?').run(changes.displayName, agentId);
    if (changes.groups !== undefined) this.sql('UPDATE endpoint_agents SET groups = ? WHERE agent_id = ?').run(JSON.stringify([...new Set(changes.groups)]), agentId);
    return this.get(agentId);
  }

  remove(agentId: string): boolean {
    return this.sql('DELETE FROM endpoint_agents WHERE agent_id = ?').run(agentId).changes > 0;
  }

  heard(agentId: string, at: number): { wasSilentSince: number | null } {
    const row = this.sql('SELECT silent_since FROM endpoint_agents WHERE agent_id = ?').get(agentId) as { silent_since: number | null } | undefined;
    this.sql('UPDATE endpoint_agents SET last_heard_at = ?, silent_since = NULL WHERE agent_id = ?').run(at, agentId);
    return { wasSilentSince: row?.silent_since ?? null };
  }

  recordHeartbeat(hb: AgentHeartbeat, at: number): void {
    const summary: AgentHeartbeatSummary = {
      seq: hb.seq,
      intervalS: hb.intervalS,
      uptimeS: hb.uptimeS,
      policyVersion: hb.policyVersion,
      killSwitch: hb.killSwitch,
      devicesPresent: hb.devicesPresent,
      devicesBlocked: hb.devicesBlocked,
      eventsDropped: hb.eventsDropped,
      eventsQueued: hb.eventsQueued,
    };
    this.sql('UPDATE endpoint_agents SET hostname = ?, platform = ?, agent_version = ?, heartbeat = ?, heartbeat_at = ? WHERE agent_id = ?')
      .run(hb.hostname, hb.platform, hb.agentVersion, JSON.stringify(summary), at, hb.agentId);
  }

  recordAck(ack: PolicyAck, at: number): void {
    this.sql(
        `UPDATE endpoint_agents SET ack_answered = ?, ack_version = ?, ack_digest = ?, ack_status = ?, ack_reason = ?, ack_detail = ?, ack_persisted = ?, ack_at = ?
         WHERE agent_id = ?`,
      )
      .run(ack.version, ack.activeVersion, ack.activeDigest, ack.status, ack.reason, ack.detail ?? null, ack.persisted ? 1 : 0, at, ack.agentId);
  }

  recordPublished(agentId: string, p: { policyVersion: number; version: number; digest: string; at: number; doc: string }): void {
    this.sql('UPDATE endpoint_agents SET policy_version = ?, published_version = ?, published_digest = ?, published_at = ?, published_doc = ? WHERE agent_id = ?')
      .run(p.policyVersion, p.version, p.digest, p.at, p.doc, agentId);
  }

  publishedDoc(agentId: string): string | null {
    return (this.sql('SELECT published_doc FROM endpoint_agents WHERE agent_id = ?').get(agentId) as { published_doc: string | null } | undefined)?.published_doc ?? null;
  }

  /** PCs heard from before but not since `before`, with no alarm open yet. */
  silentSince(before: number): AgentRecord[] {
    return (
      this.sql(`SELECT ${COLUMNS} FROM endpoint_agents WHERE last_heard_at IS NOT NULL AND last_heard_at < ? AND silent_since IS NULL ORDER BY agent_id`).all(before) as Row[]
    ).map(toRecord);
  }

  markSilent(agentId: string, at: number): void {
    this.sql('UPDATE endpoint_agents SET silent_since = ? WHERE agent_id = ?').run(at, agentId);
  }
}
