import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CloudSyncClient, type EdgeCredentials, type SyncStatus } from '@campus/cloud-sync/client';
import { Counter, Gauge } from 'prom-client';
import type { EdgeModule } from '../modules/module.js';
import type { EdgeContext } from '../edge.js';
import type { CloudConfig } from './config.js';
import { SqliteOutbox } from './outbox.js';
import { CloudRecords } from './cloud-records.js';
import { CloudProjections } from './projections/index.js';
import { UsbPolicyProjection } from './projections/usb-policy.js';
import type { EndpointGuardService } from '../endpoints/service.js';

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
 * change feed into `cloud_records`, and a cloud that answers proves the clock.
 */
export class SyncModule implements EdgeModule {
  readonly name = 'sync';
  readonly outbox: SqliteOutbox;
  readonly records: CloudRecords;
  private client: CloudSyncClient | null = null;
  private offAppended: (() => void) | null = null;
  private offChanges: (() => void) | null = null;
  /** Cloud-owned records projected into the access domain (null in standalone mode). */
  projections: CloudProjections | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private last: SyncStatus | null = null;

  private offUsb: (() => void) | null = null;

  constructor(
    private readonly ctx: EdgeContext,
    /** The endpoint guard service when it runs (USB policies owned by the cloud go there). */
    private readonly endpoints: () => EndpointGuardService | null = () => null,
  ) {
    this.outbox = new SqliteOutbox(ctx.store.db, ctx.config.site.id);
    this.records = new CloudRecords(ctx.store.db, ctx.store.vault);
    this.records.sealLegacy();
    this.records.onApplied((changes) => ctx.bus.emit('cloud.changes', { changes }));
  }

  get enabled(): boolean {
    return this.ctx.config.cloud.enabled;
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    const link = resolveCloudLink(this.ctx.config.cloud);
    const log = this.ctx.log.child({ mod: 'sync' });
    this.startProjections(log);
    this.client = new CloudSyncClient({
      cloudUrl: link.url,
      credentials: link.credentials,
      outbox: this.outbox,
      applier: this.records,
      ...(this.ctx.config.cloud.bandwidthBytesPerSec ? { bandwidthBytesPerSec: this.ctx.config.cloud.bandwidthBytesPerSec } : {}),
      ...(link.ca ? { ca: link.ca } : {}),
      logger: log,
      now: () => this.ctx.clock.now(),
    });
    const gauges = {
      backlog: new Gauge({ name: 'campus_edge_sync_backlog_events', help: 'Events not yet acknowledged by the cloud', registers: [this.ctx.metrics.registry] }),
      oldest: new Gauge({ name: 'campus_edge_sync_oldest_pending_seconds', help: 'Age of the oldest unsent event', registers: [this.ctx.metrics.registry] }),
      rate: new Gauge({ name: 'campus_edge_sync_rate_events_per_second', help: 'Events acknowledged per second (10 s window)', registers: [this.ctx.metrics.registry] }),
    };
    this.offAppended = this.ctx.bus.on('event.appended', (e) => {
      if (e.priority <= 1) this.client?.wake();
    });
    await this.learnTime(link.url, link.ca);
    await this.client.start();
    log.info({ cloud: link.url, edgeId: link.credentials.edgeId }, 'cloud sync started');
    this.statusTimer = setInterval(() => {
      void this.status().then((s) => {
        if (!s) return;
        gauges.backlog.set(s.backlog);
        gauges.oldest.set((s.oldestPendingAgeMs ?? 0) / 1000);
        gauges.rate.set(s.ratePerSec);

      });
    }, 2000);
    this.statusTimer.unref();
  }

  /**
   * The cloud owns rosters, cards, leaves, passes and calendars: each applied feed page
   * is projected into the access domain, and everything stored is replayed once at
   * start so a restart (or a projection that failed) converges.
   */
  private startProjections(log: EdgeContext['log']): void {
    const invalid = new Counter({
      name: 'campus_edge_sync_records_invalid_total',
      help: 'Cloud records the edge could not project (logged)',
      labelNames: ['kind'],
      registers: [this.ctx.metrics.registry],
    });
    // USB policies go to the endpoint guard, independent of access control.
    const usb = new UsbPolicyProjection(this.endpoints, this.ctx.store, log.child({ part: 'usb-policy' }), (kind) => invalid.inc({ kind }));
    void usb.replay(this.records.all('usb_policy')).catch((err: unknown) => log.warn({ err }, 'usb_policy replay failed'));
    this.offUsb = this.ctx.bus.on('cloud.changes', ({ changes }) => usb.apply(changes));
    if (!this.ctx.access.ready) {
      // Its directory is not loaded: projecting now would fight the rows on disk. Records stay stored and are replayed at the next start.
      log.warn('access control is not running: cloud records are stored but not projected until the next start');
      return;
    }
    const projections = new CloudProjections(this.ctx.access, this.records, log.child({ part: 'projections' }), (kind) => invalid.inc({ kind }));
    this.projections = projections;
    projections.replay();
    this.offChanges = this.ctx.bus.on('cloud.changes', ({ changes }) => projections.apply(changes));
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
      if (Number.isFinite(cloudNow)) this.ctx.clock.correctFrom('cloud', cloudNow);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'could not read the cloud time');
    }
  }

  async status(): Promise<SyncStatus | null> {
    if (!this.client) return null;
    this.last = await this.client.status();
    return this.last;
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.offAppended?.();
    this.offChanges?.();
    this.offUsb?.();
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
