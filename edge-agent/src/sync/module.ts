import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CloudSyncClient, type EdgeCredentials, type SyncStatus } from '@campus/cloud-sync/client';
import { Gauge } from 'prom-client';
import { BUS_POSITION_EVENT } from '@campus/protocol/bus/positions';
import type { ApiRouter } from '../http/router.js';
import type { CloudLink, DomainDeps, DomainInstance } from '../modules/domain.js';
import type { CloudConfig } from './config.js';
import { SqliteOutbox } from './outbox.js';
import { VERSION } from '../version.js';
import { syncRoutes } from './routes.js';

export class CloudConfigError extends Error {}

/** Resolves URL and credentials from the config and, when given, the link file. */
export function resolveCloudLink(c: CloudConfig): { url: string; credentials: EdgeCredentials; ca?: string } {
  let link: { cloudUrl?: string; credentials?: Partial<EdgeCredentials> } = {};
  if (c.linkFile) {
    try {
      link = JSON.parse(readFileSync(c.linkFile, 'utf8')) as typeof link;
    } catch (e) {
      throw new CloudConfigError(`cloud.linkFile 无法读取 / cannot read cloud.linkFile ${c.linkFile}: ${(e as Error).message}`);
    }
  }
  let privateKey = link.credentials?.privateKey;
  if (c.privateKeyFile) {
    const text = readFileSync(c.privateKeyFile, 'utf8').trim();
    privateKey = text.includes('BEGIN') ? text.replace(/-----[^-]+-----|\s/g, '') : text;
  }
  const url = c.url ?? link.cloudUrl;
  const edgeId = c.edgeId ?? link.credentials?.edgeId;
  const keyId = c.keyId ?? link.credentials?.keyId;
  const missing = [!url && 'cloud.url', !edgeId && 'cloud.edgeId', !keyId && 'cloud.keyId', !privateKey && 'cloud.privateKeyFile'].filter(Boolean);
  if (missing.length) {
    throw new CloudConfigError(`云同步已启用但缺少 / cloud sync is enabled but missing: ${missing.join(', ')} (或配置 cloud.linkFile / or set cloud.linkFile)`);
  }
  return { url: url!, credentials: { edgeId: edgeId!, keyId: keyId!, privateKey: privateKey! }, ...(c.caFile ? { ca: readFileSync(c.caFile, 'utf8') } : {}) };
}

/**
 * Store-and-forward to the cloud: the event log is the outbox (lanes by priority,
 * safety and gate events woken at once), cloud-owned records come down through the
 * change feed into `cloud_records` (the bus then tells the domains that apply them:
 * DomainDefinition.cloudKinds), and a cloud that answers proves the clock.
 */
export class SyncModule implements DomainInstance {
  readonly name = 'sync';
  readonly outbox: SqliteOutbox;
  readonly records: CloudLink['records'];
  private client: CloudSyncClient | null = null;
  private offAppended: (() => void) | null = null;
  private stopStatus: (() => void) | null = null;
  private last: SyncStatus | null = null;

  constructor(private readonly deps: DomainDeps<CloudConfig>) {
    this.outbox = new SqliteOutbox(deps.store.db, deps.site.id);
    this.records = deps.cloud.records;
  }

  get enabled(): boolean {
    return this.deps.config.enabled;
  }

  routes(api: ApiRouter): void {
    syncRoutes(api, this);
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    const link = resolveCloudLink(this.deps.config);
    const log = this.deps.log;
    this.client = new CloudSyncClient({
      cloudUrl: link.url,
      credentials: link.credentials,
      outbox: this.outbox,
      applier: this.records,
      ...(this.deps.config.bandwidthBytesPerSec ? { bandwidthBytesPerSec: this.deps.config.bandwidthBytesPerSec } : {}),
      ...(link.ca ? { ca: link.ca } : {}),
      logger: log,
      now: () => this.deps.time.now(),
      edgeInfo: () => ({ clockTrusted: this.deps.clock.trusted(), version: VERSION }),
    });
    const registry = this.deps.metrics.registry;
    const gauges = {
      backlog: (registry.getSingleMetric('campus_edge_sync_backlog_events') as Gauge | undefined) ?? new Gauge({ name: 'campus_edge_sync_backlog_events', help: 'Events not yet acknowledged by the cloud', registers: [registry] }),
      oldest: (registry.getSingleMetric('campus_edge_sync_oldest_pending_seconds') as Gauge | undefined) ?? new Gauge({ name: 'campus_edge_sync_oldest_pending_seconds', help: 'Age of the oldest unsent event', registers: [registry] }),
      rate: (registry.getSingleMetric('campus_edge_sync_rate_events_per_second') as Gauge | undefined) ?? new Gauge({ name: 'campus_edge_sync_rate_events_per_second', help: 'Events acknowledged per second (10 s window)', registers: [registry] }),
    };
    this.offAppended = this.deps.bus.on('event.appended', (e) => {
      // Safety and high lanes go at once; so does a bus position, which a parent's live view waits for.
      if (e.priority <= 1 || e.type === BUS_POSITION_EVENT) this.client?.wake();
    });
    await this.learnTime(link.url, link.ca);
    await this.client.start();
    log.info({ cloud: link.url, edgeId: link.credentials.edgeId }, 'cloud sync started');
    this.stopStatus = this.deps.time.every(2000, async () => {
      const s = await this.status();
      if (!s) return;
      gauges.backlog.set(s.backlog);
      gauges.oldest.set((s.oldestPendingAgeMs ?? 0) / 1000);
      gauges.rate.set(s.ratePerSec);
    });
  }

  /**
   * Many boxes boot offline without a battery-backed clock. The cloud's HTTP Date
   * header corrects the edge clock (to the second) until NTP syncs; the signed sync
   * requests need it too, since the cloud refuses timestamps more than 5 min off.
   */
  private async learnTime(url: string, ca?: string): Promise<void> {
    try {
      const t0 = Date.now();
      const date = await headDate(url, ca);
      if (!date) return;
      const rtt = Date.now() - t0;
      const cloudNow = Date.parse(date) + 500 + rtt / 2; // Date has 1 s resolution
      if (Number.isFinite(cloudNow)) this.deps.clock.correctFrom('cloud', cloudNow);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not read the cloud time');
    }
  }

  async status(): Promise<SyncStatus | null> {
    if (!this.client) return null;
    this.last = await this.client.status();
    return this.last;
  }

  async stop(): Promise<void> {
    this.stopStatus?.();
    this.stopStatus = null;
    this.offAppended?.();
    await this.client?.stop();
    this.client = null;
  }
}

/**
 * The Date header of a HEAD request, over node:http(s) with the school's CA when one is
 * configured (global fetch neither takes a CA nor is free: loading it costs ~13 MB of RSS).
 */
export function headDate(url: string, ca?: string, timeoutMs = 5000): Promise<string | null> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'HEAD', ...(ca && u.protocol === 'https:' ? { ca } : {}), timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.headers.date ?? null);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
