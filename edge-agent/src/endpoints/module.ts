import { isAbsolute, join } from 'node:path';
import type { NewEvent } from '@campus/protocol';
import type { EndpointsConfig } from './config.js';
import type { EventBus } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { EdgeModule } from '../modules/module.js';
import type { Store } from '../store/index.js';
import { AgentInbox } from './agent-inbox.js';
import { AgentRepo } from './agent-repo.js';
import { EXPIRED_GRANT_KEEP_MS } from './compose.js';
import { GrantRepo } from './grant-repo.js';
import { ENDPOINT_EVENTS, ENDPOINT_REASON } from './messages.js';
import { createEndpointMetrics, type EndpointMetrics } from './metrics.js';
import { defaultPolicyContent } from './policy-content.js';
import { loadOrCreatePolicyKey } from './policy-key.js';
import { PolicyRepo } from './policy-repo.js';
import { PolicyPublisher, type PolicyChannel } from './publisher.js';
import { RequestRepo } from './request-repo.js';
import { EndpointGuardService } from './service.js';

/** Agents resend queued events within hours; receipts older than this are forgotten. */
const RECEIPT_KEEP_MS = 7 * 24 * 3600_000;

export interface EndpointsModuleDeps {
  config: EndpointsConfig;
  dataDir: string;
  store: Store;
  bus: EventBus;
  broker: PolicyChannel & { isOnline(clientId: string): boolean };
  /** The broker's TLS port and certificate fingerprint, null when TLS is off. */
  tls: { port: number; fingerprint256: string } | null;
  now: () => number;
  /** Timers (the edge's time service). */
  every: (ms: number, fn: () => void) => () => void;
  log: Logger;
  metrics: Metrics;
  append: (e: NewEvent) => unknown;
}

/**
 * The USB endpoint guard on the edge: PC agents' messages in, signed per-PC policies
 * out (retained), silence alarms, and the service behind the IT routes.
 */
export class EndpointsModule implements EdgeModule {
  readonly name = 'endpoints';
  private svc: EndpointGuardService | null = null;
  private inbox: AgentInbox | null = null;
  private publisher: PolicyPublisher | null = null;
  private agents: AgentRepo | null = null;
  private grants: GrantRepo | null = null;
  private endpointMetrics: EndpointMetrics | null = null;
  private unsubscribe: (() => void) | null = null;
  private timer: (() => void) | null = null;
  private lastTick = 0;
  private ticking: Promise<void> | null = null;
  /** Why the module is not serving (shown by the routes as a 503). */
  failure: string | null = 'not started';

  constructor(private readonly deps: EndpointsModuleDeps) {}

  /** The service, or null while the module is not running. */
  get service(): EndpointGuardService | null {
    return this.svc;
  }

  async start(): Promise<void> {
    const { deps } = this;
    const log = deps.log;
    const keyFile = isAbsolute(deps.config.signingKeyFile) ? deps.config.signingKeyFile : join(deps.dataDir, deps.config.signingKeyFile);
    let key;
    try {
      key = loadOrCreatePolicyKey(keyFile, log);
    } catch (err) {
      this.failure = (err as Error).message;
      throw err;
    }
    if (key.created) log.info({ file: keyFile, kid: key.kid }, 'policy signing key created');
    const db = deps.store.db;
    this.endpointMetrics ??= createEndpointMetrics(deps.metrics.registry);
    const agents = (this.agents = new AgentRepo(db));
    const policies = new PolicyRepo(db);
    const grants = (this.grants = new GrantRepo(db));
    const requests = new RequestRepo(db);
    const metrics = this.endpointMetrics;
    const channel: PolicyChannel = {
      publish: async (topic, payload, opts) => {
        await deps.broker.publish(topic, payload, opts);
        if (payload.length > 0) metrics.documents.inc();
      },
    };
    const publisher = (this.publisher = new PolicyPublisher({ db, agents, policies, grants, channel, key, now: deps.now, log }));
    this.inbox = new AgentInbox({
      db,
      agents,
      policies,
      requests,
      mqttClients: deps.store.mqttClients,
      publisher,
      append: deps.append,
      now: deps.now,
      log,
      metrics,
      maxMessageBytes: deps.config.maxMessageBytes,
      eventsPerMinute: deps.config.usbEventsPerMinute,
    });

    if (policies.count() === 0) policies.create({ target: { scope: 'all' }, content: defaultPolicyContent(), basedOn: null, at: deps.now(), by: 'system' });
    const restored = await publisher.restoreRetained();
    const { changed } = await publisher.reissue(agents.ids(), { by: 'edge' });
    log.info({ restored, reissued: changed.length, kid: key.kid }, 'endpoint guard ready');

    const inbox = this.inbox;
    this.unsubscribe = deps.bus.on('mqtt.message', (m) => {
      if (m.role === 'pc-agent') inbox.receive(m);
    });
    this.timer = deps.every(deps.config.checkIntervalSeconds * 1000, () => void this.tick());
    this.svc = new EndpointGuardService({
      db,
      agents,
      policies,
      grants,
      requests,
      mqttClients: deps.store.mqttClients,
      publisher,
      key,
      broker: { isOnline: (id) => deps.broker.isOnline(id), tls: deps.tls, configuredUrl: deps.config.brokerUrl },
      append: deps.append,
      now: deps.now,
      log,
    });
    this.failure = null;
  }

  async stop(): Promise<void> {
    this.failure = 'stopped';
    this.svc = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.timer?.();
    this.timer = null;
    await this.ticking;
  }

  /** Periodic work: silence alarms, flood counts, lapsed grants, old receipts. */
  private tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.runTick()
      .catch((err: unknown) => this.deps.log.error({ err }, 'endpoint guard check failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    const { agents, grants, inbox, publisher, endpointMetrics } = this;
    if (!agents || !grants || !inbox || !publisher || !endpointMetrics || !this.svc) return;
    const now = this.deps.now();
    const silentAfterMs = this.deps.config.silentAfterSeconds * 1000;
    for (const a of agents.silentSince(now - silentAfterMs)) {
      agents.markSilent(a.agentId, now);
      endpointMetrics.silent.inc();
      this.deps.append({
        type: ENDPOINT_EVENTS.agent,
        reason: ENDPOINT_REASON.agentSilent,
        severity: 'warning',
        source: 'endpoints',
        subject: a.agentId,
        data: { agentId: a.agentId, displayName: a.displayName, silentForS: Math.round((now - a.lastHeardAt!) / 1000), lastHeardAt: a.lastHeardAt, silentAfterS: this.deps.config.silentAfterSeconds },
      });
    }
    inbox.reportDropped();
    // Temporary grants that lapsed long enough ago leave the PCs' documents.
    const lapsed = grants.agentsWithExpiryBetween(this.lastTick - EXPIRED_GRANT_KEEP_MS, now - EXPIRED_GRANT_KEEP_MS);
    this.lastTick = now;
    if (lapsed.length) await publisher.reissue(lapsed, { by: 'edge' });
    inbox.pruneReceipts(now - RECEIPT_KEEP_MS);
  }
}
