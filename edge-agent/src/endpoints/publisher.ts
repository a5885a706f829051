import { topics } from '@campus/protocol';
import { UsbPolicySchema } from '@campus/protocol/usb/policy';
import { policyDigest, signPolicy, type PolicyKeyPair, type SignedUsbPolicy } from '@campus/protocol/usb/signing';
import type { Logger } from '../core/log.js';
import type { Db } from '../store/open.js';
import type { AgentRepo } from './agent-repo.js';
import { composeAgentPolicy, enforcementKey, EXPIRED_GRANT_KEEP_MS, resolvePolicyVersion } from './compose.js';
import type { GrantRepo } from './grant-repo.js';
import type { PolicyRepo } from './policy-repo.js';

/** What the publisher needs from the broker: retained publishes as the edge itself. */
export interface PolicyChannel {
  publish(topic: string, payload: string | Buffer, opts: { retain: boolean; qos: 0 | 1 }): Promise<void>;
}

export interface ReissueResult {
  /** PCs that got a new signed document. */
  changed: string[];
}

/**
 * Keeps each PC's signed policy document current and retained on
 * campus/pc/{id}/policy. A document is re-issued only when what the PC enforces would
 * change (or the policy version it is built from does). Its version is the policy
 * version it is built from when that is newer than anything the PC has had, so a push
 * of policy v7 reaches PCs as v7; otherwise (a grant added, a group changed) one fresh
 * number per operation, so every PC only ever sees newer versions.
 */
export class PolicyPublisher {
  constructor(
    private readonly deps: {
      db: Db;
      agents: AgentRepo;
      policies: PolicyRepo;
      grants: GrantRepo;
      channel: PolicyChannel;
      key: PolicyKeyPair;
      now: () => number;
      log: Logger;
    },
  ) {}

  /**
   * Brings the documents of these PCs up to date. `force`: issue a new document even if
   * nothing changed (to get past a version the PC holds that this database never issued).
   */
  async reissue(agentIds: Iterable<string>, opts: { by: string; force?: boolean }): Promise<ReissueResult> {
    const { db, agents, policies, grants, key, now } = this.deps;
    const at = now();
    const candidates = policies.candidates();
    const pending: Array<{ agentId: string; version: number; text: string }> = [];
    let drawn: number | null = null;
    db.transaction(() => {
      for (const agentId of agentIds) {
        const agent = agents.get(agentId);
        if (!agent) continue;
        const base = resolvePolicyVersion(candidates, agent);
        if (!base) continue;
        const inForce = grants.inForce(agentId, at - EXPIRED_GRANT_KEEP_MS);
        const draft = UsbPolicySchema.parse(composeAgentPolicy({ agentId, version: 1, issuedAt: at, issuedBy: opts.by, base, grants: inForce }));
        const current = agents.publishedDoc(agentId);
        if (!opts.force && current && agent.policyVersion === base.version && enforcementKey((JSON.parse(current) as SignedUsbPolicy).policy) === enforcementKey(draft)) continue;
        // Never a number the PC has had (published here, or reported back by the PC).
        const floor = Math.max(agent.publishedVersion ?? 0, agent.ack?.activeVersion ?? 0);
        const version = base.version > floor ? base.version : (drawn ??= policies.nextNumber());
        const doc = signPolicy({ ...draft, version }, key.privateKey, key.kid);
        const text = JSON.stringify(doc);
        agents.recordPublished(agentId, { policyVersion: base.version, version, digest: policyDigest(doc.policy), at, doc: text });
        pending.push({ agentId, version, text });
      }
    })();
    // Committed first, then published: a crash in between is healed by restoreRetained().
    await Promise.all(pending.map((p) => this.deps.channel.publish(topics.agentPolicy(p.agentId), p.text, { retain: true, qos: 1 })));
    if (pending.length) this.deps.log.info({ agents: pending.length, versions: [...new Set(pending.map((p) => p.version))], by: opts.by }, 'USB policy documents issued');
    return { changed: pending.map((p) => p.agentId) };
  }

  /** aedes keeps retained messages in memory only: after a restart, put every PC's document back. */
  async restoreRetained(): Promise<number> {
    let n = 0;
    for (const agentId of this.deps.agents.ids()) {
      const doc = this.deps.agents.publishedDoc(agentId);
      if (!doc) continue;
      await this.deps.channel.publish(topics.agentPolicy(agentId), doc, { retain: true, qos: 1 });
      n++;
    }
    return n;
  }

  /** An empty retained message removes the document (a decommissioned PC keeps what it has). */
  clear(agentId: string): Promise<void> {
    return this.deps.channel.publish(topics.agentPolicy(agentId), '', { retain: true, qos: 1 });
  }
}
